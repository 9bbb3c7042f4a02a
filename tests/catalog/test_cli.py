"""`onewindow catalog export|import|summary|check`: good paths exit 0, bad input exits 2 with one line
on stderr and nothing imported."""

import pytest
import yaml

from onewindow.catalog.models import Item
from onewindow.cli import main
from tests.catalog.factories import ItemFactory, make_item
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_export_then_import_round_trip(tmp_path, capsys):
    make_item(DepartmentFactory(code="dx-scjg"), name="个体工商户设立登记")
    path = tmp_path / "catalog.yaml"
    assert main(["catalog", "export", str(path)]) == 0
    assert "1" in capsys.readouterr().out
    assert main(["catalog", "import", str(path), "--reason", "复核"]) == 0
    out = capsys.readouterr().out
    assert "未变 1 项" in out


def test_import_with_bad_rows_exits_2_and_lists_each_row(tmp_path, capsys):
    DepartmentFactory(code="dx-scjg")
    items = [{"code": f"114506810000000000-00010500100{i}", "name": f"事项{i}", "kind": "licensing", "level": "main",
              "department": "dx-scjg", "legal_limit_days": 20, "committed_limit_days": 5, "max_visits": 0,
              "online_depth": 4} for i in range(3)]
    items[1]["committed_limit_days"] = 25
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"items": items}, allow_unicode=True), encoding="utf-8")
    assert main(["catalog", "import", str(path)]) == 2
    captured = capsys.readouterr()
    assert "items[1] (114506810000000000-000105001001)：committed_limit_days" in captured.out
    assert captured.err.count("\n") == 1 and "1 行有误，未导入任何内容" in captured.err
    assert not Item.objects.exists()


def test_dry_run_imports_nothing(tmp_path, capsys):
    make_item(DepartmentFactory(code="dx-scjg"))
    path = tmp_path / "catalog.xlsx"
    assert main(["catalog", "export", str(path)]) == 0
    Item.objects.update(name="改过的名字")
    assert main(["catalog", "import", str(path), "--dry-run"]) == 0
    assert "试运行" in capsys.readouterr().out
    assert Item.objects.get().name == "改过的名字"


@pytest.mark.parametrize("name", ["catalog.json", "missing.yaml"])
def test_unknown_extension_or_missing_file_exits_2(tmp_path, capsys, name):
    assert main(["catalog", "import", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("onewindow catalog: error:") and err.count("\n") == 1


@pytest.mark.parametrize("region", ["45060", "4506x0000000", "000600000000", "4506000000001"])
def test_import_with_a_region_that_is_no_division_code_exits_2(tmp_path, capsys, region):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n", encoding="utf-8")
    assert main(["catalog", "import", str(path), "--region", region]) == 2
    err = capsys.readouterr().err
    assert region in err and "区划代码" in err and err.count("\n") == 1


def test_summary_prints_the_reform_figures(capsys):
    ItemFactory(legal_limit_days=20, committed_limit_days=5)
    assert main(["catalog", "summary"]) == 0
    out = capsys.readouterr().out
    assert "在用事项 active items: 1" in out and "75.0%" in out


def test_check_lists_inconsistent_items_and_exits_2(capsys):
    ItemFactory(name="好事项")
    bad = ItemFactory(name="坏事项", online_depth=3, max_visits=0, offers_post_delivery=False)
    assert main(["catalog", "check"]) == 2
    captured = capsys.readouterr()
    assert f"{bad.code} 坏事项：offers_post_delivery" in captured.out and "好事项" not in captured.out
    assert "1 of 2 items" in captured.err
    bad.delete()
    assert main(["catalog", "check"]) == 0


def test_drafts_lists_what_each_draft_lacks(capsys):
    from onewindow.catalog import services
    from tests.catalog.factories import item_data

    data = item_data(name="船舶国籍证书核发", status="draft", max_visits=1, online_depth=3)
    services.create_item(data=data, reason="目录导入")
    services.create_item(data=item_data(name="已发布事项"), reason="新增")
    assert main(["catalog", "drafts"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(data["code"] + "\t")
    assert "船舶国籍证书核发" in lines[0] and "必须写明需到现场的理由" in lines[0]
    assert "草稿 1 项" in captured.err
    assert main(["catalog", "drafts", "--gap", "materials"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["catalog", "drafts", "--gap", "nonsense"]) == 2
    assert "nonsense" in capsys.readouterr().err
