"""Every limit carries its unit: working days (工作日, the Licensing Law's) or natural days (自然日, e.g.
a resident identity card within 60 days). The rules compare like with like; the notice, its PDF, the
announcements, the API and the files say the unit; an immediate item is announced as 即办."""

from datetime import date

import pytest
import yaml
from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from onewindow.catalog import selectors, services
from onewindow.catalog.io import export_catalog, import_catalog
from onewindow.catalog.models import Announcement, Item, LimitUnit
from onewindow.catalog.notices import bundle_notice
from onewindow.portal.pdf import notice_flowables
from tests.catalog.factories import BundleFactory, item_data, make_item
from tests.factories import DepartmentFactory
from tests.portal.test_notice_pdf import _texts

pytestmark = pytest.mark.django_db


def identity_card(department=None, **overrides):
    """An identity card item: 60 natural days by law, 20 promised (居民身份证法 Art. 11)."""
    values = {"name": "居民身份证首次申领", "legal_limit_days": 60, "committed_limit_days": 20,
              "limit_unit": "natural", "extension_days": 30, "stages": None}
    values.update(overrides)
    data = item_data(department, **values)
    code = data["department"]
    if data["stages"] is None:
        data["stages"] = [{"step": 1, "kind": "acceptance", "name": "受理", "limit_days": 0, "department": code},
                          {"step": 2, "kind": "review", "name": "审核", "limit_days": 4, "department": code},
                          {"step": 3, "kind": "delivery", "name": "制证与送达", "limit_days": 16, "department": code}]
    return services.create_item(data=data, reason="新增事项")


def test_the_unit_defaults_to_working_days_and_is_stored():
    assert make_item().limit_unit == LimitUnit.WORKING == "working"
    card = identity_card()
    assert (card.limit_unit, card.legal_limit_days, card.committed_limit_days) == ("natural", 60, 20)


def test_rules_compare_limits_in_the_item_s_own_unit():
    with pytest.raises(services.ItemInvalid) as err:
        identity_card(committed_limit_days=70)
    assert "承诺办结时限（70 个自然日）不能超过法定办结时限（60 个自然日）" in err.value.message
    with pytest.raises(services.ItemInvalid) as err:
        identity_card(committed_limit_days=10)  # the stages add up to 20
    assert "各环节时限合计 20 个自然日" in err.value.message and "10 个自然日" in err.value.message


def test_an_unknown_unit_is_refused_naming_the_field():
    with pytest.raises(services.ItemInvalid) as err:
        make_item(limit_unit="hours")
    assert err.value.field == "limit_unit" and "hours" in err.value.message
    assert not Item.objects.filter(limit_unit="hours").exists()


def test_the_database_refuses_an_unknown_unit_and_a_published_item_without_limits():
    item = make_item()
    for field, value in (("limit_unit", "hours"), ("legal_limit_days", None), ("kind", "")):
        with pytest.raises(IntegrityError), transaction.atomic():
            Item.objects.filter(pk=item.pk).update(**{field: value})


def test_the_notice_says_the_unit_for_every_limit():
    notice = selectors.one_time_notice(selectors.get_item(identity_card().code))
    assert (notice.limit_unit, notice.limit_unit_label) == ("natural", "自然日")
    assert notice.committed_limit_text == "20 个自然日" and notice.legal_limit_text == "60 个自然日"
    assert notice.extension_text == "30 个自然日"
    assert [s.limit_text for step in notice.steps for s in step.stages] == ["即时", "4 个自然日", "16 个自然日"]
    working = selectors.one_time_notice(selectors.get_item(make_item(extension_days=10).code))
    assert working.committed_limit_text == "3 个工作日" and working.extension_text == "10 个工作日"


def test_the_notice_pdf_says_natural_days():
    card = identity_card()
    notice = selectors.published_notice(card.code)
    texts = " ".join(_texts(notice_flowables(notice, item_url="https://x/", printed_on=date(2026, 3, 2))))
    assert "20 个自然日" in texts and "60 个自然日" in texts and "16 个自然日" in texts
    assert "经批准可延长 30 个自然日" in texts and "个工作日" not in texts


