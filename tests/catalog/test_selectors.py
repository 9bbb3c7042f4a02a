"""catalog.selectors: search, browse counts, the one-time notice and the bundle notice."""

from datetime import date

import pytest

from onewindow.catalog import selectors
from onewindow.catalog.models import ItemStatus
from onewindow.core.errors import NotFound
from tests.portal.factories import (
    business_licence_item,
    make_announcement,
    make_bundle,
    make_department,
    make_item,
    make_life_event,
)

pytestmark = pytest.mark.django_db


def names(rows):
    return [row.name for row in rows]


def test_pinyin_initials_yyzz_find_business_licence():
    licence = business_licence_item()
    make_item(name="个体工商户营业执照变更登记")
    make_item(name="居民身份证换领")
    found = names(selectors.search_items(query="yyzz"))
    assert found[0] == licence.name
    assert "个体工商户营业执照变更登记" in found
    assert "居民身份证换领" not in found


def test_full_pinyin_name_fragment_and_code_all_find_the_item():
    licence = business_licence_item()
    make_item(name="道路运输经营许可")
    assert names(selectors.search_items(query="yingyezhizhao")) == [licence.name]
    assert names(selectors.search_items(query="Ying Ye")) == [licence.name]
    assert names(selectors.search_items(query="执照")) == [licence.name]
    assert names(selectors.search_items(query=licence.code)) == [licence.name]


def test_result_name_is_searchable_in_chinese_and_pinyin():
    startup = make_item(name="个体工商户设立登记", result_name="个体工商户营业执照")
    make_item(name="食品经营许可", result_name="食品经营许可证")
    assert names(selectors.search_items(query="yyzz")) == [startup.name]
    assert names(selectors.search_items(query="营业执照")) == [startup.name]
    assert names(selectors.search_items(query="yingyezhizhao")) == [startup.name]


def test_name_matches_rank_before_result_name_matches():
    by_result = make_item(name="个体工商户设立登记", result_name="营业执照")
    by_name = make_item(name="营业执照遗失补领")
    assert names(selectors.search_items(query="yyzz")) == [by_name.name, by_result.name]


def test_exact_name_match_comes_before_longer_names():
    make_item(name="营业执照遗失补领")
    make_item(name="个体营业执照")
    exact = make_item(name="营业执照")
    assert selectors.search_items(query="营业执照").first() == exact


def test_department_life_event_kind_and_zero_run_filters():
    event = make_life_event()
    licence = business_licence_item(life_events=[event])
    police = make_department("dx-gaj", "东兴市公安局")
    passport = make_item(name="普通护照签发", department=police, kind="confirmation", max_visits=0,
                         online_depth=4, visit_reason="", offers_post_delivery=True)
    assert names(selectors.search_items(department_code="dx-scjg")) == [licence.name]
    assert names(selectors.search_items(life_event_code="kaiban-qiye")) == [licence.name]
    assert names(selectors.search_items(kind="confirmation")) == [passport.name]
    assert names(selectors.search_items(zero_run=True)) == [passport.name]
    assert names(selectors.search_items(zero_run=False)) == [licence.name]
    assert list(selectors.search_items(department_code="no-such-dept")) == []


def test_inactive_items_hidden_from_search_unless_asked_and_drafts_never():
    active = make_item(name="营业执照")
    make_item(name="营业执照注销", status=ItemStatus.ABOLISHED)
    make_item(name="营业执照补发", status=ItemStatus.SUSPENDED)
    make_item(name="营业执照草稿", status=ItemStatus.DRAFT)
    assert names(selectors.search_items(query="yyzz")) == [active.name]
    everything = names(selectors.search_items(query="yyzz", include_inactive=True))
    assert sorted(everything) == sorted(["营业执照", "营业执照注销", "营业执照补发"])


def test_departments_and_life_events_count_active_items_only():
    event = make_life_event()
    dept = make_department("dx-scjg", "东兴市市场监督管理局")
    make_item(name="甲", department=dept, life_events=[event])
    make_item(name="乙", department=dept, max_visits=0, visit_reason="", offers_post_delivery=True,
              life_events=[event])
    make_item(name="丙", department=dept, status=ItemStatus.ABOLISHED, life_events=[event])
    empty = make_department("dx-mzj", "东兴市民政局")
    counts = {d.code: (d.item_count, d.zero_run_count) for d in selectors.departments_with_counts()}
    assert counts["dx-scjg"] == (2, 1)
    assert counts[empty.code] == (0, 0)
    assert {e.code: e.item_count for e in selectors.life_events_with_counts()} == {"kaiban-qiye": 2}


