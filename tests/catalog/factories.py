"""Catalog factories and helpers.

    item = ItemFactory()                       # a consistent, active, fully online item (ORM, no version)
    data = item_data(department=dept)          # catalog-file data for services.create_item
    item = make_item(department=dept)          # created through services (version 1 + announcement)
"""

from __future__ import annotations

import factory

from onewindow.catalog import services
from onewindow.catalog.models import Bundle, BundleItem, Item, LifeEvent, Material, Stage
from onewindow.catalog.text import item_search_fields
from tests.factories import DepartmentFactory, UserFactory

_seq = iter(range(1, 10**9))


def next_code() -> str:
    n = next(_seq)
    return f"11450681000000{n:04d}-{n:012d}"


class ItemFactory(factory.django.DjangoModelFactory):
    """An item that satisfies every catalog rule: promised (5 of 20 working days), fully online, zero
    visits."""

    class Meta:
        model = Item
        django_get_or_create = ("code",)

    code = factory.LazyFunction(next_code)
    name = factory.Sequence(lambda n: f"测试事项{n}")
    kind = "licensing"
    level = "main"
    department = factory.SubFactory(DepartmentFactory)
    legal_limit_days = 20
    committed_limit_days = 5
    is_immediate = False
    max_visits = 0
    online_depth = 4
    offers_post_delivery = True
    channel_online = True
    status = "active"
    search_pinyin = factory.LazyAttribute(lambda o: item_search_fields(o.name, getattr(o, "result_name", ""))[0])
    search_initials = factory.LazyAttribute(lambda o: item_search_fields(o.name, getattr(o, "result_name", ""))[1])


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    item = factory.SubFactory(ItemFactory)
    order = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"材料{n}")
    required = True


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    item = factory.SubFactory(ItemFactory)
    step = 1
    kind = "review"
    name = "审查与决定"
    limit_days = 0
    department = factory.LazyAttribute(lambda o: o.item.department)


class LifeEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LifeEvent
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"event-{n}")
    name = factory.Sequence(lambda n: f"主题{n}")
    audience = "person"


class BundleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bundle
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"bundle-{n}")
    name = factory.Sequence(lambda n: f"一件事{n}")

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        for order, item in enumerate(extracted or [], start=1):
            BundleItem.objects.create(bundle=self, item=item, order=order)


def item_data(department=None, **overrides) -> dict:
    """Valid catalog-file data for one item; keyword arguments override fields."""
    code = department if isinstance(department, str) else (department or DepartmentFactory()).code
    data = {
        "code": next_code(),
        "name": "个体工商户设立登记",
        "kind": "licensing",
        "level": "main",
        "department": code,
        "legal_limit_days": 15,
        "committed_limit_days": 3,
        "is_immediate": False,
        "max_visits": 0,
        "online_depth": 4,
        "offers_post_delivery": True,
        "channels": ["window", "online"],
        "materials": [
            {"name": "申请书", "required": True},
            {"name": "居民身份证", "required": True, "certificate_type": "resident_id"},
        ],
        "stages": [
            {"step": 1, "kind": "acceptance", "name": "收件与受理", "limit_days": 0, "department": code},
            {"step": 2, "kind": "review", "name": "审查与决定", "limit_days": 3, "department": code},
        ],
    }
    data.update(overrides)
    return data


def make_item(department=None, *, reason="新增事项", actor=None, **overrides) -> Item:
    return services.create_item(data=item_data(department, **overrides), actor=actor, reason=reason)


def make_admin():
    return UserFactory(is_staff=True, is_superuser=True)