def test_the_notice_page_says_natural_days(client):
    card = identity_card()
    page = client.get(f"/items/{card.code}/").content.decode()
    assert "20 个自然日" in page and "60 个自然日" in page and "经批准可延长 30 个自然日" in page
    results = client.get("/items/", {"q": "居民身份证"}).content.decode()
    assert "承诺 20 个自然日" in results and "法定时限 60 个自然日" in results


def test_announcements_say_the_unit_and_immediate_items_are_announced_as_immediate():
    card = identity_card()
    assert "承诺办结时限：20 个自然日" in Announcement.objects.get(item=card).summary
    seal = make_item(name="公章刻制备案", is_immediate=True, committed_limit_days=0, legal_limit_days=1, stages=[])
    summary = Announcement.objects.get(item=seal).summary
    assert "承诺办结时限：即办" in summary and "0 个工作日" not in summary
    services.update_item(item=card, data={"committed_limit_days": 15, "stages": []}, reason="压缩时限")
    changed = Announcement.objects.get(item=card, kind="changed").summary
    assert "承诺办结时限：20 → 15" in changed and "4 个自然日" in changed


def test_the_public_api_gives_the_unit(client):
    card = identity_card()
    listed = client.get("/api/v1/items", {"q": "居民身份证"}).json()["results"][0]
    assert listed["limit_unit"] == "natural" and listed["committed_limit_days"] == 20
    notice = client.get(f"/api/v1/items/{card.code}/notice").json()
    assert (notice["limit_unit"], notice["limit_unit_label"], notice["committed_limit_text"]) == (
        "natural", "自然日", "20 个自然日")


def test_a_bundle_compares_limits_only_within_a_unit():
    dept = DepartmentFactory()
    card = identity_card(dept)
    licence = make_item(dept, legal_limit_days=20, committed_limit_days=3)
    notice = bundle_notice(BundleFactory(items=[card, licence]))
    assert notice.combined_limits == {"natural": 20, "working": 3}
    assert notice.combined_limit_text == "3 个工作日、20 个自然日"
    assert notice.combined_limit_days == 3  # the working-day figure the field always meant
    assert [i.committed_limit_text for i in notice.items] == ["20 个自然日", "3 个工作日"]


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_files_carry_the_unit_both_ways(tmp_path, suffix):
    card = identity_card()
    path = tmp_path / f"catalog{suffix}"
    export_catalog(path)
    if suffix == ".yaml":
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["items"][0]["limit_unit"] == "natural"
    Announcement.objects.all().delete()
    Item.objects.all().delete()
    report = import_catalog(path)
    assert report.imported and not any("limit_unit" in n for n in report.notes), report.lines()
    assert Item.objects.get(code=card.code).limit_unit == "natural"


def test_a_file_without_the_unit_says_it_assumed_working_days(tmp_path):
    dept = DepartmentFactory()
    data = item_data(dept)
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump({"format": "onewindow-catalog/1", "items": [data]}, allow_unicode=True),
                    encoding="utf-8")
    report = import_catalog(path)
    assert any("1 个事项未注明 limit_unit" in n and "工作日" in n for n in report.notes)
    assert Item.objects.get(code=data["code"]).limit_unit == "working"


def test_a_spreadsheet_may_name_the_unit_in_chinese(tmp_path):
    make_item()
    path = tmp_path / "catalog.xlsx"
    export_catalog(path)
    wb = load_workbook(path)
    sheet = wb["items"]
    column = [c.value for c in sheet[1]].index("limit_unit") + 1
    sheet.cell(row=2, column=column, value="自然日")
    wb.save(path)
    report = import_catalog(path, reason="改为自然日")
    assert report.updated == 1, report.lines()
    assert Item.objects.get().limit_unit == "natural"


def test_the_sample_identity_card_items_count_natural_days():
    from onewindow.catalog.sample import load_sample_catalog
    from onewindow.orgs.sample import load_sample_orgs

    load_sample_orgs()
    load_sample_catalog()
    cards = Item.objects.filter(name__startswith="居民身份证")
    assert cards.count() == 4 and set(cards.values_list("limit_unit", "legal_limit_days")) == {("natural", 60)}
    assert Item.objects.filter(limit_unit="working").count() > 40
