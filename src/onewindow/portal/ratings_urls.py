"""Public pages of ratings (portal/ratings_views.py), in their own namespace; included by the root URLconf
before portal.urls."""

from django.urls import path

from . import ratings_views as views

app_name = "portal_ratings"
urlpatterns = [
    path("rate/<str:token>/", views.rate, name="rate"),
    path("ratings/", views.statistics, name="statistics"),
]
