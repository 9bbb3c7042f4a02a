"""The public appraisal's page (portal/appraisal_views.py), in its own namespace."""

from django.urls import path

from . import appraisal_views as views

app_name = "portal_appraisal"
urlpatterns = [
    path("appraisal/<str:code>/", views.appraisal, name="appraisal"),
]