def test_get_item_unknown_or_draft_is_not_found_but_abolished_is_public():
    draft = make_item(name="草稿事项", status=ItemStatus.DRAFT)
    abolished = make_item(name="已取消事项", status=ItemStatus.ABOLISHED)
    with pytest.raises(NotFound) as err:
        selectors.get_item("no-such-code")
    assert err.value.field == "code"
    with pytest.raises(NotFound):
        selectors.get_item(draft.code)
    assert selectors.get_item(abolished.code) == abolished


def test_one_time_notice_groups_materials_and_marks_auto_obtained_and_waivable():
    notice = selectors.one_time_notice(selectors.get_item(business_licence_item().code))
    required = {m.name: m for m in notice.required_materials}
    assert list(required) == ["市场主体登记申请书", "居民身份证", "住所使用证明"]
    assert [m.name for m in notice.conditional_materials] == ["委托书"]
    assert notice.conditional_materials[0].condition == "委托他人办理的"
    assert required["居民身份证"].auto_obtained
    assert required["居民身份证"].submission_text.startswith("已有电子证照的系统自动调取；没有的提交")
    assert not required["市场主体登记申请书"].auto_obtained
    assert required["市场主体登记申请书"].submission_text == "纸质或电子，原件，1 份"
    assert required["住所使用证明"].waivable
    assert notice.auto_materials_count == 1
    assert notice.materials_total == 4


def test_one_time_notice_limits_visits_channels_and_parallel_steps():
    notice = selectors.one_time_notice(selectors.get_item(business_licence_item().code))
    assert (notice.legal_limit_days, notice.committed_limit_days, notice.extension_days) == (15, 1, 10)
    assert notice.committed_limit_text == "1 个工作日"
    assert notice.handling_label == "承诺件"
    assert notice.visits_text == "最多跑一次"
    assert notice.channels == ["窗口办理", "网上办理"]
    assert notice.result_is_e_certificate
    assert [step.step for step in notice.steps] == [1, 2, 3]
    review = notice.steps[1]
    assert review.parallel
    assert {s.department_code for s in review.stages} == {"dx-scjg", "dx-swj"}
    assert not notice.steps[0].parallel
    assert notice.catalog_version == 1
    assert notice.status_announcement is None


def test_immediate_zero_run_item_reads_as_such():
    item = make_item(name="个体工商户名称自主申报", is_immediate=True, committed_limit_days=0, max_visits=0,
                     online_depth=4, visit_reason="", offers_post_delivery=True)
    notice = selectors.one_time_notice(selectors.get_item(item.code))
    assert notice.handling_label == "即办件"
    assert notice.committed_limit_text == "即办（当场办结）"
    assert notice.visits_text == "零跑动（0 次）"
    assert notice.zero_run


def test_notice_of_abolished_item_carries_its_announcement():
    item = make_item(name="印章刻制审批", status=ItemStatus.ABOLISHED)
    make_announcement(item, kind="added", published_on=date(2020, 1, 1), reason="新设")
    make_announcement(item, kind="abolished", published_on=date(2026, 2, 1), reason="国务院决定取消")
    notice = selectors.one_time_notice(selectors.get_item(item.code))
    assert not notice.is_active
    assert notice.status_label == "已取消"
    assert notice.status_announcement.reason == "国务院决定取消"
    assert notice.status_announcement.published_on == date(2026, 2, 1)


def test_announcements_newest_first_filtered_by_kind_and_without_drafts():
    a = make_item(name="甲")
    b = make_item(name="乙")
    draft = make_item(name="丙", status=ItemStatus.DRAFT)
    make_announcement(a, kind="added", published_on=date(2026, 1, 5))
    make_announcement(b, kind="changed", published_on=date(2026, 3, 5))
    make_announcement(draft, kind="changed", published_on=date(2026, 4, 5))
    assert [row.item.name for row in selectors.announcements()] == ["乙", "甲"]
    assert [row.item.name for row in selectors.announcements(kind="added")] == ["甲"]
    assert len(selectors.announcements(limit=1)) == 1


