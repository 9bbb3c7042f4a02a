"""The efficiency office's sample work for the demo, on the sample history: breach policies for a few
items, urgings of the oldest overdue cases (one answered by its unit), reviews of the latest filed
refusals and denials, an unannounced inspection at the county centre with its circulated notice and two
rectifications (one reported), an accountability record from it, and today's daily check. Through the
services, so everything is on the record; a second run adds nothing."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from onewindow.orgs.models import Role, StaffRole, Window

from . import breaches, casefacts, selectors, services
from .models import BreachPolicy, EscalationLevel, Inspection, MissedPromise, ReviewVerdict


def _user(role: str, department_id: int | None = None):
    rows = StaffRole.objects.filter(role=role).select_related("user").order_by("id")
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    row = rows.first()
    return row.user if row else None


def load_sample_supervision() -> str:
    office = _user(Role.SUPERVISOR)
    if office is None:
        return "no supervisor account: skipped"
    if Inspection.objects.exists():
        return "already loaded"
    now = timezone.now()
    today = timezone.localdate(now)
    red = list(casefacts.cases_with_light(casefacts.open_cases(), today=today)
               .filter(Q(board_light="red")).select_related("item").order_by("due_on", "id")[:40])
    items = []
    for case in red:
        if case.item_id not in items:
            items.append(case.item_id)
    for n, item_id in enumerate(items[:4]):
        BreachPolicy.objects.get_or_create(item_id=item_id, defaults={
            "escalate_to": [EscalationLevel.DEPARTMENT_HEAD, EscalationLevel.CENTRE,
                            EscalationLevel.EFFICIENCY_OFFICE, EscalationLevel.GOVERNMENT][n],
            "escalate_after_days": n, "missed_promise": MissedPromise.WITHDRAWN if n == 0 else MissedPromise.NONE})
    urged = 0
    for case in red[:4]:
        urging = services.urge(actor=office, target_kind="case", target_id=case.pk, answer_days=2,
                               requirement="该件已超期，请即查明原因、加快办理，两个工作日内书面答复。",
                               now=now - timedelta(days=3 - urged % 3))
        urged += 1
        unit = _user(Role.APPROVER, urging.department_id)
        if urged == 1 and unit is not None:
            services.answer_urging(actor=unit, urging=urging, now=now - timedelta(days=1),
                                   answer="已组织专人办理，现场核查已完成，预计两个工作日内作出决定。")
    reviewed = 0
    for filing in selectors.denial_filings(status="pending")[:3]:
        verdict = [ReviewVerdict.UPHELD, ReviewVerdict.QUESTIONED, ReviewVerdict.UPHELD][reviewed]
        services.review_denial(actor=office, filing_id=filing.pk, verdict=verdict,
                               opinion="" if verdict == ReviewVerdict.UPHELD else "理由过于笼统，请补充说明所依据的条款。")
        reviewed += 1
    window = Window.objects.filter(centre__code="DX01").order_by("number").first()
    department = red[0].item.department if red else None
    if window is None or department is None:
        return f"urgings {urged}, reviews {reviewed}"
    inspection = services.record_inspection(
        actor=office, kind="unannounced", visited_at=now - timedelta(days=2, hours=3), window_id=window.pk,
        inspectors="梁洁、韦海峰（效能办）",
        findings="1. 上午 10:05 至 10:30 窗口无人值守，未放置暂停服务提示牌；\n"
                 "2. 一名申请人反映补正告知未一次性告知全部材料，已两次往返；\n"
                 "3. 叫号屏与窗口实际办理顺序不一致。", department_id=department.pk, now=now - timedelta(days=2))
    services.issue_notice(actor=office, inspection=inspection, now=now - timedelta(days=2, hours=-2),
                          text="效能办于近日对政务服务中心综合窗口开展暗访，发现以下问题，现予通报，"
                               "请相关单位立查立改，按期报送整改情况。\n" + inspection.findings,
                          rectifications=[
                              {"department_id": department.pk, "finding": "窗口无人值守、未放置提示牌",
                               "requirement": "落实 AB 岗和离岗提示制度，报送近一周考勤记录", "days": 3},
                              {"department_id": department.pk, "finding": "补正未一次性告知",
                               "requirement": "对窗口人员开展一次性告知制度培训，报送培训签到表", "days": 5}])
    first = inspection.rectifications.order_by("id").first()
    unit = _user(Role.APPROVER, department.pk)
    if first is not None and unit is not None:
        services.report_rectification(actor=unit, rectification=first, now=now - timedelta(hours=5),
                                      report="已落实 AB 岗制度，离岗一律放置提示牌，附近一周考勤记录。")
    services.record_accountability(
        actor=office, department_id=department.pk, official_name="黄某（窗口工作人员）", grounds="inspection",
        measure="efficiency_warning", facts="暗访发现工作时间擅自离岗 25 分钟，未放置提示牌，影响群众办事。",
        decided_on=today - timedelta(days=1), inspection_id=inspection.pk, now=now - timedelta(hours=4))
    figures = breaches.run_daily_check(day=today, now=now)
    return (f"urgings {urged}, reviews {reviewed}, inspection with notice {inspection.pk}, "
            f"breaches {figures.get('escalated', 0)} escalated")
