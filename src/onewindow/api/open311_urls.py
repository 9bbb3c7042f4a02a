"""The Open311 GeoReport v2 endpoint (api/open311.py), mounted at /open311/v2/ by the root URLconf."""

from django.urls import path, re_path

from . import open311

app_name = "open311"
FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    path("", open311.index, name="index"),
    re_path(r"^discovery" + FMT, open311.discovery, name="discovery"),
    re_path(r"^services" + FMT, open311.service_list, name="services"),
    re_path(r"^services/(?P<code>[\w-]+)" + FMT, open311.service_definition, name="service"),
    re_path(r"^requests" + FMT, open311.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[\w-]+)" + FMT, open311.request_detail, name="request"),
    re_path(r"^servicerequestupdates" + FMT, open311.request_updates, name="updates"),
]
