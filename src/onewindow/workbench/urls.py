from django.contrib.auth import views as auth_views
from django.urls import path

from . import case_detail, catalog_drafts, dashboard, hall, home, inbox, intake, login, reports
from . import supervision as sv

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
    path("cases/<str:number>/agent/", case_detail.assign_agent, name="case_assign_agent"),
    path("cases/<str:number>/notices/<slug:kind>.pdf", case_detail.case_notice, name="case_notice"),
    path("reports/", reports.reports, name="reports"),
    path("catalog/drafts/", catalog_drafts.drafts, name="catalog_drafts"),
    path("catalog/drafts/<str:code>/", catalog_drafts.draft_detail, name="catalog_draft"),
    path("hall/", hall.calling, name="hall_calling"),
    path("hall/windows/<int:window_id>/<slug:action>/", hall.window_action, name="hall_window_action"),
    path("hall/kiosk/", hall.kiosk, name="hall_kiosk"),
    path("hall/kiosk/tickets/<int:ticket_id>/", hall.ticket_slip, name="hall_ticket"),
    path("reports/<int:report_id>/<slug:fmt>/", reports.report_file, name="report_file"),
    # The efficiency office (效能监察).
    path("supervision/", sv.board, name="supervision_board"),
    path("supervision/cases/", sv.drill_down, name="supervision_cases"),
    path("supervision/urge/<slug:kind>/<int:target_id>/", sv.urge, name="supervision_urge"),
    path("supervision/urgings/", sv.urging_list, name="supervision_urgings"),
    path("supervision/urgings/<int:pk>/", sv.urging_detail, name="supervision_urging"),
    path("supervision/urgings/<int:pk>/<slug:action>/", sv.urging_action, name="supervision_urging_action"),
    path("supervision/denials/", sv.denials, name="supervision_denials"),
    path("supervision/denials/<int:pk>/review/", sv.review_denial, name="supervision_review_denial"),
    path("supervision/inspections/", sv.inspection_list, name="supervision_inspections"),
    path("supervision/inspections/new/", sv.inspection_new, name="supervision_inspection_new"),
    path("supervision/inspections/<int:pk>/", sv.inspection_detail, name="supervision_inspection"),
    path("supervision/inspections/<int:pk>/notice/", sv.issue_notice, name="supervision_issue_notice"),
    path("supervision/inspections/<int:pk>/notice.pdf", sv.notice_pdf, name="supervision_notice_pdf"),
    path("supervision/inspections/<int:pk>/photos/<int:photo_id>/", sv.inspection_photo,
         name="supervision_inspection_photo"),
    path("supervision/rectifications/<int:pk>/<slug:action>/", sv.rectification_action,
         name="supervision_rectification_action"),
    path("supervision/accountability/", sv.accountability, name="supervision_accountability"),
]
