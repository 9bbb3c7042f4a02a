"""Public pages of the hall (portal/hall_views.py), in their own namespace; included by the root
URLconf before portal.urls."""

from django.urls import path

from . import hall_views as views

app_name = "portal_hall"
urlpatterns = [
    path("hall/", views.hall_list, name="halls"),
    path("hall/<str:code>/", views.hall_detail, name="hall"),
    path("hall/<str:code>/screen/", views.hall_screen, name="screen"),
    path("appointments/book/<str:item_code>/", views.book, name="book"),
    path("my/appointments/", views.my_appointments, name="my_appointments"),
    path("my/appointments/<str:code>/", views.my_appointment, name="my_appointment"),
    path("my/appointments/<str:code>/cancel/", views.cancel, name="cancel"),
]
