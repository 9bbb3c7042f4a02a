"""`onewindow supervision …`: the efficiency office from the console.

- `check [--day DAY]`: the daily check (breach policies) for a day, today by default; the same day
  twice does nothing the second time;
- `board [--by centre|department|item] [--day DAY]`: the open cases' counts by light;
- `figures --from DAY --to DAY`: per department, urgings, inspection findings and accountability
  records (what the appraisal reads);
- `forecast [--limit N]`: the green cases most likely to run late, and the forecast's precision and
  recall on the history.
Bad input exits 2 with one line and changes nothing."""

from __future__ import annotations

import json
from datetime import date

from onewindow.core.errors import CommandFailed


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandFailed(f"not a date (YYYY-MM-DD): {value!r}") from None


def cmd_check(args) -> None:
    from . import breaches

    figures = breaches.run_daily_check(day=_day(args.day))
    print(json.dumps(figures, ensure_ascii=False, sort_keys=True))


def cmd_board(args) -> None:
    from django.utils import timezone

    from . import selectors

    today = _day(args.day) or timezone.localdate()
    print(f"{'':40} green yellow    red paused")
    for row in selectors.counts_by(args.by, today=today):
        print(f"{row['name'][:38]:40} {row['green']:5} {row['yellow']:6} {row['red']:6} {row['paused']:6}")


def cmd_figures(args) -> None:
    from onewindow.orgs.models import Department

    from . import selectors

    start, end = _day(args.start), _day(args.end)
    assert start is not None and end is not None
    if end < start:
        raise CommandFailed("--to is before --from")
    figures = selectors.appraisal_figures(start=start, end=end)
    names = dict(Department.objects.filter(pk__in=list(figures)).values_list("pk", "name"))
    for department_id, row in sorted(figures.items()):
        print(f"{names.get(department_id, department_id)}\turgings={row['urgings']}\t"
              f"inspection_findings={row['inspection_findings']}\taccountability_records={row['accountability_records']}")


def cmd_forecast(args) -> None:
    from django.utils import timezone

    from . import forecast

    today = timezone.localdate()
    for row in forecast.at_risk(today=today, limit=args.limit):
        print(f"{row.number}\t{row.department}\t{row.score:.2f}\t{row.why}")
    quality = forecast.measure(today=today)
    print(json.dumps(quality.as_dict(), ensure_ascii=False))


def register(sub):
    parser = sub.add_parser("supervision", help="the efficiency office: daily check, board, figures (效能监察)")
    actions = parser.add_subparsers(dest="supervision_command", metavar="ACTION", required=True)

    p = actions.add_parser("check", help="apply the breach policies for a day (idempotent)")
    p.add_argument("--day", metavar="DAY", help="YYYY-MM-DD (default today)")
    p.set_defaults(func=cmd_check)

    p = actions.add_parser("board", help="open cases by light per centre, department or item")
    p.add_argument("--by", choices=["centre", "department", "item"], default="department")
    p.add_argument("--day", metavar="DAY")
    p.set_defaults(func=cmd_board)

    p = actions.add_parser("figures", help="urgings, inspection findings and accountability records per department")
    p.add_argument("--from", dest="start", required=True, metavar="DAY")
    p.add_argument("--to", dest="end", required=True, metavar="DAY")
    p.set_defaults(func=cmd_figures)

    p = actions.add_parser("forecast", help="green cases most likely to run late, and the forecast's quality")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_forecast)
