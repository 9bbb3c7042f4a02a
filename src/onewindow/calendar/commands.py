"""`onewindow workdays …`: the working-day calendar from the console.

    onewindow workdays add 2026-09-30 5        due date of a 5-working-day limit accepted on that day
    onewindow workdays between 2026-09-30 2026-10-12
    onewindow workdays status                  every year: official or provisional, source, version
    onewindow workdays show 2026               the year's days off and make-up working days
    onewindow workdays import FILE             a year's schedule from YAML or CSV (format: workdays import --help)

Bad input prints one line on stderr and exits with status 2. An answer touching a year without an
official schedule is printed with a warning line on stderr: it is provisional.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from onewindow.core.errors import ValidationError

IMPORT_HELP = """\
Import one year's holiday schedule (the State Council General Office's yearly notice) from a file,
replacing that year's rows and taking a new calendar version; then provisional deadlines are
recomputed. Importing the same file twice changes nothing.

YAML (.yaml/.yml), see src/onewindow/calendar/examples/2027.yaml (an EXAMPLE, not official dates):
  year: 2027
  official: true            # false = a provisional schedule
  source_notice: 国务院办公厅关于2027年部分节假日安排的通知
  announced_on: 2026-11-10  # optional
  holidays:                 # 放假: {name, from, to} (both included), {name, date} or {name, dates: [...]}
    - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
  makeup_workdays:          # 调休上班: Saturdays or Sundays only
    - {name: 春节, dates: [2027-02-20]}

CSV (.csv, UTF-8): header date,kind,name; kind = holiday|放假 or makeup_workday|调休上班|上班;
optional leading lines '# year: 2027', '# official: true', '# source_notice: …', '# announced_on: …'.
"""


def _warn_if_provisional(start: date, end: date) -> None:
    from . import selectors

    years = selectors.provisional_years(start, end)
    if years:
        print(f"警告 warning: {selectors.provisional_warning(years)} / no official schedule yet for "
              f"{', '.join(map(str, years))}: the result is provisional", file=sys.stderr)


def cmd_add(args) -> None:
    from . import inputs, selectors

    start = inputs.parse_day(args.date, field="date")
    days = inputs.parse_limit(args.days, field="days")
    deadline = inputs.add(start, days)
    print(f"{deadline.due_on.isoformat()} {selectors.weekday_zh(deadline.due_on)}")
    if deadline.provisional:
        _warn_if_provisional(start, deadline.due_on)


def cmd_between(args) -> None:
    from . import inputs

    start = inputs.parse_day(args.start, field="start")
    end = inputs.parse_day(args.end, field="end")
    span = inputs.between(start, end)
    print(span.working_days)
    if span.provisional:
        _warn_if_provisional(start, end)


def _parse_year(value: str, today: date | None = None) -> int:
    from . import inputs

    first, last = inputs.calendar_range(today)
    text = value.strip()
    if not text.isdigit() or not first.year <= int(text) <= last.year:
        raise ValidationError(f"年份 {value} 无效：应在 {first.year} 至 {last.year} 之间", field="year")
    return int(text)


def _parse_today(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"--today {value}: 不是有效日期 (YYYY-MM-DD)", field="today") from None


def cmd_status(args) -> None:
    from . import selectors

    today = _parse_today(args.today)
    labels = {"official": "正式 official", "provisional": "暂定 provisional", "missing": "暂定 provisional*"}
    print("年份  状态                版本  放假 调休  来源")
    for s in selectors.year_summaries(today=today):
        version = f"v{s.version}" if s.version is not None else "-"
        source = s.source_notice or ("* 尚无国务院正式安排，按法定节假日和周末计算 / not announced: "
                                     "statutory holidays and weekends")
        print(f"{s.year}  {labels[s.status]:<18}  {version:>4}  {s.holidays:>4} {s.makeup_workdays:>4}  {source}")
    print(f"当前日历版本 calendar version: {selectors.current_version()}")
    warning = selectors.missing_next_year_warning(today=today)
    if warning:
        print(f"警告 warning: {warning}")


def cmd_show(args) -> None:
    from . import selectors
    from .models import CalendarYear, DayKind

    year = _parse_year(args.year)
    row = CalendarYear.objects.filter(year=year).first()
    if row is None:
        print(f"{year} 年：暂定 provisional — 尚无国务院正式安排，以下为法定节假日（周末另计）")
    else:
        print(f"{year} 年：{row.get_status_display()} v{row.version} {row.source_notice}".rstrip())
    kinds = {DayKind.HOLIDAY.value: "放假", DayKind.MAKEUP_WORKDAY.value: "调休上班"}
    for day, kind, name in selectors.days_of_year(year):
        print(f"{day.isoformat()} {selectors.weekday_zh(day)} {kinds[kind]} {name}".rstrip())


def cmd_import(args) -> None:
    from . import schedule_file, services

    data = schedule_file.read_schedule(args.file)
    if args.dry_run:
        rows = services.validate_year(year=data["year"], days=data["days"], source_notice=data["source_notice"],
                                      official=data["official"])
        print(f"文件有效 file is valid: {data['year']} 年 {len(rows)} 天（未写入 nothing written）")
        return
    result = services.import_year(**data)
    year = result.calendar_year
    if not result.changed:
        print(f"{year.year} 年安排未变化，日历版本仍为 {year.version} / unchanged, calendar version {year.version}")
        return
    counts = {k: 0 for k in ("holiday", "makeup_workday")}
    for kind in year.days.values_list("kind", flat=True):
        counts[kind] += 1
    print(f"已导入 {year.year} 年{year.get_status_display()}：放假 {counts['holiday']} 天，调休上班 "
          f"{counts['makeup_workday']} 天，日历版本 {year.version} / imported {year.year}, "
          f"calendar version {year.version}")
    for line in services.run_change_followups(version=year.version):
        print(line)


def register(sub):
    p = sub.add_parser("workdays", help="working-day calendar: due dates, counts, holiday schedules",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="workdays_command", metavar="ACTION", required=True)

    a = actions.add_parser("add", help="due date of an N-working-day limit accepted on DATE",
                           description="Counting starts the day after DATE, skips weekends and official "
                           "holidays and counts make-up working days (调休). N = 0: the same day.")
    a.add_argument("date", metavar="DATE", help="acceptance date, YYYY-MM-DD")
    a.add_argument("days", metavar="N", help="working days, 0-250")
    a.set_defaults(func=cmd_add)

    b = actions.add_parser("between", help="working days after A up to and including B",
                           description="Working days after A up to and including B (negative when B is "
                           "before A).")
    b.add_argument("start", metavar="A", help="YYYY-MM-DD")
    b.add_argument("end", metavar="B", help="YYYY-MM-DD")
    b.set_defaults(func=cmd_between)

    i = actions.add_parser("import", help="import a year's schedule from a YAML or CSV file",
                           description=IMPORT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    i.add_argument("file", metavar="FILE", help="a .yaml/.yml or .csv file")
    i.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    i.set_defaults(func=cmd_import)

    s = actions.add_parser("status", help="each year: official or provisional, source and version")
    s.add_argument("--today", metavar="DATE", help="judge the December warning as of DATE (default today)")
    s.set_defaults(func=cmd_status)

    w = actions.add_parser("show", help="a year's days off and make-up working days")
    w.add_argument("year", metavar="YEAR")
    w.set_defaults(func=cmd_show)
