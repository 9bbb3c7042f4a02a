"""What `onewindow init` and `onewindow demo` do, as plain functions (also used by tests).

init is idempotent: the schema is migrated, then the official calendar, the sample organisations and
the sample catalog are upserted by their natural keys, so a second run changes nothing.
"""

from __future__ import annotations

from django.core.management import call_command
from django.db import transaction

DEMO_PASSWORD = "demo-pass-2026"
# (username, what the account is for) — printed by `onewindow demo`.
DEMO_ACCOUNTS = [
    ("admin", "管理员 administrator (also /admin/)"),
    ("clerk", "综合窗口受理人员 window clerk"),
    ("approver.scj", "市场监管局审批人员 department approver"),
    ("chief.scj", "市场监管局首席代表 chief representative"),
    ("approver.gaj", "公安局审批人员 department approver"),
    ("approver.zrzy", "自然资源局审批人员 department approver"),
    ("approver.<部门>", "every other department: approver.zjj, approver.rsj, approver.swj, …"),
    ("agent", "代办员 agent"),
    ("supervisor", "效能办 supervisor"),
    ("zhangsan", "申请人（个人） applicant, person"),
    ("qiye", "申请人（企业） applicant, enterprise"),
]


def init(*, with_sample_catalog: bool = True, verbose: bool = False) -> list[str]:
    from onewindow.calendar import services as calendar_services

    report: list[str] = []
    call_command("migrate", interactive=False, verbosity=0)
    # The database cache (throttles, sign-in lockout) shared by several app servers; a no-op for
    # other cache backends.
    call_command("createcachetable", verbosity=0)
    report.append("数据库已就绪 database schema is up to date")
    with transaction.atomic():
        seeded = calendar_services.seed_official_calendar()
    report.append(f"工作日历 calendar: {seeded}")
    if with_sample_catalog:
        from onewindow.catalog import sample as catalog_sample
        from onewindow.orgs import sample as orgs_sample

        with transaction.atomic():
            report.append(f"机构 organisations: {orgs_sample.load_sample_orgs()}")
            report.append(f"事项目录 catalog: {catalog_sample.load_sample_catalog()}")
    return report


def load_demo(*, history_size: int = 3000) -> list[str]:
    from onewindow.catalog import sample as catalog_sample
    from onewindow.orgs import sample as orgs_sample

    report = [f"演示账号 demo accounts: {orgs_sample.ensure_demo_accounts(password=DEMO_PASSWORD)}",
              f"首席代表授权 delegations: {catalog_sample.ensure_demo_delegations()}"]
    from onewindow.hall import sample as hall_sample

    report.append(f"大厅 hall: {hall_sample.load_sample_halls()}")
    from onewindow.complaints import demo as complaints_demo

    report.append(f"诉求工单 work orders: {complaints_demo.load_sample_orders()}")
    try:
        from onewindow.history import generator as history
    except ImportError:  # the sample history is not installed in this build
        return report
    report.append(f"样例办件 sample history: {history.ensure_history(size=history_size)}")
    from onewindow.ratings import sample as ratings_sample

    report.append(f"好差评 ratings: {ratings_sample.load_sample_ratings()}")
    report.append(f"社会评议 public appraisal: {ratings_sample.load_sample_survey()}")

    from onewindow.supervision import sample as supervision_sample

    report.append(f"效能监察 supervision: {supervision_sample.load_sample_supervision()}")

    # After the history (which is generated only while there are no cases): the projects' own cases.
    from onewindow.projects import sample as project_sample

    report.append(f"工程建设项目 projects: {project_sample.load_sample_projects()}")
    try:
        from onewindow.jobs import services as jobs
        from onewindow.notify import services as notify
    except ImportError:  # background jobs are not installed in this build
        return report
    # What the worker would have done by now, so the messages, dashboard and reports pages show data
    # without a broker: the applicants' messages, today's check and last month's reports.
    dispatched = notify.dispatch().as_dict()
    delivered, failed = notify.deliver(limit=100_000)  # the rest of the backlog: no worker runs in the demo
    dispatched.update(delivered=dispatched["delivered"] + delivered, failed=dispatched["failed"] + failed)
    report.append(f"申请人消息 notifications: {dispatched}")
    report.append(f"每日检查 daily check: {jobs.daily_check().as_dict()}")
    report.append(f"月度报表 monthly reports: {jobs.build_reports().as_dict()}")
    return report
