"""Catalog rows for the public-site, selector and API tests, built straight on the models (the search
fields filled as catalog.services fills them) so these tests read the catalog without depending on
the write path's rules.

    from tests.portal.factories import make_item, make_bundle
    item = make_item(name="个体工商户设立登记", materials=[{"name": "身份证"}])
"""

from __future__ import annotations

from datetime import date
from itertools import count

from onewindow.catalog.models import (
    Announcement,
    Bundle,
    BundleItem,
    Item,
    ItemKind,
    ItemStatus,
    LifeEvent,
    Material,
    Stage,
)
from onewindow.catalog.text import item_search_fields
from tests.factories import DepartmentFactory

_codes = count(1)


def make_department(code: str | None = None, name: str | None = None, **fields):
    if code:
        fields["code"] = code
    if name:
        fields["name"] = name
        fields.setdefault("short_name", name)
    return DepartmentFactory(**fields)


def make_life_event(code: str = "kaiban-qiye", name: str = "开办企业", audience: str = "enterprise",
                    order: int = 1) -> LifeEvent:
    return LifeEvent.objects.get_or_create(code=code, defaults={"name": name, "audience": audience,
                                                               "order": order})[0]


def make_item(*, name: str = "测试事项", department=None, materials: list[dict] | None = None,
              stages: list[dict] | None = None, life_events: list[LifeEvent] | None = None, **fields) -> Item:
    """An item (active, promised, 1 visit unless overridden) with optional materials and stages.

    ``stages`` entries may name a ``department`` (a Department); by default the item's own.
    """
    department = department or make_department()
    full, initials = item_search_fields(name, fields.get("result_name", ""))
    values = {
        "code": f"11450681000000000{next(_codes):04d}-01",
        "kind": ItemKind.LICENSING,
        "legal_limit_days": 20,
        "committed_limit_days": 5,
        "max_visits": 1,
        "visit_reason": "需现场核验原件",
        "location": "东兴市政务服务中心一楼综合窗口",
        "opening_hours": "周一至周五 8:00-12:00，14:30-17:30",
        "phone": "0770-7688000",
        "status": ItemStatus.ACTIVE,
    }
    values.update(fields)
    item = Item.objects.create(name=name, department=department, search_pinyin=full,
                               search_initials=initials, **values)
    for order, spec in enumerate(materials or [], start=1):
        Material.objects.create(item=item, order=spec.pop("order", order), **spec)
    for spec in stages or []:
        spec.setdefault("department", department)
        Stage.objects.create(item=item, **spec)
    if life_events:
        item.life_events.set(life_events)
    return item


def make_bundle(*, code: str = "company-startup", name: str = "企业开办“一件事”", items: list[Item],
                life_event: LifeEvent | None = None, description: str = "") -> Bundle:
    bundle = Bundle.objects.create(code=code, name=name, life_event=life_event, description=description)
    for order, item in enumerate(items, start=1):
        BundleItem.objects.create(bundle=bundle, item=item, order=order)
    return bundle


def make_announcement(item: Item, *, kind: str = "added", published_on: date = date(2026, 3, 1),
                      reason: str = "依法公布", summary: str = "") -> Announcement:
    return Announcement.objects.create(item=item, kind=kind, item_version=item.version, published_on=published_on,
                                       reason=reason, summary=summary)


def business_licence_item(**fields) -> Item:
    """营业执照-like item of 东兴市市场监督管理局 with required, conditional, auto-obtained and
    waivable materials and a parallel review step."""
    scjg = make_department("dx-scjg", "东兴市市场监督管理局")
    swj = make_department("dx-swj", "国家税务总局东兴市税务局")
    return make_item(
        name=fields.pop("name", "营业执照"),
        department=scjg,
        legal_basis="《中华人民共和国市场主体登记管理条例》第十九条",
        conditions="申请人具有完全民事行为能力",
        legal_limit_days=15,
        committed_limit_days=1,
        extension_days=10,
        result_name="营业执照",
        result_certificate_type="business_licence",
        channel_online=True,
        offers_post_delivery=True,
        materials=[
            {"name": "市场主体登记申请书", "form": "both", "copies": 1, "original_required": True},
            {"name": "居民身份证", "source": "e_certificate", "certificate_type": "resident_id"},
            {"name": "住所使用证明", "waivable": True, "note": "租赁合同或产权证明"},
            {"name": "委托书", "required": False, "condition": "委托他人办理的"},
        ],
        stages=[
            {"step": 1, "kind": "acceptance", "name": "收件与受理", "limit_days": 0},
            {"step": 2, "kind": "review", "name": "登记审查", "limit_days": 1},
            {"step": 2, "kind": "review", "name": "税务信息确认", "limit_days": 1, "department": swj},
            {"step": 3, "kind": "delivery", "name": "颁证与送达", "limit_days": 0},
        ],
        **fields,
    )
