"""Console subcommands of the cases part (see onewindow.cli):

    onewindow cases show NUMBER                                    a case's progress, in Chinese
    onewindow cases recompute-deadlines                            after importing an official calendar
"""

from __future__ import annotations

from onewindow.core.errors import CommandFailed


def cmd_cases_show(args) -> None:
    from . import selectors
    from .models import Case

    case = Case.objects.select_related("item", "applicant", "centre").filter(number=args.number.strip()).first()
    if case is None:
        raise CommandFailed(f"没有办件 {args.number} / no such case")
    progress = selectors.progress(case)
    print(f"办件编号：{progress.number}")
    print(f"事项：{progress.item_name}")
    print(f"状态：{progress.state_label}（{progress.light}）")
    print(f"进度：{progress.summary}")
    print(f"受理日期：{progress.accepted_on or '—'}    办结期限：{progress.due_on or '—'}"
          f"{'（暂定）' if progress.provisional else ''}")
    print(f"已用 {progress.working_days_used} 个工作日，剩余 "
          f"{'—' if progress.working_days_left is None else progress.working_days_left} 个工作日"
          f"{'，计时暂停：' + progress.paused_reason if progress.clock_paused else ''}")
    for step in progress.steps:
        print(f"  第{step.step}步 {step.name}：{step.state_label}")
        for task in step.tasks:
            print(f"    · {task.department} {task.name}：{task.state_label}"
                  f"{'，期限 ' + str(task.due_on) if task.due_on else ''}")
    for owed in progress.owed:
        print(f"  尚欠：{owed.text}{'（' + str(owed.due) + ' 前）' if owed.due else ''}")
    if progress.certificates:
        print(f"电子证照：{'、'.join(progress.certificates)}")
    if progress.decision_reason:
        print(f"理由：{progress.decision_reason}")


def cmd_cases_recompute(args) -> None:
    from onewindow.calendar.selectors import current_version

    from . import services

    version = args.calendar_version or current_version()
    changed = services.recompute_provisional_deadlines(calendar_version=version)
    print(f"按日历版本 {version} 重算暂定期限：{changed} 件办件期限有变化 / {changed} due dates changed")


def register(sub) -> None:
    cases = sub.add_parser("cases", help="cases: show progress, recompute provisional deadlines")
    cases_sub = cases.add_subparsers(dest="cases_command", metavar="ACTION", required=True)
    p = cases_sub.add_parser("show", help="print a case's progress (in Chinese)")
    p.add_argument("number")
    p.set_defaults(func=cmd_cases_show)
    p = cases_sub.add_parser("recompute-deadlines",
                             help="recompute due dates computed on a provisional calendar")
    p.add_argument("--calendar-version", type=int, default=None, help="default: the current calendar version")
    p.set_defaults(func=cmd_cases_recompute)
