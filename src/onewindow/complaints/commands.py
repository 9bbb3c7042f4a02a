"""`onewindow complaints …`: the dispatch suggestion from the command line.

- `learn FILE [--replace]`: learn from past work orders (UTF-8 CSV with the columns text,unit);
- `evaluate FILE [--folds K]`: top-1 / top-3 accuracy of the model on orders it has not learnt from
  (with --folds: k-fold cross-validation on the file alone, nothing stored);
- `suggest TEXT [--case NUMBER] [--item CODE]`: the three most likely units and why;
- `refresh [--force]`: re-learn from the kept orders when they changed (what the scheduled job does);
- `sample FILE`: write the synthetic 东兴市 sample history (complaints/sample.py) as such a CSV;
- `orders [--light L] [--state S]`: the work orders, as the office's list;
- `show NUMBER`, `actions NUMBER --as USER`, `act NUMBER ACTION --as USER [--param k=v] [--json {...}]`:
  a work order, what a person may do with it, and doing it — through the action registry
  (complaints/actions.py), as `onewindow cases act` does for cases.
Bad input exits 2 with one line and leaves the database unchanged."""

from __future__ import annotations

import sys

from onewindow.core.errors import CommandFailed


def _progress(total: int | None, label: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="条", file=sys.stderr, disable=None, leave=False)


def _read(path: str):
    from .orders_csv import read_orders

    with _progress(None, "读取 reading") as bar:
        return read_orders(path, progress=bar.update)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def cmd_learn(args) -> None:
    from .dispatch import describe, learn
    from .models import DispatchExample, ExampleSource

    rows = _read(args.file)
    kept = DispatchExample.objects.all()
    if args.replace:
        kept = kept.exclude(source=ExampleSource.IMPORTED)
    with _progress(kept.count() + len(rows), "学习 learning") as bar:
        report = learn(rows, replace=args.replace, progress=bar.update)
    print(f"派单模型 v{report.version}: 学习了 {report.examples} 条工单（本次新增 {report.added} 条），"
          f"{len(report.units)} 个承办单位，{report.features} 个词项，用时 {report.seconds:.1f} 秒")
    print(f"dispatch model v{report.version}: learnt from {report.examples} orders ({report.added} new), "
          f"{len(report.units)} units, {report.features} terms, {report.seconds:.1f} s")
    if report.holdout_n:
        print(f"留出的 {report.holdout_n} 条工单 held-out orders: 首选 top-1 {_percent(report.holdout_top1)}, "
              f"前三 top-3 {_percent(report.holdout_top3)}")
    print("各单位工单数 orders per unit:")
    width = max(len(u.name) for u in report.units)
    for unit in sorted(report.units, key=lambda u: -u.count):
        also = [n for n in unit.names if n != unit.name]
        extra = f"（也写作 also written {'、'.join(also)}）" if also else ""
        print(f"  {unit.name:\u3000<{width}} {unit.count:>8}  {describe(unit.how)}{extra}")
    if report.unmatched:
        print(f"不是系统中部门的单位 units that are not departments here ({len(report.unmatched)}), "
              "kept by name and suggested as such:")
        for unit in report.unmatched:
            print(f"  {unit.name} ({unit.count}) {describe(unit.how)}")


def cmd_evaluate(args) -> None:
    from .dispatch import cross_validate, evaluate

    rows = _read(args.file)
    result = cross_validate(rows, folds=args.folds) if args.folds else evaluate(rows)
    how = f"{result.folds} 折交叉验证 {result.folds}-fold cross-validation" if result.folds else \
        "当前模型 the current model"
    print(f"{how}: N = {result.n}")
    if result.skipped_learnt:
        print(f"  已学习过、未计入的工单 orders already learnt from, left out: {result.skipped_learnt}")
    print(f"  首选准确率 top-1: {_percent(result.top1)}")
    print(f"  前三准确率 top-3: {_percent(result.top3)}")
    if result.unseen_units:
        print(f"  模型未见过的单位（计为未命中） units the model never saw (counted as misses): "
              f"{'、'.join(result.unseen_units)}")
    print("  召回最低的单位 worst units (top-3 recall, top-1 recall, N):")
    for unit in result.per_unit[: args.worst]:
        print(f"    {unit.name}: {_percent(unit.top3)}, {_percent(unit.top1)}, {unit.n}")


