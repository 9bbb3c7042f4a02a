from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.item_list, name="item_list"),
    path("items/<str:code>/", views.item_detail, name="item_detail"),
    path("items/<str:code>/notice.pdf", views.item_notice_pdf, name="item_notice_pdf"),
    path("items/<str:code>/materials/<int:material_id>/<slug:kind>/", views.material_file, name="material_file"),
    path("bundles/", views.bundle_list, name="bundle_list"),
    path("bundles/<slug:code>/", views.bundle_detail, name="bundle_detail"),
    path("departments/", views.department_list, name="department_list"),
    path("life-events/<slug:code>/", views.life_event_detail, name="life_event_detail"),
    path("announcements/", views.announcement_list, name="announcement_list"),
    path("reform/", views.reform, name="reform"),
]