def test_bundle_notice_merges_shared_materials_and_takes_the_longest_limit():
    scjg = make_department("dx-scjg", "东兴市市场监督管理局")
    gaj = make_department("dx-gaj", "东兴市公安局")
    licence = make_item(name="企业设立登记", department=scjg, committed_limit_days=1, materials=[
        {"name": "居民身份证", "certificate_type": "resident_id", "copies": 1},
        {"name": "公司章程"},
    ])
    seal = make_item(name="印章刻制备案", department=gaj, committed_limit_days=2, materials=[
        {"name": "居民身份证", "certificate_type": "resident_id", "copies": 2},
        {"name": "营业执照", "source": "e_certificate", "certificate_type": "business_licence"},
    ])
    bundle = make_bundle(items=[licence, seal], life_event=make_life_event())
    notice = selectors.bundle_notice(selectors.get_bundle(bundle.code))
    materials = {m.name: m for m in notice.required_materials}
    assert list(materials) == ["居民身份证", "公司章程", "营业执照"]
    assert materials["居民身份证"].copies == 2
    assert materials["居民身份证"].item_names == ["企业设立登记", "印章刻制备案"]
    assert materials["营业执照"].auto_obtained
    assert notice.combined_limit_days == 2
    assert notice.sum_of_limits_days == 3
    assert notice.materials_before_merge == 4
    assert [i.name for i in notice.items] == ["企业设立登记", "印章刻制备案"]


def test_unknown_bundle_or_life_event_is_not_found():
    with pytest.raises(NotFound):
        selectors.get_bundle("nope")
    with pytest.raises(NotFound):
        selectors.get_life_event("nope")


def test_visit_distribution_splits_the_reform_summary():
    make_item(name="甲", max_visits=0, visit_reason="", offers_post_delivery=True)
    make_item(name="乙", max_visits=1)
    make_item(name="丙", max_visits=2)
    make_item(name="丁", max_visits=3, status=ItemStatus.ABOLISHED)
    assert selectors.visit_distribution(selectors.reform_summary()) == {"zero": 1, "once": 1, "more": 1, "total": 3}


def test_words_separated_by_a_space_must_each_match():
    licence = business_licence_item()
    change = make_item(name="个体工商户营业执照变更登记")
    make_item(name="营业性演出许可")
    make_item(name="建筑施工企业安全生产许可证核发（执照类）")
    assert set(names(selectors.search_items(query="营业 执照"))) == {licence.name, change.name}
    assert set(names(selectors.search_items(query="执照　营业"))) == {licence.name, change.name}  # any order, full-width space
    assert names(selectors.search_items(query="yyzz 变更")) == [change.name]
    assert names(selectors.search_items(query="营业 执照"))[0] == licence.name  # the phrase ranks as 营业执照
    assert list(selectors.search_items(query="营业 护照")) == []


def test_a_spaced_query_still_uses_the_trigram_indexes_on_postgresql(is_postgres):
    from django.db import connection

    if not is_postgres:
        pytest.skip("pg_trgm is PostgreSQL's; SQLite scans")
    from onewindow.catalog.models import Item

    licence = business_licence_item()
    # Enough active rows that the (status) index would fetch them all.
    Item.objects.bulk_create([Item(code=f"T{n:07d}", name=f"道路运输经营许可{n}号", kind="licensing",
                                   department=licence.department, legal_limit_days=20, committed_limit_days=5,
                                   search_pinyin=f"daoluyunshu{n}", search_initials=f"dlys{n}")
                              for n in range(5000)])
    # Pinyin words: pg_trgm makes trigrams of Chinese characters only under a UTF-8 LC_CTYPE other than C.
    rows = selectors.search_items(query="yingye zhizhao")
    assert list(rows) == [licence]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        # What autovacuum does to a live table: merge the GIN indexes' pending lists, gather statistics.
        for column in ("name", "code", "search_initials", "search_pinyin", "result_name"):
            cursor.execute(f"SELECT gin_clean_pending_list('catalog_item_{column}_trgm'::regclass)")
        cursor.execute("ANALYZE catalog_item")
        # At 5,000 rows reading the whole table still costs little: make the planner show what it would
        # do with a province's catalog, which it reaches through indexes.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "catalog_item_search_pinyin_trgm" in plan, plan
