"""`onewindow worker`, `onewindow beat` and `onewindow jobs …`: background work.

- `worker` runs a Celery worker on the broker of ONEWINDOW_BROKER_URL (any number of them, on any
  machine sharing the database and MEDIA_ROOT);
- `beat` sends the scheduled tasks (run exactly one per installation); in the embedded mode (no
  broker) it runs them itself, in its own process;
- `jobs dispatch|check|report` runs one task now, in this process (or, with --queue, hands it to the
  workers), and prints what it did.

They run the tasks of several apps (notify's dispatch, jobs' check and report), so they live here,
at the composition root, and jobs and notify stay independent of each other."""

from __future__ import annotations

import json
from pathlib import Path

from onewindow.core.errors import CommandFailed

NO_BROKER = ("没有配置消息队列（ONEWINDOW_BROKER_URL）：嵌入模式下任务在调用它的进程中执行，"
             "定时任务请运行 onewindow beat / no broker configured: in the embedded mode tasks run in the "
             "calling process; run `onewindow beat` for the schedule")


def cmd_worker(args) -> None:
    from django.conf import settings

    from onewindow.celery import app

    if not settings.BROKER_URL:
        raise CommandFailed(NO_BROKER)
    argv = ["worker", f"--loglevel={args.loglevel}", f"--concurrency={args.concurrency}", f"--pool={args.pool}"]
    if args.hostname:
        argv.append(f"--hostname={args.hostname}")
    app.worker_main(argv)


def cmd_beat(args) -> None:
    from django.conf import settings

    from onewindow.celery import app

    schedule = Path(settings.CELERY_BEAT_SCHEDULE_FILENAME)
    schedule.parent.mkdir(parents=True, exist_ok=True)
    app.start(["beat", f"--loglevel={args.loglevel}", f"--schedule={schedule}"])


def _run(task, *, queue: bool, **kwargs) -> None:
    kwargs = {key: value for key, value in kwargs.items() if value not in (None, False)}
    if queue:
        from django.conf import settings

        if not settings.BROKER_URL:
            raise CommandFailed(NO_BROKER)
        result = task.apply_async(kwargs=kwargs)
        print(f"已交给后台 queued {task.name} {result.id}")
        return
    print(json.dumps(task.apply(kwargs=kwargs, throw=True).get(), ensure_ascii=False))


def cmd_dispatch(args) -> None:
    from onewindow.notify.tasks import dispatch_notifications

    _run(dispatch_notifications, queue=args.queue)


def cmd_check(args) -> None:
    from onewindow.jobs.tasks import daily_check

    _run(daily_check, queue=args.queue, day=_iso_day(args.day), force=args.force)


def cmd_report(args) -> None:
    from onewindow.jobs.tasks import build_report

    _run(build_report, queue=args.queue, period=args.period, centre=args.centre)


def _iso_day(value: str | None) -> str | None:
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise CommandFailed(f"日期格式应为 YYYY-MM-DD / expected a date YYYY-MM-DD: {value!r}") from None


def register(sub) -> None:
    p = sub.add_parser("worker", help="run a background worker (needs ONEWINDOW_BROKER_URL)")
    p.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"],
                   help="how tasks run (default prefork)")
    p.add_argument("--hostname", default="", help="worker name, e.g. worker1@%%h")
    p.add_argument("--loglevel", default="info", help="log level (default info)")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("beat", help="send the scheduled tasks (one per installation; runs them itself "
                                    "without a broker)")
    p.add_argument("--loglevel", default="info", help="log level (default info)")
    p.set_defaults(func=cmd_beat)

    jobs = sub.add_parser("jobs", help="run one background task now: notifications, daily check, report")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", metavar="TASK", required=True)
    p = jobs_sub.add_parser("dispatch", help="turn new case events into notifications and send them")
    p.set_defaults(func=cmd_dispatch)
    p = jobs_sub.add_parser("check", help="the daily check: open, close-to-limit and overdue tasks per department")
    p.add_argument("--day", default=None, help="YYYY-MM-DD (default today)")
    p.add_argument("--force", action="store_true", help="also on a day off")
    p.set_defaults(func=cmd_check)
    p = jobs_sub.add_parser("report", help="the monthly report (CSV and PDF) of one centre or of all")
    p.add_argument("--period", default=None, help="YYYY-MM (default the month before)")
    p.add_argument("--centre", default=None, help="centre code, e.g. DX01 (default every centre with cases)")
    p.set_defaults(func=cmd_report)
    for parser in (jobs_sub.choices["dispatch"], jobs_sub.choices["check"], jobs_sub.choices["report"]):
        parser.add_argument("--queue", action="store_true", help="hand the task to the workers instead")

