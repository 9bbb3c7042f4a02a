"""The daily check and the monthly reports. Both are safe to run again: the daily check replaces the
day's rows (one per department, unique), a report replaces its month's files (one per centre and
month, unique), so a retried or repeated task leaves exactly what one run leaves."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onewindow.calendar import selectors as calendar
from onewindow.cases import deadlines
from onewindow.cases import stats as case_stats
from onewindow.core.dbrouter import reads_from_replica
from onewindow.core.errors import NotFound, ValidationError
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import ServiceCentre

from . import report_files
from .models import DailySnapshot, Report, ReportKind

logger = logging.getLogger("onewindow.jobs")

COUNT_FIELDS = ("open_tasks", "warning_tasks", "overdue_tasks", "paused_tasks")
FIGURES = ("received", "concluded", "on_time", "overdue")


@dataclass
class CheckReport:
    day: date
    skipped: bool = False
    departments: int = 0
    open_tasks: int = 0
    warning_tasks: int = 0
    overdue_tasks: int = 0

    def as_dict(self) -> dict:
        return {"day": self.day.isoformat(), "skipped": self.skipped, "departments": self.departments,
                "open_tasks": self.open_tasks, "warning_tasks": self.warning_tasks,
                "overdue_tasks": self.overdue_tasks}


def daily_check(*, day: date | None = None, now: datetime | None = None, force: bool = False) -> CheckReport:
    """Count each department's open tasks, those close to their limit (the stage's yellow light:
    ONEWINDOW_YELLOW_DAYS / ONEWINDOW_YELLOW_SHARE of its limit left) and those overdue (red), from the
    stages' stored clock dates (cases/deadlines.py), and keep one row per department for `day` (default: today). Days off are
    skipped (no clock runs) unless `force`. The counts are of the tasks as they stand now."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    if not force and not calendar.is_workday(day):
        return CheckReport(day=day, skipped=True)
    # Kept on the row for reference: the end of the minimum yellow window (the share may widen it).
    warning_until = calendar.add_working_days(day, deadlines.yellow_days()).due_on
    counts = case_stats.department_task_counts(day=day)
    department_ids = sorted(set(org_selectors.active_department_ids()) | set(counts))
    zero = dict.fromkeys(COUNT_FIELDS, 0)
    rows = [DailySnapshot(day=day, department_id=pk, warning_until=warning_until, computed_at=now,
                          **counts.get(pk, zero)) for pk in department_ids]
    with transaction.atomic():
        DailySnapshot.objects.filter(day=day).exclude(department_id__in=department_ids).delete()
        DailySnapshot.objects.bulk_create(rows, update_conflicts=True, unique_fields=["day", "department"],
                                          update_fields=[*COUNT_FIELDS, "warning_until", "computed_at"])
    report = CheckReport(day=day, departments=len(rows))
    for row in counts.values():
        report.open_tasks += row["open_tasks"]
        report.warning_tasks += row["warning_tasks"]
        report.overdue_tasks += row["overdue_tasks"]
    return report


# -- monthly reports -----------------------------------------------------------------------------------

def parse_period(value: str | date | None, *, today: date | None = None) -> date:
    """`2026-10` (or a date in the month) → the month's first day; None → the month before `today`.
    A month that has not begun is refused."""
    today = today or timezone.localdate()
    if value is None:
        return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    if isinstance(value, date):
        first = value.replace(day=1)
    else:
        try:
            first = date.fromisoformat(f"{str(value).strip()[:7]}-01")
        except ValueError:
            raise ValidationError(_("月份格式应为 YYYY-MM，如 2026-10"), field="period") from None
    if first > today:
        raise ValidationError(_("%(m)s 尚未开始，不能生成报表") % {"m": f"{first:%Y-%m}"}, field="period")
    return first


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def _with_total(rows: list[dict]) -> list[dict]:
    total = {"department_id": None, "department": _("合计")}
    total.update({key: sum(row[key] for row in rows) for key in FIGURES})
    return [*rows, total]


def _save(folder: str, extension: str, content: bytes) -> str:
    return default_storage.save(f"{folder}/{uuid.uuid4().hex}{extension}", ContentFile(content))


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            try:
                default_storage.delete(name)
            except OSError:  # already gone: nothing to clean
                logger.warning("report file %s could not be removed", name)


def build_report(*, centre: ServiceCentre, period: str | date, now: datetime | None = None) -> Report:
    """The centre's figures for the month `period`, by department, written as a CSV and a PDF under
    MEDIA_ROOT/reports/ with generated names. Built again, the month's report is replaced (its old
    files removed once the new row is committed)."""
    now = now or timezone.now()
    first = parse_period(period, today=timezone.localdate(now))
    return _write_report(centre=centre, first=first, rows=_with_total(_figures(centre, first)), now=now)


def _figures(centre: ServiceCentre, first: date) -> list[dict]:
    # A month that has ended reads the same on the replica a second behind (ONEWINDOW_REPLICA_DATABASE_URL).
    with reads_from_replica():
        return case_stats.monthly_case_figures(centre_id=centre.pk, first_day=first, next_first_day=_next_month(first))


def _write_report(*, centre: ServiceCentre, first: date, rows: list[dict], now: datetime) -> Report:
    with translation.override(settings.LANGUAGE_CODE):
        csv_bytes = report_files.render_csv(centre_name=centre.name, period=first, rows=rows)
        pdf_bytes = report_files.render_pdf(centre_name=centre.name, period=first, rows=rows, created_at=now)
    folder = f"reports/{first:%Y/%m}"
    new_files = [_save(folder, ".csv", csv_bytes), _save(folder, ".pdf", pdf_bytes)]
    try:
        with transaction.atomic():
            old = (Report.objects.select_for_update().filter(centre=centre, kind=ReportKind.MONTHLY, period=first)
                   .values_list("csv_file", "pdf_file").first())
            report, _created = Report.objects.update_or_create(
                centre=centre, kind=ReportKind.MONTHLY, period=first,
                defaults={"rows": rows, "csv_file": new_files[0], "pdf_file": new_files[1], "created_at": now})
            if old:
                transaction.on_commit(lambda: _delete_files(list(old)))
    except BaseException:
        _delete_files(new_files)
        raise
    return report


@dataclass
class ReportRun:
    period: date
    built: list[int] = field(default_factory=list)
    skipped: int = 0

    def as_dict(self) -> dict:
        return {"period": f"{self.period:%Y-%m}", "reports": self.built, "skipped_centres": self.skipped}


def build_reports(*, period: str | date | None = None, centre_code: str | None = None,
                  now: datetime | None = None) -> ReportRun:
    """Build the month's report of one centre (by code) or of every centre that had cases to count
    (a centre with no case received, concluded or overdue that month gets no empty report)."""
    now = now or timezone.now()
    first = parse_period(period, today=timezone.localdate(now))
    if centre_code:
        centre = org_selectors.centre_by_code(centre_code)
        if centre is None:
            raise NotFound(_("没有编码为 %(c)s 的中心") % {"c": centre_code}, field="centre")
        centres = [centre]
    else:
        centres = org_selectors.centres()
    run = ReportRun(period=first)
    for centre in centres:
        figures = _figures(centre, first)
        if not figures and not centre_code:
            run.skipped += 1
            continue
        run.built.append(_write_report(centre=centre, first=first, rows=_with_total(figures), now=now).pk)
    return run
