"""Bundles (一件事): one merged list of materials and the combined limit; the reform summary."""

import pytest

from onewindow.catalog import services
from onewindow.catalog.bundles import bundle_limit_days, bundle_materials
from onewindow.catalog.reports import reform_summary
from onewindow.core.errors import ValidationError
from tests.catalog.factories import BundleFactory, ItemFactory, MaterialFactory, make_item
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_bundle_materials_merge_duplicates_keeping_the_strictest_requirement():
    licence, seal, bank = ItemFactory(committed_limit_days=3), ItemFactory(committed_limit_days=1, is_immediate=True), \
        ItemFactory(committed_limit_days=2)
    MaterialFactory(item=licence, name="居民身份证", certificate_type="resident_id", required=False,
                    condition="委托办理时", copies=1)
    MaterialFactory(item=seal, name="法定代表人身份证", certificate_type="resident_id", required=True, copies=2,
                    waivable=True)
    MaterialFactory(item=licence, name="《公司章程》", required=True, waivable=True)
    MaterialFactory(item=bank, name="公司章程", required=True, original_required=True, waivable=False)
    MaterialFactory(item=bank, name="开户申请书", required=True)
    bundle = BundleFactory(items=[licence, seal, bank])

    merged = bundle_materials(bundle)
    assert [m.name for m in merged] == ["居民身份证", "《公司章程》", "开户申请书"]
    identity, charter, form = merged
    assert identity.required and identity.condition == "" and identity.copies == 2
    assert identity.item_codes == [licence.code, seal.code]
    assert charter.original_required and not charter.waivable
    assert len(charter.materials) == 2 and form.item_codes == [bank.code]


def test_bundle_limit_is_the_longest_item_limit_not_the_sum():
    bundle = BundleFactory(items=[ItemFactory(committed_limit_days=3), ItemFactory(committed_limit_days=5),
                                  ItemFactory(committed_limit_days=1, is_immediate=True)])
    assert bundle_limit_days(bundle) == 5
    assert bundle_limit_days(BundleFactory()) == 0


def test_save_bundle_upserts_in_order_and_refuses_bad_input():
    a, b = make_item(), make_item()
    bundle = services.save_bundle(code="kaiban", name="企业开办一件事", items=[b.code, a.code])
    assert list(bundle.bundle_items.values_list("item__code", flat=True)) == [b.code, a.code]
    assert bundle.search_initials == "qykbyjs"
    bundle = services.save_bundle(code="kaiban", name="企业开办“一件事”", items=[a.code, b.code])
    assert list(bundle.bundle_items.values_list("item__code", flat=True)) == [a.code, b.code]
    with pytest.raises(ValidationError) as exc:
        services.save_bundle(code="x", name="甲", items=[a.code])
    assert exc.value.field == "items"
    with pytest.raises(ValidationError) as exc:
        services.save_bundle(code="x", name="甲", items=[a.code, "114506810000000000-000000000000"])
    assert exc.value.field == "items" and "不存在" in exc.value.message
    services.abolish_item(item=a, actor=None, reason="取消")
    with pytest.raises(ValidationError):
        services.save_bundle(code="kaiban", name="企业开办", items=[a.code, b.code])


def test_reform_summary_on_a_known_catalog():
    scj, gaj = DepartmentFactory(code="scj"), DepartmentFactory(code="gaj")
    # scj: 3 items, legal 20/10/10, committed 5/2/1; visits 0, 0, 1
    ItemFactory(department=scj, legal_limit_days=20, committed_limit_days=5)
    ItemFactory(department=scj, legal_limit_days=10, committed_limit_days=2, online_depth=3)
    ItemFactory(department=scj, legal_limit_days=10, committed_limit_days=1, is_immediate=True, online_depth=3,
                max_visits=1, visit_reason="核验")
    # gaj: 1 item, 2 visits
    ItemFactory(department=gaj, legal_limit_days=20, committed_limit_days=12, online_depth=2, max_visits=2,
                visit_reason="采集指纹")
    ItemFactory(department=gaj, status="abolished", legal_limit_days=60, committed_limit_days=60)  # not counted

    s = reform_summary()
    assert s["items"] == 4
    assert (s["at_most_one_visit"], s["at_most_one_visit_pct"]) == (3, 75.0)
    assert (s["zero_visit"], s["zero_visit_pct"]) == (2, 50.0)
    assert (s["immediate"], s["fully_online"], s["fully_online_pct"]) == (1, 1, 25.0)
    assert (s["avg_legal_days"], s["avg_committed_days"]) == (15.0, 5.0)
    assert s["limit_reduction_pct"] == 66.7
    by = {d["department"]: d for d in s["by_department"]}
    assert by["scj"]["items"] == 3 and by["scj"]["avg_committed_days"] == pytest.approx(2.7)
    assert by["scj"]["limit_reduction_pct"] == 80.0
    assert by["gaj"]["items"] == 1 and by["gaj"]["at_most_one_visit_pct"] == 0.0
    assert reform_summary(queryset=ItemFactory._meta.model.objects.filter(department=gaj))["items"] == 1


def test_reform_summary_of_an_empty_catalog_is_zero():
    s = reform_summary()
    assert s["items"] == 0 and s["limit_reduction_pct"] == 0.0 and s["by_department"] == []


def test_limit_averages_count_only_items_in_working_days():
    dept = DepartmentFactory()
    ItemFactory(department=dept, legal_limit_days=20, committed_limit_days=5)
    ItemFactory(department=dept, legal_limit_days=60, committed_limit_days=20, limit_unit="natural")
    s = reform_summary()
    assert s["items"] == 2 and (s["avg_legal_days"], s["avg_committed_days"]) == (20.0, 5.0)
