"""Only the admin site: these tests check orgs' admin pages without depending on every other app's URLs."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