def cmd_suggest(args) -> None:
    from .dispatch import current_model, suggest

    text = args.text.strip()
    if not text and not args.case and not args.item:
        raise CommandFailed("请给出工单内容 / give the work order's text")
    suggestions = suggest(text, case=args.case, item=args.item, k=args.k)
    if not suggestions:
        if current_model() is None:
            raise CommandFailed("还没有学习过派单模型：请先运行 onewindow complaints learn FILE / "
                                "no dispatch model yet: run `onewindow complaints learn FILE` first")
        raise CommandFailed("没有可推荐的单位 / nothing to suggest")
    for rank, s in enumerate(suggestions, 1):
        print(f"{rank}. {s.unit_name}  {100 * s.score:.1f} %  {s.reason}")


def cmd_refresh(args) -> None:
    from .dispatch import refresh

    report = refresh(force=args.force)
    if report is None:
        print("派单模型已是最新（或工单不足两个单位）/ the dispatch model is up to date (or fewer than two units)")
    else:
        print(f"派单模型 v{report.version}: {report.examples} 条工单 orders, {len(report.units)} 个单位 units, "
              f"{report.seconds:.1f} s")


def cmd_sample(args) -> None:
    from . import sample

    if args.count < 1:
        raise CommandFailed("--count 至少为 1 / --count must be at least 1")
    rows = sample.orders(args.count, seed=args.seed, phrasing=args.phrasing, label_noise=args.label_noise)
    try:
        with open(args.file, "w", encoding="utf-8", newline="") as stream:
            n = sample.write_csv(rows, stream)
    except OSError as exc:
        raise CommandFailed(f"无法写入 cannot write {args.file}: {exc.strerror}") from None
    print(f"写入 wrote {n} 条样例工单 sample orders to {args.file}")


def _acting(args):
    """The account acting (--as) and the order as that account sees it (one it may not see: not found)."""
    from onewindow.core.errors import DomainError
    from onewindow.orgs.models import User

    from .selectors import get_order_for

    user = User.objects.filter(username=args.username.strip(), is_active=True).first()
    if user is None:
        raise CommandFailed(f"没有启用的账号 {args.username} / no active account with that username")
    try:
        return user, get_order_for(user, args.number.strip())
    except DomainError as exc:
        raise CommandFailed(f"{exc.message} / no such work order visible to {args.username}") from None


def _params(action, pairs: list[str], raw_json: str | None) -> dict:
    import json

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
        params[key] = value
    return params


def cmd_act(args) -> None:
    from onewindow.core.errors import DomainError

    from .actions import registry
    from .models import WorkOrder

    user, order = _acting(args)
    try:
        action = registry.get(args.action)
    except DomainError as exc:
        raise CommandFailed(exc.message) from None
    params = _params(action, args.param or [], args.json)
    try:
        registry.perform(user, order, action.name, params, strict=False)
    except DomainError as exc:
        where = f"params.{exc.field}: " if exc.field and exc.field.split(".")[0] in action.params.model_fields else ""
        raise CommandFailed(f"{where}{exc.message}") from None
    order = WorkOrder.objects.get(pk=order.pk)
    print(f"{action.done_message} 工单 {order.number} 状态：{order.get_state_display()} ({order.state})")


def cmd_actions(args) -> None:
    import json

    from .actions import registry

    user, order = _acting(args)
    offers = registry.offers(user, order)
    if args.json:
        print(json.dumps([offer.as_dict() for offer in offers], ensure_ascii=False, indent=2))
        return
    if not offers:
        print(f"{args.username} 现在不能对工单 {order.number} 办理任何动作 / no action available")
    for offer in offers:
        params = ", ".join(f"{name}{'' if info.is_required() else '?'}"
                           for name, info in offer.action.params.model_fields.items())
        print(f"{offer.name}\t{offer.action.label}\t({params})")
        for name, options in offer.choices.items():
            listed = "；".join(f"{c.value}={c.label}" for c in options[:12])
            print(f"    {name}: {listed}{' …' if len(options) > 12 else ''}")


def cmd_show(args) -> None:
    from . import selectors

    order = selectors.WorkOrder.objects.select_related("department").filter(number=args.number.strip()).first()
    if order is None:
        raise CommandFailed(f"没有工单 {args.number} / no such work order")
    print(f"{order.number} {order.get_kind_display()} {order.get_channel_display()} · {order.get_state_display()}")
    print(f"  {order.title}")
    print(f"  承办单位 unit: {order.department.name if order.department else '—'}; 答复期限 due: "
          f"{order.clock_due_on or '—'}; 灯 light: {selectors.light_of(order) or '—'}")
    for event in selectors.timeline(order):
        print(f"  {event.occurred_at:%Y-%m-%d %H:%M} {event.action.rsplit('.', 1)[-1]} {event.reason[:60]}")


