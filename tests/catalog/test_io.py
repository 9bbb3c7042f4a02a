"""Catalog import and export: YAML and XLSX round trips, all-or-nothing imports that report every bad
row by its place in the file, idempotent re-imports, and the provincial portal's CSV."""

import pytest
import yaml
from openpyxl import load_workbook

from onewindow.catalog import services
from onewindow.catalog.io import export_catalog, import_catalog
from onewindow.catalog.itemdata import item_to_data
from onewindow.catalog.models import Announcement, Bundle, Item, ItemVersion, LifeEvent
from onewindow.core.errors import ValidationError
from tests.catalog.factories import LifeEventFactory, make_item
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def _small_catalog():
    dept = DepartmentFactory(code="dx-scjg")
    LifeEventFactory(code="kaiban-qiye", name="开办企业", audience="enterprise")
    main = make_item(dept, name="个体工商户登记", life_events=["kaiban-qiye"],
                     instant_approval_rules=[{"field": "registered_capital", "op": "lte", "value": 1000000,
                                              "label": "注册资本不超过100万元"}])
    handling = make_item(dept, name="个体工商户设立登记", level="handling", handling_type="new", parent=main.code,
                         has_fee=True, fee_amount="12.50", online_payment=True, location="一楼综合窗口")
    seal = make_item(dept, name="公章刻制备案", is_immediate=True, committed_limit_days=1, stages=[],
                     materials=[{"name": "授权委托书", "required": False, "condition": "委托他人办理时"}])
    services.save_bundle(code="company-startup", name="企业开办一件事", items=[handling.code, seal.code],
                         life_event="kaiban-qiye")
    return dept


def _snapshot_all():
    return {i.code: item_to_data(i) for i in Item.objects.all()}


def _wipe_catalog():
    Bundle.objects.all().delete()
    Announcement.objects.all().delete()
    for level in ("handling", "sub", "main"):  # children before their parents
        Item.objects.filter(level=level).delete()
    LifeEvent.objects.all().delete()


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_round_trip_into_an_empty_catalog_gives_the_same_items(tmp_path, suffix):
    _small_catalog()
    before = _snapshot_all()
    path = tmp_path / f"catalog{suffix}"
    assert export_catalog(path) == 3
    _wipe_catalog()
    report = import_catalog(path, reason="恢复目录")
    assert report.imported and not report.errors, report.lines()
    assert report.created == 3 and report.bundles == 1 and report.life_events == 1
    assert _snapshot_all() == before
    bundle = Bundle.objects.get(code="company-startup")
    assert bundle.life_event.code == "kaiban-qiye" and bundle.items.count() == 2


def test_yaml_export_follows_the_catalog_format(tmp_path):
    _small_catalog()
    path = tmp_path / "catalog.yml"
    export_catalog(path)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document["format"] == "onewindow-catalog/1"
    first = document["items"][0]
    assert first["level"] == "main" and first["department"] == "dx-scjg" and first["parent"] is None
    assert first["channels"] == ["window", "online"]
    assert [i["level"] for i in document["items"]] == ["main", "main", "handling"]  # parents first
    handling = document["items"][2]
    assert document["bundles"][0]["items"][0] == handling["code"] and handling["fee_amount"] == 12.5


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_importing_the_same_file_twice_changes_nothing(tmp_path, suffix):
    _small_catalog()
    path = tmp_path / f"catalog{suffix}"
    export_catalog(path)
    versions, announcements = ItemVersion.objects.count(), Announcement.objects.count()
    for _ in range(2):
        report = import_catalog(path)
        assert report.imported and (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert (ItemVersion.objects.count(), Announcement.objects.count()) == (versions, announcements)


def test_yaml_import_changes_one_item_and_announces_it(tmp_path):
    _small_catalog()
    path = tmp_path / "catalog.yaml"
    export_catalog(path)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["items"][0]["phone"] = "0770-7688000"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    report = import_catalog(path, reason="更新咨询电话")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    changed = Announcement.objects.get(kind="changed")
    assert changed.reason == "更新咨询电话" and "咨询电话" in changed.summary


def test_bad_yaml_rows_are_all_reported_and_nothing_is_imported(tmp_path):
    DepartmentFactory(code="dx-scjg")
    good = {"code": "114506810000000000-000105001000", "name": "甲", "kind": "licensing", "level": "main",
            "department": "dx-scjg", "legal_limit_days": 20, "committed_limit_days": 5, "max_visits": 0,
            "online_depth": 4}
    items = [dict(good, code=f"114506810000000000-00010500100{i}", name=f"事项{i}") for i in range(6)]
    items[2]["committed_limit_days"] = 30          # third item: committed > legal
    items[4]["department"] = "dx-nowhere"          # fifth item: unknown department
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"format": "onewindow-catalog/1", "items": items}, allow_unicode=True),
                    encoding="utf-8")
    report = import_catalog(path)
    assert not report.imported and report.bad_count == 2
    assert any(e.startswith("items[2] (114506810000000000-000105001002)：committed_limit_days：") for e in report.errors)
    assert any(e.startswith("items[4] (114506810000000000-000105001004)：department：") and "dx-nowhere" in e
               for e in report.errors)
    assert not Item.objects.exists()

    skipped = import_catalog(path, skip_bad=True)
    assert skipped.imported and skipped.created == 4 and len(skipped.bad_rows) == 2


def test_bad_xlsx_rows_are_reported_with_sheet_and_row(tmp_path):
    _small_catalog()
    path = tmp_path / "catalog.xlsx"
    export_catalog(path)
    before = _snapshot_all()
    wb = load_workbook(path)
    items, materials = wb["items"], wb["materials"]
    header = [c.value for c in items[1]]
    items.cell(row=3, column=header.index("committed_limit_days") + 1, value=99)      # items row 3
    items.cell(row=4, column=header.index("department") + 1, value="dx-nowhere")       # items row 4
    m_header = [c.value for c in materials[1]]
    materials.cell(row=5, column=m_header.index("item_code") + 1, value="no-such-item")  # materials row 5
    wb.save(path)
    report = import_catalog(path)
    assert not report.imported
    text = "\n".join(report.errors)
    assert "items 第3行" in text and "committed_limit_days" in text
    assert "items 第4行" in text and "dx-nowhere" in text
    assert "materials 表第5行" in text
    assert _snapshot_all() == before


def test_dry_run_writes_nothing(tmp_path):
    _small_catalog()
    path = tmp_path / "catalog.yaml"
    export_catalog(path)
    _wipe_catalog()
    report = import_catalog(path, dry_run=True)
    assert report.created == 3 and not report.imported
    assert not Item.objects.exists()


def test_unknown_extension_and_missing_file_are_refused(tmp_path):
    with pytest.raises(ValidationError) as exc:
        import_catalog(tmp_path / "catalog.json")
    assert exc.value.field == "path"
    with pytest.raises(ValidationError):
        import_catalog(tmp_path / "missing.yaml")
