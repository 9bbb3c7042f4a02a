"""Console subcommands of the sample history (see onewindow.cli):

    onewindow history generate --size N [--seed S] [--months M] [--processes K]   sample history, progress bar
"""

from __future__ import annotations

from onewindow.core.errors import CommandFailed

MAX_HISTORY = 50_000_000


def _positive(name: str, value: int, maximum: int | None = None) -> int:
    if value < 1:
        raise CommandFailed(f"{name} 必须是正整数 / must be a positive integer, got {value}")
    if maximum is not None and value > maximum:
        raise CommandFailed(f"{name} 不能超过 {maximum} / must be at most {maximum}, got {value}")
    return value


def cmd_history_generate(args) -> None:
    from .generator import generate_history

    size = _positive("--size", args.size, MAX_HISTORY)
    months = _positive("--months", args.months, 120)
    processes = None if args.processes is None else _positive("--processes", args.processes, 16)
    try:
        summary = generate_history(size=size, seed=args.seed, months=months, progress=not args.quiet,
                                   processes=processes)
    except ValueError as exc:
        raise CommandFailed(str(exc)) from None
    states = ", ".join(f"{state} {count}" for state, count in summary["by_state"].items())
    print(f"生成办件 generated {summary['cases']} cases in {summary['seconds']} s "
          f"({summary['rate']} cases/s), {summary['start']} — {summary['end']}")
    print(f"  状态 states: {states}")
    print(f"  亮灯 lights (open cases): {summary['lights']}")
    rows = ", ".join(f"{table} {count}" for table, count in summary["rows"].items())
    print(f"  行数 rows: {rows}")


def register(sub) -> None:
    history = sub.add_parser("history", help="sample case history (demo, benchmarks)")
    history_sub = history.add_subparsers(dest="history_command", metavar="ACTION", required=True)
    p = history_sub.add_parser("generate", help="generate N realistic cases in every state (bulk insert)")
    p.add_argument("--size", type=int, required=True, help="number of cases")
    p.add_argument("--seed", type=int, default=2026, help="random seed (default 2026): same seed, same history")
    p.add_argument("--months", type=int, default=4, help="months of history ending today (default 4)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--processes", type=int, default=None,
                   help="simulation processes on PostgreSQL (default: 2 from 20,000 cases on, else 1; SQLite: 1)")
    p.set_defaults(func=cmd_history_generate)