def cmd_orders(args) -> None:
    from onewindow.workflow.clock import Light

    from . import selectors
    from .models import OrderState

    if args.state and args.state not in OrderState.values:
        raise CommandFailed(f"--state: {', '.join(OrderState.values)}")
    lights = [*Light.values, "open"]
    if args.light and args.light not in lights:
        raise CommandFailed(f"--light: {', '.join(lights)}")
    rows = selectors.filter_orders(selectors.WorkOrder.objects.select_related("department"), light=args.light,
                                   state=args.state).order_by("clock_due_on", "id")[: args.limit]
    for order in rows:
        print(f"{order.number}\t{order.get_state_display()}\t{selectors.light_of(order) or '—'}\t"
              f"{order.clock_due_on or '—'}\t{order.department.name if order.department else '—'}\t{order.title}")


def register(sub) -> None:
    complaints = sub.add_parser("complaints", help="complaint centre: work orders and the dispatch suggestion")
    csub = complaints.add_subparsers(dest="complaints_command", metavar="ACTION", required=True)
    p = csub.add_parser("learn", help="learn from past work orders (UTF-8 CSV with columns text,unit)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--replace", action="store_true",
                   help="replace the archive imported before (orders closed here are kept)")
    p.set_defaults(func=cmd_learn)
    p = csub.add_parser("evaluate", help="top-1/top-3 accuracy on orders the model has not learnt from")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--folds", type=int, default=0, help="k-fold cross-validation on FILE alone (nothing stored)")
    p.add_argument("--worst", type=int, default=5, help="how many of the worst units to list (default 5)")
    p.set_defaults(func=cmd_evaluate)
    p = csub.add_parser("suggest", help="the three most likely units for a work order's text")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--case", default=None, help="number of the linked case")
    p.add_argument("--item", default=None, help="code of the linked catalog item")
    p.add_argument("-k", type=int, default=3, choices=range(1, 11), metavar="K", help="how many units (default 3)")
    p.set_defaults(func=cmd_suggest)
    p = csub.add_parser("refresh", help="re-learn from the kept work orders when they changed")
    p.add_argument("--force", action="store_true", help="re-learn even when nothing changed")
    p.set_defaults(func=cmd_refresh)
    p = csub.add_parser("sample", help="write the synthetic sample history of 东兴市 as a text,unit CSV")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--count", type=int, default=5000, help="orders (default 5000)")
    p.add_argument("--seed", type=int, default=17, help="random seed (default 17)")
    p.add_argument("--phrasing", choices=["all", "seen", "unseen"], default="all",
                   help="core phrasings: seen = 3 in 4 per topic, unseen = the other one (default all)")
    p.add_argument("--label-noise", type=float, default=0.08, help="share sent to a neighbouring unit (default 0.08)")
    p.set_defaults(func=cmd_sample)
    p = csub.add_parser("orders", help="list work orders (by light or state), earliest deadline first")
    p.add_argument("--light", default="", help="green, yellow, red, paused, on_time, late or open")
    p.add_argument("--state", default="", help="registered, dispatched, returned, handling, replied, closed")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_orders)
    p = csub.add_parser("show", help="print a work order and its record")
    p.add_argument("number")
    p.set_defaults(func=cmd_show)
    p = csub.add_parser("actions", help="list the actions a person may take on a work order now")
    p.add_argument("number")
    p.add_argument("--as", dest="username", required=True, metavar="USERNAME", help="the account acting")
    p.add_argument("--json", action="store_true", help="print JSON (as GET /api/v1/complaints/{number}/actions)")
    p.set_defaults(func=cmd_actions)
    p = csub.add_parser("act", help="act on a work order as a person (the same actions as the pages and API)",
                        description="e.g. onewindow complaints act TS202612070001 dispatch --as supervisor "
                                    "--param department_id=3")
    p.add_argument("number")
    p.add_argument("action", help="dispatch, sign, return, reply, follow_up, close (see `complaints actions`)")
    p.add_argument("--as", dest="username", required=True, metavar="USERNAME", help="the account acting")
    p.add_argument("--param", action="append", metavar="KEY=VALUE", help="a parameter (repeatable)")
    p.add_argument("--json", metavar="JSON", help="the parameters as a JSON object")
    p.set_defaults(func=cmd_act)
