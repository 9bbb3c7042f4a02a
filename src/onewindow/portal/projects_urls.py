"""Public pages of projects (portal/projects_views.py), in their own namespace."""

from django.urls import path

from . import projects_views as views

app_name = "portal_projects"
urlpatterns = [
    path("projects/progress/", views.progress, name="progress"),
]
