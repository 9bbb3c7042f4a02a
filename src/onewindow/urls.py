from django.contrib import admin
from django.urls import include, path

from onewindow.core.language import switch_language

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("lang/<str:code>/", switch_language, name="switch_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("onewindow.api.urls")),
    path("open311/v2/", include("onewindow.api.open311_urls")),
    path("staff/", include("onewindow.workbench.urls")),
    path("account/", include("onewindow.portal.account_urls")),
    path("", include("onewindow.portal.cases_urls")),
    path("", include("onewindow.portal.hall_urls")),
    path("", include("onewindow.portal.ratings_urls")),
    path("", include("onewindow.portal.appraisal_urls")),
    path("", include("onewindow.portal.complaints_urls")),
    path("", include("onewindow.portal.projects_urls")),
    path("", include("onewindow.portal.urls")),
]

# Staff pages answer 404/403 in the workbench frame, public pages with the portal's (workbench/error_pages.py).
handler404 = "onewindow.workbench.error_pages.page_not_found"
handler403 = "onewindow.workbench.error_pages.permission_denied"

admin.site.site_header = "onewindow 管理后台"
admin.site.site_title = "onewindow"
admin.site.index_title = "目录、日历、机构与账号"
