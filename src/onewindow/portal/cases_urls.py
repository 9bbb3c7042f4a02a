"""Public pages about cases: progress tracking, certificate verification, online application and the
applicant's own cases. Included by the root URLconf before portal.urls, in its own namespace."""

from django.urls import path

from . import cases_views as views
from . import notifications_views, withdraw_views

app_name = "portal_cases"
urlpatterns = [
    path("track/", views.track, name="track"),
    path("track/<slug:kind>.pdf", views.track_notice, name="track_notice"),
    path("certificates/verify/", views.certificate_verify, name="certificate_verify"),
    path("certificates/<str:number>/", views.certificate, name="certificate"),
    path("apply/bundle/<slug:code>/", views.apply_bundle, name="apply_bundle"),
    path("apply/<str:item_code>/", views.apply, name="apply"),
    path("my/cases/", views.my_cases, name="my_cases"),
    path("my/cases/<str:number>/", views.my_case, name="my_case"),
    path("my/cases/<str:number>/withdraw/", withdraw_views.withdraw, name="withdraw"),
    path("my/cases/<str:number>/<slug:kind>.pdf", views.my_case_notice, name="my_case_notice"),
    path("my/notifications/", notifications_views.my_notifications, name="my_notifications"),
]
