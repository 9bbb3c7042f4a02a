"""Console subcommands of the catalog: `onewindow catalog export|import|drafts|summary|check`, and where
items are handled (就近办, catalog/centres.py): `delegate`, `centre`, `where`."""

from __future__ import annotations

import sys


def cmd_export(args) -> None:
    from onewindow.core.errors import CommandFailed

    from .io import export_catalog

    try:
        count = export_catalog(args.file)
    except OSError as exc:
        raise CommandFailed(f"cannot write {args.file}: {exc.strerror or exc}") from exc
    print(f"已导出 {count} 个事项 exported {count} items to {args.file}")


def cmd_import(args) -> None:
    from onewindow.core.errors import CommandFailed

    from .io import import_catalog

    report = import_catalog(args.file, reason=args.reason, dry_run=args.dry_run, skip_bad=args.skip_bad,
                            region=args.region)
    for line in report.lines():
        print(line)
    if report.errors and not args.skip_bad:
        raise CommandFailed(report.summary())
    print(report.summary())


def cmd_drafts(args) -> None:
    from onewindow.core.errors import CommandFailed

    from .models import GapKind
    from .review import drafts

    if args.gap and args.gap not in GapKind.values:
        raise CommandFailed(f"--gap {args.gap}: choose one of {', '.join(GapKind.values)}")
    rows = drafts(department_code=args.department or "", gap=args.gap or "", query=args.query or "")
    count = 0
    for item in rows.iterator(chunk_size=500):
        count += 1
        gaps = "；".join(g["message"] for g in item.review_gaps) or "（无：可以发布）"
        print(f"{item.code}\t{item.department.name}\t{item.name}\t{gaps}")
    print(f"草稿 {count} 项 {count} drafts (publish them on the staff workbench: 目录草稿)", file=sys.stderr)


def cmd_summary(args) -> None:
    from .reports import reform_summary, summary_lines

    for line in summary_lines(reform_summary()):
        print(line)


def cmd_check(args) -> None:
    from onewindow.core.errors import CommandFailed

    from .models import Item
    from .validation import validate_item

    bad = checked = 0
    items = Item.objects.select_related("department", "parent").order_by("code")
    for item in items.iterator(chunk_size=500):
        checked += 1
        problems = validate_item(item)
        if problems:
            bad += 1
            for p in problems:
                print(f"{item.code} {item.name}：{p.field}：{p.message}")
    if bad:
        raise CommandFailed(f"{bad} of {checked} items break the catalog rules")
    print(f"已检查 {checked} 个事项，全部符合规则 all {checked} items are consistent")
    sys.stdout.flush()


def cmd_delegate(args) -> None:
    from . import centres, services

    item = centres.item_by_code(args.code)
    level = centres.level_by_name(args.level)
    item = services.update_item(item=item, data={"delegated_down_to": level}, reason=args.reason)
    print(f"{item.code} {item.name}：就近办层级 {item.get_delegated_down_to_display()} (v{item.version})")
    _print_where(item)


def cmd_centre(args) -> None:
    from . import centres

    item = centres.item_by_code(args.code)
    centre = centres.centre_by_code(args.centre)
    accepts = {"accept": True, "refuse": False, "clear": None}[args.decision]
    centres.set_centre_acceptance(item=item, centre=centre, accepts=accepts, note=args.note)
    _print_where(item)


def cmd_where(args) -> None:
    from . import centres

    _print_where(centres.item_by_code(args.code))


def _print_where(item) -> None:
    from .centres import accepting_centres

    rows = accepting_centres(item)
    print(f"可办理“{item.name}”的中心 centres that accept {item.code} ({len(rows)}):")
    for row in rows:
        mark = " *" if row.explicit else ""
        print(f"  {row.code:<8} {row.name}（{row.level_label}）{mark}")
    if any(row.explicit for row in rows):
        print("  * 单独设置的例外 an explicit exception for this centre")


def register(sub):
    parser = sub.add_parser("catalog", help="export, import, summarise and check the service catalog")
    actions = parser.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)

    p = actions.add_parser("export", help="write the catalog to FILE (.yaml/.yml or .xlsx)")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_export)

    p = actions.add_parser("import", help="import FILE (.yaml/.yml, .xlsx, or the provincial portal's .csv)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    p.add_argument("--reason", default="目录导入", help="reason published with the announcements (default 目录导入)")
    p.add_argument("--skip-bad", action="store_true",
                   help="import the good rows and list the bad ones (default: all or nothing)")
    p.add_argument("--region", metavar="CODE",
                   help="provincial CSV: the division (2-12 digit code) to create unknown departments under; "
                   "created with its parents when missing")
    p.set_defaults(func=cmd_import)

    p = actions.add_parser("drafts", help="list the draft items waiting for review, with what each lacks")
    p.add_argument("--department", metavar="CODE", help="only this department's drafts")
    p.add_argument("--gap", metavar="KIND", help="only drafts lacking: kind, limits, immediacy, visits, materials, other")
    p.add_argument("--query", metavar="WORDS", help="only drafts whose name or code contains every word")
    p.set_defaults(func=cmd_drafts)

    p = actions.add_parser("summary", help="print the reform summary (visits, limits, online share)")
    p.set_defaults(func=cmd_summary)

    p = actions.add_parser("check", help="validate every item against the catalog rules")
    p.set_defaults(func=cmd_check)

    p = actions.add_parser("delegate", help="set the lowest level of centre that accepts an item (就近办)")
    p.add_argument("code", metavar="ITEM_CODE")
    p.add_argument("level", metavar="LEVEL", help="city, county (the default: not delegated), township or village")
    p.add_argument("--reason", required=True, help="reason published with the announcement")
    p.set_defaults(func=cmd_delegate)

    p = actions.add_parser("centre", help="make one centre an exception for an item: accept, refuse or clear")
    p.add_argument("code", metavar="ITEM_CODE")
    p.add_argument("centre", metavar="CENTRE_CODE")
    p.add_argument("decision", choices=["accept", "refuse", "clear"])
    p.add_argument("--note", default="", help="why (shown to administrators)")
    p.set_defaults(func=cmd_centre)

    p = actions.add_parser("where", help="list the centres that accept an item")
    p.add_argument("code", metavar="ITEM_CODE")
    p.set_defaults(func=cmd_where)
