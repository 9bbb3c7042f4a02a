from django.contrib.auth import views as auth_views
from django.urls import path

from . import case_detail, catalog_drafts, dashboard, delegations, hall, home, inbox, intake, login, reports

app_name = "workbench"
urlpatterns = [
    path("login/", login.StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", home.home, name="home"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("intake/", intake.intake, name="intake"),
    path("intake/items/", intake.item_results, name="intake_items"),
    path("intake/checklist/", intake.checklist, name="intake_checklist"),
    path("intake/applicant/", intake.applicant_lookup, name="intake_applicant"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("cases/", inbox.case_list, name="case_list"),
    path("cases/<str:number>/", case_detail.case_detail, name="case_detail"),
    path("cases/<str:number>/intake/", intake.intake_result, name="intake_result"),
    path("cases/<str:number>/actions/<slug:action>/", case_detail.case_action, name="case_action"),
    path("cases/<str:number>/materials/<int:row_id>/file/", case_detail.material_file, name="case_material_file"),
    path("cases/<str:number>/agent/", case_detail.assign_agent, name="case_assign_agent"),
    path("cases/<str:number>/notices/<slug:kind>.pdf", case_detail.case_notice, name="case_notice"),
    path("reports/", reports.reports, name="reports"),
    path("catalog/drafts/", catalog_drafts.drafts, name="catalog_drafts"),
    path("catalog/drafts/<str:code>/", catalog_drafts.draft_detail, name="catalog_draft"),
    path("delegations/", delegations.delegation_list, name="delegations"),
    path("delegations/<int:delegation_id>/revoke/", delegations.delegation_revoke, name="delegation_revoke"),
    path("hall/", hall.calling, name="hall_calling"),
    path("hall/windows/<int:window_id>/<slug:action>/", hall.window_action, name="hall_window_action"),
    path("hall/kiosk/", hall.kiosk, name="hall_kiosk"),
    path("hall/kiosk/tickets/<int:ticket_id>/", hall.ticket_slip, name="hall_ticket"),
    path("reports/<int:report_id>/<slug:fmt>/", reports.report_file, name="report_file"),
]
