"""Console subcommands of the cases part (see onewindow.cli):

    onewindow cases show NUMBER                                    a case's progress, in Chinese
    onewindow cases recompute-deadlines                            after importing an official calendar
    onewindow cases actions NUMBER --as USERNAME [--json]          what that person may do on the case now
    onewindow cases act NUMBER ACTION --as USERNAME [--param key=value ...] [--json '{...}']
                                                                   act on the case as that person

`act` and `actions` go through the same action registry as the API and the workbench (cases/actions.py).
"""

from __future__ import annotations

import json
import typing

from onewindow.calendar.selectors import current_version
from onewindow.core.errors import CommandFailed, DomainError
from onewindow.orgs.models import User

from . import selectors, services
from .actions import registry
from .models import Case


def cmd_cases_show(args) -> None:
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
    unit = "自然日" if progress.limit_unit == "natural" else "工作日"
    print(f"已用 {progress.working_days_used} 个{unit}，剩余 "
          f"{'—' if progress.working_days_left is None else progress.working_days_left} 个{unit}"
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
    version = args.calendar_version or current_version()
    changed = services.recompute_provisional_deadlines(calendar_version=version)
    print(f"按日历版本 {version} 重算暂定期限：{changed} 件办件期限有变化 / {changed} due dates changed")


def _acting(args):
    """The account acting (--as) and the case as that account sees it (a case it may not see: not found)."""
    user = User.objects.filter(username=args.username.strip(), is_active=True).first()
    if user is None:
        raise CommandFailed(f"没有启用的账号 {args.username} / no active account with that username")
    try:
        return user, selectors.get_case_for(user, args.number.strip())
    except DomainError as exc:
        raise CommandFailed(f"{exc.message} / no such case visible to {args.username}") from None


def _params(action, pairs: list[str], raw_json: str | None) -> dict:
    """--json '{...}' and then each --param key=value (a list parameter takes comma-separated ids; a
    parameter repeated adds to the list). Values are read as the params model's types (lax: "5" is 5)."""
    params: dict = {}
    if raw_json:
        try:
            params = json.loads(raw_json)
        except json.JSONDecodeError as exc:
            raise CommandFailed(f"--json 不是合法的 JSON / is not valid JSON: {exc.msg}") from None
        if not isinstance(params, dict):
            raise CommandFailed("--json 应为键值对象 / must be a JSON object")
    fields = action.params.model_fields
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise CommandFailed(f"--param 应为 key=value / must be key=value, got {pair!r}")
        if key not in fields:
            raise CommandFailed(f"params.{key}: 没有这个参数 / unknown parameter; {action.name} takes: "
                                f"{', '.join(fields) or '(none)'}")
        if typing.get_origin(fields[key].annotation) is list:
            params.setdefault(key, []).extend(v.strip() for v in value.split(",") if v.strip())
        else:
            params[key] = value
    return params


def cmd_cases_act(args) -> None:
    user, case = _acting(args)
    action = registry.get(args.action)
    params = _params(action, args.param or [], args.json)
    try:
        registry.perform(user, case, action.name, params, strict=False)
    except DomainError as exc:
        where = f"params.{exc.field}: " if exc.field and exc.field.split(".")[0] in action.params.model_fields else ""
        raise CommandFailed(f"{where}{exc.message}") from None
    case = Case.objects.get(pk=case.pk)
    print(f"{action.done_message} 办件 {case.number} 状态：{case.get_state_display()} ({case.state})")


def cmd_cases_actions(args) -> None:
    user, case = _acting(args)
    offers = registry.offers(user, case)
    if args.json:
        rows = [offer.as_dict() for offer in offers]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not offers:
        print(f"{args.username} 现在不能对办件 {case.number} 办理任何动作 / no action available")
    for offer in offers:
        params = ", ".join(f"{name}{'' if info.is_required() else '?'}"
                           for name, info in offer.action.params.model_fields.items())
        print(f"{offer.name}\t{offer.action.label}\t({params})")
        for name, options in offer.choices.items():
            listed = "；".join(f"{c.value}={c.label}" for c in options)
            print(f"    {name}: {listed}")


def register(sub) -> None:
    cases = sub.add_parser("cases", help="cases: show progress, list and take actions, recompute deadlines")
    cases_sub = cases.add_subparsers(dest="cases_command", metavar="ACTION", required=True)
    p = cases_sub.add_parser("show", help="print a case's progress (in Chinese)")
    p.add_argument("number")
    p.set_defaults(func=cmd_cases_show)
    p = cases_sub.add_parser("recompute-deadlines",
                             help="recompute the stored dates of every open clock (after a calendar import or a yellow-light change)")
    p.add_argument("--calendar-version", type=int, default=None, help="default: the current calendar version")
    p.set_defaults(func=cmd_cases_recompute)
    p = cases_sub.add_parser("actions", help="list the actions a person may take on a case now")
    p.add_argument("number")
    p.add_argument("--as", dest="username", required=True, metavar="USERNAME", help="the account acting")
    p.add_argument("--json", action="store_true", help="print JSON (as GET /api/v1/cases/{number}/actions)")
    p.set_defaults(func=cmd_cases_actions)
    p = cases_sub.add_parser("act", help="act on a case as a person (the same actions as the API)",
                             description="e.g. onewindow cases act DX01-20261125-0001 approve --as approver.scj "
                                         "--param task_id=12 --param opinion=同意")
    p.add_argument("number")
    p.add_argument("action", help="accept, approve, deny, … (see `onewindow cases actions`)")
    p.add_argument("--as", dest="username", required=True, metavar="USERNAME", help="the account acting")
    p.add_argument("--param", action="append", metavar="KEY=VALUE", help="a parameter (repeatable)")
    p.add_argument("--json", metavar="JSON", help="the parameters as a JSON object, e.g. for waivers or defects")
    p.set_defaults(func=cmd_cases_act)
