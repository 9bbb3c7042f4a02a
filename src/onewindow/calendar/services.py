"""Writes to the working-day calendar: seeding the State Council schedules shipped with the
`chinesecalendar` package, and an administrator's import or edit of one year.

Every change gets a new global calendar version (previous maximum + 1), is recorded on the audit
trail (chain "calendar") and drops the cached index. Deadlines computed earlier keep the version they
were computed with; provisional ones are recomputed by the caller through `run_change_followups`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationError
from onewindow.orgs.models import User

from . import selectors
from .models import CalendarDay, CalendarYear, DayKind, YearOrigin, YearStatus

# chinesecalendar names its holidays in English; we show the names the notices use.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

# Facts missing from the package, each with its source. 国办发明电〔2005〕35号 (the 2006 schedule):
# "12月31日（星期六）上班" — a 2005 date announced by the 2006 notice, absent from chinesecalendar 1.11
# and present in `holidays` (see tests/calendar/test_cross_check.py).
SEED_CORRECTIONS: dict[date, tuple[str, str]] = {
    date(2005, 12, 31): (DayKind.MAKEUP_WORKDAY.value, "元旦"),
}


def notice_title(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知"


class ImportResult(NamedTuple):
    calendar_year: CalendarYear
    changed: bool  # False: the year already had exactly this schedule, nothing was written


def _next_version() -> int:
    # Lock the year rows so two concurrent imports do not take the same version number.
    versions = list(CalendarYear.objects.select_for_update().values_list("version", flat=True))
    return max(versions, default=0) + 1


def validate_year(*, year: object, days: Iterable[Any], source_notice: str, official: bool,
                  today: date | None = None) -> list[tuple[date, str, str]]:
    """Check one year's schedule, as read from a file or a form (hence rows of any shape); return it as
    sorted (date, kind, name) tuples or raise ValidationError naming the field and the reason. Rules: every date lies in `year` and appears once;
    a make-up working day (调休上班) is a Saturday or Sunday (a weekday is a working day already); a
    day off may be any day of its holiday period; an official schedule names its notice and has at least
    one day off."""
    today = today or date.today()
    last_year = today.year + selectors.YEARS_AHEAD
    if not isinstance(year, int) or isinstance(year, bool) or not (selectors.FIRST_DAY.year <= year <= last_year):
        raise ValidationError(_("年份 %(year)s 超出范围：应在 %(first)s 至 %(last)s 之间") % {
            "year": year, "first": selectors.FIRST_DAY.year, "last": last_year}, field="year")
    source_notice = (source_notice or "").strip()
    if official and not source_notice:
        raise ValidationError(_("正式安排必须注明来源通知（如：国务院办公厅关于%(year)s年部分节假日安排的通知）")
                              % {"year": year}, field="source_notice")
    if len(source_notice) > 200:
        raise ValidationError(_("来源通知过长（最多 200 字）"), field="source_notice")
    seen: set[date] = set()
    result: list[tuple[date, str, str]] = []
    kinds = {k.value for k in DayKind}
    for i, entry in enumerate(days):
        try:
            day, kind, name = entry
        except (TypeError, ValueError):
            raise ValidationError(_("第 %(n)s 项应为（日期, 类别, 名称）") % {"n": i + 1}, field=f"days[{i}]") from None
        if not isinstance(day, date) or hasattr(day, "hour"):
            raise ValidationError(_("第 %(n)s 项的日期无效：%(value)s") % {"n": i + 1, "value": day},
                                  field=f"days[{i}].date")
        if kind not in kinds:
            raise ValidationError(_("%(day)s 的类别无效：%(kind)s（应为 holiday 放假 或 makeup_workday 调休上班）")
                                  % {"day": day.isoformat(), "kind": kind}, field=f"days[{i}].kind")
        name = (name or "").strip()
        if len(name) > 40:
            raise ValidationError(_("%(day)s 的节日名称过长（最多 40 字）") % {"day": day.isoformat()},
                                  field=f"days[{i}].name")
        if day.year != year:
            raise ValidationError(_("%(day)s 不在 %(year)s 年内") % {"day": day.isoformat(), "year": year},
                                  field=f"days[{i}].date")
        if day in seen:
            raise ValidationError(_("%(day)s 重复出现") % {"day": day.isoformat()}, field=f"days[{i}].date")
        seen.add(day)
        if kind == DayKind.MAKEUP_WORKDAY and day.weekday() < 5:
            raise ValidationError(
                _("%(day)s 是%(weekday)s，本来就是工作日：调休上班日只能是星期六或星期日")
                % {"day": day.isoformat(), "weekday": selectors.weekday_zh(day)}, field=f"days[{i}].kind")
        result.append((day, str(kind), name))
    if official and not any(kind == DayKind.HOLIDAY for _day, kind, _name in result):
        raise ValidationError(_("正式安排至少应包含一个放假日"), field="days")
    result.sort()
    return result


@transaction.atomic
def import_year(*, year: int, days: list[tuple[date, str, str]], source_notice: str,
                announced_on: date | None = None, official: bool = True, actor: User | None = None,
                origin: str = YearOrigin.IMPORT, today: date | None = None) -> ImportResult:
    """Enter or replace one year's holiday schedule (the State Council General Office's yearly notice,
    or a provisional one). Replaces all that year's rows and takes a new calendar version; importing
    exactly what is already there changes nothing. Invalid input raises ValidationError and writes
    nothing. Deadlines count working days excluding statutory holidays (Administrative Licensing Law,
    Art. 82), so the caller must then run `run_change_followups`."""
    rows = validate_year(year=year, days=days, source_notice=source_notice, official=official, today=today)
    if announced_on is not None and (not isinstance(announced_on, date) or hasattr(announced_on, "hour")):
        raise ValidationError(_("发布日期无效：%(value)s") % {"value": announced_on}, field="announced_on")
    status = YearStatus.OFFICIAL if official else YearStatus.PROVISIONAL
    source_notice = source_notice.strip()
    version = _next_version()
    existing = CalendarYear.objects.filter(year=year).first()
    if existing is not None:
        old_rows = sorted(existing.days.values_list("date", "kind", "name"))
        if (old_rows == rows and existing.status == status and existing.source_notice == source_notice
                and existing.announced_on == announced_on):
            return ImportResult(existing, False)
        existing.days.all().delete()
        existing.status, existing.source_notice, existing.announced_on = status, source_notice, announced_on
        existing.version, existing.origin = version, origin
        existing.save()
        calendar_year = existing
    else:
        calendar_year = CalendarYear.objects.create(year=year, status=status, source_notice=source_notice,
                                                    announced_on=announced_on, version=version, origin=origin)
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=day, year=calendar_year, kind=kind, name=name) for day, kind, name in rows])
    from onewindow.audit import services as audit

    audit.record(
        chain_key="calendar", action="onewindow.calendar.year_imported", actor=actor,
        from_state=existing_status_label(existing), to_state=status,
        data={"year": year, "version": version, "source_notice": source_notice, "origin": str(origin),
              "holidays": sum(1 for r in rows if r[1] == DayKind.HOLIDAY),
              "makeup_workdays": sum(1 for r in rows if r[1] == DayKind.MAKEUP_WORKDAY)},
    )
    transaction.on_commit(selectors.invalidate)
    selectors.invalidate()
    return ImportResult(calendar_year, True)


def run_change_followups(*, version: int) -> list[str]:
    """After a year's schedule changed (`import_year` returned changed=True): run what the apps above
    the calendar must redo, e.g. recompute the provisional deadlines of cases. The calendar imports
    none of them: settings.CALENDAR_CHANGE_FOLLOWUPS names them (dotted paths of functions taking
    `version=` and returning lines for the operator), wired at the composition root (onewindow.ops).
    Returns those lines, in order."""
    lines: list[str] = []
    for path in settings.CALENDAR_CHANGE_FOLLOWUPS:
        followup: Callable[..., list[str]] = import_string(path)
        lines.extend(followup(version=version))
    return lines


def existing_status_label(existing: CalendarYear | None) -> str:
    return "missing" if existing is None else existing.status


def package_schedule() -> dict[int, dict[date, tuple[str, str]]]:
    """The schedules in the installed chinesecalendar package, by year (a year counts as official in the
    package when it has entries), with SEED_CORRECTIONS applied."""
    import chinese_calendar

    by_year: dict[int, dict[date, tuple[str, str]]] = defaultdict(dict)
    for day, name in chinese_calendar.holidays.items():
        by_year[day.year][day] = (DayKind.HOLIDAY.value, HOLIDAY_NAMES_ZH.get(name, name))
    for day, name in chinese_calendar.workdays.items():
        by_year[day.year][day] = (DayKind.MAKEUP_WORKDAY.value, HOLIDAY_NAMES_ZH.get(name, name))
    for day, entry in SEED_CORRECTIONS.items():
        if day.year in by_year:
            by_year[day.year][day] = entry
    return dict(by_year)


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chinesecalendar")
    except PackageNotFoundError:  # pragma: no cover
        return "?"


@transaction.atomic
def seed_official_calendar() -> str:
    """Upsert every year the chinesecalendar package carries (the State Council General Office's
    yearly notices since 2004) as official. Idempotent: a year already holding exactly the package's
    data is left alone, and a year an administrator entered or imported is never overwritten (unless it
    is only provisional). One run that changes anything takes one new calendar version."""
    schedule = package_schedule()
    existing = {y.year: y for y in CalendarYear.objects.select_for_update()}
    rows_by_year: dict[int, list[tuple[date, str, str]]] = defaultdict(list)
    for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name"):
        rows_by_year[day.year].append((day, kind, name))
    to_write, kept = [], []
    for year in sorted(schedule):
        wanted = sorted((day, kind, name) for day, (kind, name) in schedule[year].items())
        y = existing.get(year)
        if y is None:
            to_write.append(year)
        elif y.status == YearStatus.PROVISIONAL:
            to_write.append(year)
        elif y.origin == YearOrigin.PACKAGE:
            if sorted(rows_by_year.get(year, [])) != wanted or y.source_notice != notice_title(year):
                to_write.append(year)
        else:
            kept.append(year)
    span = f"{min(schedule)}–{max(schedule)}" if schedule else "-"
    package = f"chinesecalendar {package_version()}"
    if not to_write:
        version = max((y.version for y in existing.values()), default=0)
        note = _("，保留管理员录入的 %(n)s 年") % {"n": len(kept)} if kept else ""
        return _("%(n)s 年正式安排已是最新（%(span)s，%(package)s%(note)s），日历版本 %(version)s "
                 "/ %(n)s official years up to date, calendar version %(version)s") % {
            "n": len(schedule), "span": span, "package": package, "note": note, "version": version}
    version = max((y.version for y in existing.values()), default=0) + 1
    CalendarDay.objects.filter(year__year__in=to_write).delete()
    updates, creates = [], []
    for year in to_write:
        y = existing.get(year)
        if y is None:
            creates.append(CalendarYear(year=year, status=YearStatus.OFFICIAL, source_notice=notice_title(year),
                                        version=version, origin=YearOrigin.PACKAGE))
        else:
            y.status, y.source_notice, y.version, y.origin = (YearStatus.OFFICIAL, notice_title(year), version,
                                                              YearOrigin.PACKAGE)
            updates.append(y)
    CalendarYear.objects.bulk_create(creates)
    if updates:
        CalendarYear.objects.bulk_update(updates, ["status", "source_notice", "version", "origin"])
    ids = dict(CalendarYear.objects.filter(year__in=to_write).values_list("year", "id"))
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=day, year_id=ids[year], kind=kind, name=name)
         for year in to_write for day, (kind, name) in sorted(schedule[year].items())],
        batch_size=500,
    )
    from onewindow.audit import services as audit

    audit.record(chain_key="calendar", action="onewindow.calendar.seeded", to_state=YearStatus.OFFICIAL,
                 actor_label="onewindow init", data={"years": to_write, "version": version, "package": package})
    transaction.on_commit(selectors.invalidate)
    selectors.invalidate()
    return _("写入 %(n)s 年正式安排（%(span)s，%(package)s），日历版本 %(version)s "
             "/ %(n)s official years written, calendar version %(version)s") % {
        "n": len(to_write), "span": span, "package": package, "version": version}


def max_version() -> int:
    return CalendarYear.objects.aggregate(v=Max("version"))["v"] or 0
