"""Issue 16: each waivable material states its term (working days to supply it), imported and exported
with the catalog and checked like any field."""

import pytest
import yaml

from onewindow.catalog.io import export_catalog, import_catalog
from onewindow.catalog.models import Material
from tests.catalog.factories import make_item
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def _catalog(tmp_path):
    dept = DepartmentFactory(code="dx-gaj")
    make_item(dept, name="居住证明开具", materials=[{"name": "申请表"},
                                              {"name": "租房合同", "waivable": True, "waiver_term_days": 5}])
    path = tmp_path / "catalog.yaml"
    export_catalog(path)
    return path


def test_the_term_goes_out_and_comes_back_with_the_catalog(tmp_path):
    path = _catalog(tmp_path)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    lease = next(m for m in document["items"][0]["materials"] if m["name"] == "租房合同")
    assert lease["waiver_term_days"] == 5
    lease["waiver_term_days"] = 3
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    report = import_catalog(path, reason="容缺补齐时限调整为 3 个工作日")
    assert report.imported and report.updated == 1, report.lines()
    assert Material.objects.get(name="租房合同").waiver_term_days == 3


def test_a_term_beyond_20_working_days_is_reported_and_nothing_changes(tmp_path):
    path = _catalog(tmp_path)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["items"][0]["materials"][1]["waiver_term_days"] = 30
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    report = import_catalog(path)
    assert not report.imported
    assert any("容缺补齐时限" in line for line in report.lines()), report.lines()
    assert Material.objects.get(name="租房合同").waiver_term_days == 5
