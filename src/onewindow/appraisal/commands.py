"""`onewindow appraisal …`: the performance appraisal from the command line.

- `board PERIOD [--by department|centre|clerk]`: every subject scored and ranked (PERIOD: 2026,
  2026-Q3, 2026-07); a closed period prints its stored scores;
- `close PERIOD --as USERNAME`: close an ended period for good (its scores stored, never to change);
- `export PERIOD FILE.xlsx [--by …]`: the board as an XLSX workbook.
Bad input exits 2 with one line and changes nothing."""

from __future__ import annotations

from pathlib import Path

from onewindow.core.errors import CommandFailed

KINDS = ["department", "centre", "clerk"]


def _user(username: str):
    from onewindow.orgs.models import User

    user = User.objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise CommandFailed(f"no active account {username!r}")
    return user


def _value(s) -> str:
    if s is None or s.value is None:
        return "—"
    return f"{s.value:.1f}" if s.indicator.unit == "minutes" else f"{100 * s.value:.1f}%"


def cmd_board(args) -> None:
    from . import selectors

    board = selectors.board(args.period, args.by)
    state = "已关账 closed" if board.closed else "未关账 open (live)"
    print(f"{board.period.label} · {args.by} · {state}")
    codes = [i.code for i in board.indicators]
    print("\t".join(["rank", "total", "name", *codes]))
    for row in board.rows:
        total = "—" if row.total is None else f"{row.total:.1f}"
        print("\t".join([str(row.rank or "—"), total, row.name, *(_value(row.indicators.get(c)) for c in codes)]))


def cmd_close(args) -> None:
    from . import services

    period = services.close_period(actor=_user(args.actor), key=args.period)
    print(f"已关账 closed: {period} ({period.scores.count()} 行 score rows)")


def cmd_export(args) -> None:
    from . import selectors
    from .export import board_xlsx

    data = board_xlsx(selectors.board(args.period, args.by))
    Path(args.file).write_bytes(data)
    print(f"{args.file}: {len(data):,} bytes")


def register(sub):
    parser = sub.add_parser("appraisal", help="performance appraisal: scores, ranks, closing (绩效考评)")
    actions = parser.add_subparsers(dest="appraisal_command", metavar="ACTION", required=True)
    p = actions.add_parser("board", help="every subject of a period scored and ranked")
    p.add_argument("period", metavar="PERIOD")
    p.add_argument("--by", choices=KINDS, default="department")
    p.set_defaults(func=cmd_board)
    p = actions.add_parser("close", help="close an ended period: its scores stored, never to change")
    p.add_argument("period", metavar="PERIOD")
    p.add_argument("--as", dest="actor", required=True, metavar="USERNAME", help="a supervisor or administrator")
    p.set_defaults(func=cmd_close)
    p = actions.add_parser("export", help="the board as an XLSX workbook")
    p.add_argument("period", metavar="PERIOD")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--by", choices=KINDS, default="department")
    p.set_defaults(func=cmd_export)
