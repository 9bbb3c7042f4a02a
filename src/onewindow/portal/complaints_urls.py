"""Public pages of the complaint centre (portal/complaints_views.py), in their own namespace; included by
the root URLconf before portal.urls."""

from django.urls import path

from . import complaints_views as views

app_name = "portal_complaints"
urlpatterns = [
    path("complaints/", views.file, name="file"),
    path("complaints/track/", views.track, name="track"),
]
