"""`onewindow hall …`: set a hall up, set a window's appointment places, see the queue, run the sweep and
print the figures the appraisal reads.

- `setup CENTRE [--places N]`: the hall with its default queue (A 综合受理) and every window (idempotent);
- `places CENTRE WINDOW N`: a window's appointment places per half-day;
- `status CENTRE`: each queue now (waiting, windows, expected wait) and the latest calls;
- `sweep`: mark the no-shows and close earlier days' tickets now (the hourly job);
- `figures --from DAY --to DAY [--by centre|window|clerk] [--centre C]`: appointments, no-shows,
  tickets, average and p90 waits, average service time.
Bad input exits 2 with one line and changes nothing."""

from __future__ import annotations

from datetime import date

from onewindow.core.errors import CommandFailed


def _centre(code: str):
    from onewindow.catalog.centres import centre_by_code

    return centre_by_code(code)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandFailed(f"not a date (YYYY-MM-DD): {value!r}") from None


def cmd_setup(args) -> None:
    from . import services

    hall = services.set_up_hall(centre=_centre(args.centre), places=args.places)
    windows = hall.centre.windows.count()
    print(f"{hall.centre.name}：大厅已设置 hall ready, {hall.categories.count()} 个排队类别 queues, "
          f"{windows} 个窗口 windows")


def cmd_places(args) -> None:
    from . import services
    from .models import HallWindow

    centre = _centre(args.centre)
    hall_window = HallWindow.objects.filter(window__centre=centre, window__number=args.window).first()
    if hall_window is None:
        raise CommandFailed(f"{centre.code} has no window {args.window} in its hall (run: onewindow hall setup)")
    services.set_window_places(window_id=hall_window.window_id, places=args.places)
    print(f"{centre.name} {args.window} 号窗口：每半天 {args.places} 个预约名额 appointment places per half-day")


def cmd_status(args) -> None:
    from . import selectors
    from .config import hall_of

    hall = hall_of(_centre(args.centre))
    print(f"{hall.centre.name} 排队情况 queue now:")
    for line in selectors.queue_lines(hall):
        print(f"  {line.category.letter} {line.category.name}: 等候 waiting {line.waiting}, 窗口 windows "
              f"{line.windows_open}/{line.windows_configured}, 预计 expected {line.expected_wait_minutes} 分钟 min")
    for call in selectors.calls(hall):
        print(f"  {call.called_at:%H:%M} {call.display} → {call.window_number} 号窗口")


def cmd_sweep(args) -> None:
    from . import services

    report = services.sweep()
    print(f"爽约 no-shows {report['no_shows']}, 过号 expired tickets {report['expired']}, "
          f"结束 closed tickets {report['closed']}, 关闭窗口 windows closed {report['windows']}")


def _minutes(seconds: float | int | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f}"


def cmd_figures(args) -> None:
    from onewindow.orgs.models import ServiceCentre, User, Window

    from . import selectors

    start, end = _day(args.start), _day(args.end)
    if end < start:
        raise CommandFailed("--to is before --from")
    centre = _centre(args.centre) if args.centre else None
    rows = selectors.hall_figures(start=start, end=end, by=args.by, centre=centre)
    keys = [k for k in rows if k is not None]
    found = {"centre": ServiceCentre.objects.filter(pk__in=keys), "window": Window.objects.filter(pk__in=keys),
             "clerk": User.objects.filter(pk__in=keys)}[args.by]
    names = {obj.pk: str(obj) for obj in found}
    print("对象 who | 预约 appointments | 取消 cancelled | 爽约 no-shows | 取号 tickets | 办结 served | 过号 missed | "
          "平均等候 avg wait (min) | P90 等候 (min) | 平均办理 avg service (min)")
    for key, figure in sorted(rows.items(), key=lambda pair: names.get(pair[0], "")):
        print(f"{names.get(key, '—')} | {figure.appointments} | {figure.cancelled} | {figure.no_shows} | "
              f"{figure.tickets} | {figure.served} | {figure.missed} | {_minutes(figure.average_wait_seconds)} | "
              f"{_minutes(figure.p90_wait_seconds)} | {_minutes(figure.average_service_seconds)}")


def register(sub):
    parser = sub.add_parser("hall", help="the hall: appointments and the queue (预约、取号、叫号)")
    actions = parser.add_subparsers(dest="hall_command", metavar="ACTION", required=True)

    p = actions.add_parser("setup", help="give a centre a hall: default queue, every window (idempotent)")
    p.add_argument("centre", metavar="CENTRE")
    p.add_argument("--places", type=int, default=4, help="appointment places per window and half-day (default 4)")
    p.set_defaults(func=cmd_setup)

    p = actions.add_parser("places", help="set one window's appointment places per half-day")
    p.add_argument("centre", metavar="CENTRE")
    p.add_argument("window", metavar="WINDOW", help="window number")
    p.add_argument("places", type=int)
    p.set_defaults(func=cmd_places)

    p = actions.add_parser("status", help="each queue now and the latest calls")
    p.add_argument("centre", metavar="CENTRE")
    p.set_defaults(func=cmd_status)

    p = actions.add_parser("sweep", help="mark no-shows and close earlier days' tickets now")
    p.set_defaults(func=cmd_sweep)

    p = actions.add_parser("figures", help="appointments, no-shows, tickets, waits and service times of a period")
    p.add_argument("--from", dest="start", required=True, metavar="DAY")
    p.add_argument("--to", dest="end", required=True, metavar="DAY")
    p.add_argument("--by", choices=["centre", "window", "clerk"], default="centre")
    p.add_argument("--centre", metavar="CENTRE")
    p.set_defaults(func=cmd_figures)
