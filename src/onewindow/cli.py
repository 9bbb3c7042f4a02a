"""The `onewindow` console command.

Each app contributes its subcommands from `<app>/commands.py` (a `register(subparsers)` function);
this module owns the process-level ones: init, serve, demo (what they do is in `onewindow.ops`).
Every command exits non-zero with one clear line on stderr when the input is bad.

cli.py is the top of the dependency graph (docs/architecture.md): it may import any app and no app
imports it (import-linter checks). `CommandFailed` is defined in `onewindow.core.errors` and only
re-exported here.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from onewindow.core.errors import CommandFailed

__all__ = ["CommandFailed", "build_parser", "main", "setup_django"]

# Apps that contribute subcommands, in the order they appear in --help.
COMMAND_MODULES = [
    "onewindow.orgs.commands",
    "onewindow.catalog.commands",
    "onewindow.calendar.commands",
    "onewindow.cases.commands",
    "onewindow.history.commands",
    "onewindow.api.commands",
    "onewindow.audit.commands",
    "onewindow.ops.background",
    "onewindow.ops.commands",
    "onewindow.complaints.commands",
    "onewindow.hall.commands",
    "onewindow.supervision.commands",
    "onewindow.appraisal.commands",
]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()


def cmd_init(args) -> None:
    from onewindow.ops import bootstrap

    report = bootstrap.init(with_sample_catalog=not args.no_sample, verbose=True)
    for line in report:
        print(line)


def cmd_serve(args) -> None:
    from onewindow.core import server

    server.serve(host=args.host, port=args.port, workers=args.workers, threads=args.threads)


def cmd_demo(args) -> None:
    from onewindow.core import server
    from onewindow.ops import bootstrap

    for line in bootstrap.init(with_sample_catalog=True, verbose=True):
        print(line)
    for line in bootstrap.load_demo(history_size=args.history):
        print(line)
    print()
    print(f"onewindow 演示站点 / demo site:  http://{args.host}:{args.port}/")
    print(f"  工作台 / staff workbench:     http://{args.host}:{args.port}/staff/")
    print(f"  管理后台 / admin:             http://{args.host}:{args.port}/admin/")
    print("  演示账号 / demo accounts (password for all: demo-pass-2026):")
    for username, role in bootstrap.DEMO_ACCOUNTS:
        print(f"    {username:<14} {role}")
    print()
    sys.stdout.flush()
    server.serve(host=args.host, port=args.port, workers=args.workers, threads=args.threads)


def _add_server_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--workers", type=int, default=2, help="server processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per process (default 4)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onewindow",
        description="onewindow: one-window government services. The database comes from "
        "ONEWINDOW_DATABASE_URL (default: a SQLite file under ./var/).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("init", help="create or upgrade the database and load the sample catalog")
    p.add_argument("--no-sample", action="store_true", help="do not load the sample catalog")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("serve", help="serve the site with a production server (gunicorn + whitenoise)")
    _add_server_args(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="init, load demo accounts and sample history, then serve")
    _add_server_args(p)
    p.add_argument("--history", type=int, default=3000, help="number of sample cases (default 3000)")
    p.set_defaults(func=cmd_demo)

    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    setup_django()
    from django.core.exceptions import ValidationError as DjangoValidationError

    from onewindow.core.errors import DomainError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except (CommandFailed, DomainError) as exc:
        print(f"onewindow {args.command}: error: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    except DjangoValidationError as exc:
        print(f"onewindow {args.command}: error: {'; '.join(exc.messages)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
