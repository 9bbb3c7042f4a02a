"""Django side of bench.bench_search, run in a child process against its database:

    python -m bench.search_tasks setup --regions N     # grow the catalog to a province's size
    python -m bench.search_tasks publish --code C      # publish a change to one item (a catalog edit)

`setup` copies every public item of the sample catalog (东兴市, `onewindow init`) to N more counties of
广西, the way a province's catalog holds the same item once per county that implements it: a county
region, its departments (东兴市… renamed after the county, same short names), and per item a copy
with a county-specific code, its materials, stages (at the county's departments), life events, its
current ItemVersion (the notice's catalog date) and its announcement. Rows are bulk-inserted; the
search fields come from catalog.text like a real write. Prints one JSON line last."""

from __future__ import annotations

import argparse
import json
import sys

import django

# 广西's counties and districts (a province's catalog: one implementation of each item per county).
COUNTIES = (
    "上思县 防城区 港口区 钦南区 钦北区 灵山县 浦北县 海城区 银海区 铁山港区 合浦县 兴宁区 青秀区 江南区 西乡塘区 良庆区 "
    "邕宁区 武鸣区 隆安县 马山县 上林县 宾阳县 横州市 城中区 鱼峰区 柳南区 柳北区 柳江区 柳城县 鹿寨县 融安县 "
    "融水苗族自治县 三江侗族自治县 秀峰区 叠彩区 象山区 七星区 雁山区 临桂区 阳朔县 灵川县 全州县 兴安县 永福县 "
    "灌阳县 龙胜各族自治县 资源县 平乐县 荔浦市 恭城瑶族自治县 万秀区 长洲区 龙圩区 苍梧县 藤县 蒙山县 岑溪市 "
    "港北区 港南区 覃塘区 平南县 桂平市 玉州区 福绵区 容县 陆川县 博白县 兴业县 北流市 右江区 田阳区 田东县 "
    "德保县 那坡县 凌云县 乐业县 田林县 西林县 隆林各族自治县 靖西市 平果市 八步区 平桂区 昭平县 钟山县 "
    "富川瑶族自治县 金城江区 宜州区 南丹县 天峨县 凤山县 东兰县 罗城仫佬族自治县 环江毛南族自治县 巴马瑶族自治县 "
    "都安瑶族自治县 大化瑶族自治县 兴宾区 忻城县 象州县 武宣县 金秀瑶族自治县 合山市 江州区 扶绥县 宁明县 龙州县 "
    "大新县 天等县 凭祥市"
).split()


def setup(args) -> dict:
    from django.db import transaction

    from onewindow.catalog.models import Announcement, Item, ItemStatus, ItemVersion, Material, Stage
    from onewindow.catalog.text import item_search_fields
    from onewindow.orgs.models import Department, Region

    if args.regions > len(COUNTIES):
        raise SystemExit(f"at most {len(COUNTIES)} counties")
    items = list(Item.objects.filter(status__in=(ItemStatus.ACTIVE, ItemStatus.SUSPENDED, ItemStatus.ABOLISHED))
                 .select_related("department").prefetch_related("materials", "stages", "life_events")
                 .order_by("id"))
    departments = list(Department.objects.select_related("region").order_by("id"))
    base_region = departments[0].region
    versions = {v.item_id: v for v in ItemVersion.objects.order_by("item_id", "-version").distinct("item_id")}
    announcements = {a.item_id: a for a in Announcement.objects.order_by("item_id", "-id").distinct("item_id")}
    with transaction.atomic():
        regions = Region.objects.bulk_create([
            Region(code=f"45{9000 + n:04d}000000", name=name, level=3, parent=base_region.parent)
            for n, name in enumerate(COUNTIES[:args.regions])])
        new_departments = Department.objects.bulk_create([
            Department(code=f"{d.code}-r{n:03d}", name=d.name.replace(base_region.name, region.name),
                       short_name=d.short_name, region=region, is_active=d.is_active)
            for n, region in enumerate(regions) for d in departments])
        by_key = {(d.code.rsplit("-r", 1)[0], int(d.code.rsplit("-r", 1)[1])): d for d in new_departments}
        copies = []
        for n, region in enumerate(regions):
            for item in items:
                copy = Item(**{f.attname: getattr(item, f.attname) for f in Item._meta.concrete_fields
                               if f.attname not in ("id", "parent_id")})
                copy.code = f"{item.code}-r{n:03d}"
                copy.department = by_key[(item.department.code, n)]
                copy.location = item.location.replace(base_region.name, region.name)
                copy.search_pinyin, copy.search_initials = item_search_fields(copy.name, copy.result_name)
                copies.append((n, item, copy))
        Item.objects.bulk_create([c for _n, _i, c in copies], batch_size=2000)
        materials, stages, links, rows_v, rows_a = [], [], [], [], []
        for n, item, copy in copies:
            for m in item.materials.all():
                materials.append(Material(**{f.attname: getattr(m, f.attname) for f in Material._meta.concrete_fields
                                             if f.attname not in ("id", "item_id")}, item=copy))
            for s in item.stages.all():
                stages.append(Stage(item=copy, step=s.step, kind=s.kind, name=s.name, limit_days=s.limit_days,
                                    department=by_key[(s.department.code, n)] if (s.department.code, n) in by_key
                                    else s.department))
            links += [Item.life_events.through(item_id=copy.pk, lifeevent_id=e.pk) for e in item.life_events.all()]
            if item.pk in versions:
                v = versions[item.pk]
                rows_v.append(ItemVersion(item=copy, version=v.version, snapshot={**v.snapshot, "code": copy.code},
                                          valid_from=v.valid_from, reason=v.reason))
            if item.pk in announcements:
                a = announcements[item.pk]
                rows_a.append(Announcement(item=copy, kind=a.kind, item_version=a.item_version,
                                           published_on=a.published_on, reason=a.reason, summary=a.summary))
        Material.objects.bulk_create(materials, batch_size=5000)
        Stage.objects.bulk_create(stages, batch_size=5000)
        Item.life_events.through.objects.bulk_create(links, batch_size=5000)
        ItemVersion.objects.bulk_create(rows_v, batch_size=2000)
        Announcement.objects.bulk_create(rows_a, batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"regions": len(regions) + 1, "items": Item.objects.count(),
            "public_items": Item.objects.exclude(status=ItemStatus.DRAFT).count(),
            "active_items": Item.objects.filter(status=ItemStatus.ACTIVE).count(),
            "materials": Material.objects.count(), "stages": Stage.objects.count(),
            "departments": Department.objects.count()}


def publish(args) -> dict:
    """A catalog edit through the catalog's own service (new version, announcement), as staff make it."""
    from onewindow.catalog import services
    from onewindow.catalog.models import Item

    item = Item.objects.get(code=args.code)
    item = services.update_item(item=item, data={"phone": args.phone}, reason="基准测试：更新咨询电话")
    return {"code": item.code, "version": item.version, "phone": item.phone}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_tasks")
    sub = parser.add_subparsers(dest="task", required=True)
    p = sub.add_parser("setup")
    p.add_argument("--regions", type=int, required=True)
    p.set_defaults(func=setup)
    p = sub.add_parser("publish")
    p.add_argument("--code", required=True)
    p.add_argument("--phone", required=True)
    p.set_defaults(func=publish)
    args = parser.parse_args(argv)
    django.setup()
    print(json.dumps(args.func(args), ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
