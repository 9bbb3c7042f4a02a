"""Administrative regions from their division codes: `onewindow regions add|load|list`, and the
regions a catalog import creates. The level and the parent follow from the code; names come from the
caller, else from the bundled national table, else "待命名" (reported)."""

import pytest

from onewindow.cli import main
from onewindow.core.errors import ValidationError
from onewindow.orgs import divisions, regions
from onewindow.orgs.models import Region

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("code", "full", "level", "parent"), [
    ("45", "450000000000", 1, None),
    ("4506", "450600000000", 2, "450000000000"),
    ("450681", "450681000000", 3, "450600000000"),
    ("450681101", "450681101000", 4, "450681000000"),
    ("450681100000", "450681100000", 4, "450681000000"),  # 东兴镇: township number 100
    ("450681101201", "450681101201", 5, "450681101000"),
    ("441900003000", "441900003000", 4, "441900000000"),  # 东莞市 has towns and no counties
    ("419001", "419001000000", 3, "419000000000"),  # 济源市, administered directly by 河南省
])
def test_a_code_says_its_level_and_its_parent(code, full, level, parent):
    assert divisions.normalise_code(code) == full
    assert divisions.level_of(full) == level
    assert divisions.parent_code(full) == parent


@pytest.mark.parametrize("code", ["", "4", "45060", "4506810", "4506x1", "000600000000", "4506810000001"])
def test_what_is_no_division_code_is_refused(code):
    with pytest.raises(ValidationError) as err:
        divisions.normalise_code(code)
    assert err.value.field == "code"


def test_the_bundled_table_names_provinces_cities_and_counties():
    assert divisions.bundled_name("450000000000") == "广西壮族自治区"
    assert divisions.bundled_name("450600000000") == "防城港市"
    assert divisions.bundled_name("450681000000") == "东兴市"
    assert divisions.bundled_name("419000000000") == "省直辖县级行政区划"
    assert divisions.bundled_name("450681101000") is None  # townships are not in it
    guangxi = divisions.bundled_rows("45")
    assert len(guangxi) > 120 and guangxi[0] == ("450000000000", "广西壮族自治区")
    assert len(divisions.bundled_rows()) > 3000  # the whole country


def test_ensure_region_creates_the_missing_parents_once():
    region, report = regions.ensure_region("450681101")
    assert region.name == "待命名（450681101000）" and region.level == 4
    assert [r for r in report.created] == ["450000000000 广西壮族自治区", "450600000000 防城港市",
                                            "450681000000 东兴市", "450681101000 待命名（450681101000）"]
    assert report.unnamed == ["450681101000"]
    again, report = regions.ensure_region("450681101000")
    assert again == region and report.created == [] and Region.objects.count() == 4


def test_regions_add_creates_a_region_with_its_parents(capsys):
    assert main(["regions", "add", "450681101", "江平镇"]) == 0
    out = capsys.readouterr().out
    assert "新建区划 4 个" in out and "450681101000 江平镇" in out
    town = Region.objects.get(code="450681101000")
    assert (town.name, town.level, town.parent.name, town.parent.parent.parent.name) == (
        "江平镇", 4, "东兴市", "广西壮族自治区")


def test_regions_add_names_an_unnamed_region_and_is_idempotent(capsys):
    regions.ensure_region("450681101")
    assert main(["regions", "add", "450681101000", "江平镇"]) == 0
    assert "更名 1 个" in capsys.readouterr().out
    assert main(["regions", "add", "450681101000", "江平镇"]) == 0
    assert "未变 1 个" in capsys.readouterr().out
    assert Region.objects.get(code="450681101000").name == "江平镇"


@pytest.mark.parametrize(("argv", "words"), [
    (["regions", "add", "45068", "某地"], ["45068", "区划代码"]),
    (["regions", "add", "450681101", "  "], ["名称"]),
    (["regions", "add", "450681101", "江平镇", "--parent", "450681101201"], ["层级"]),
    (["regions", "load"], ["FILE"]),
    (["regions", "load", "--bundled", "4x"], ["prefix"]),
    (["regions", "load", "--bundled", "98"], ["98"]),
])
def test_bad_regions_input_exits_2_with_one_line_and_changes_nothing(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("onewindow regions: error:") and err.count("\n") == 1
    for word in words:
        assert word in err
    assert not Region.objects.exists()


def test_regions_load_reads_a_csv_with_parents_and_reports_every_bad_line(tmp_path, capsys):
    good = tmp_path / "towns.csv"
    good.write_text("code,name,parent\n450681101,江平镇,\n450681101201,万尾村,450681101\n450681100,东兴镇\n",
                    encoding="utf-8")
    assert main(["regions", "load", str(good)]) == 0
    assert "新建区划 6 个" in capsys.readouterr().out
    assert Region.objects.get(code="450681101201").parent.name == "江平镇"
    assert main(["regions", "load", str(good)]) == 0
    assert "新建区划 0 个，更名 0 个，未变 3 个" in capsys.readouterr().out

    bad = tmp_path / "bad.csv"
    bad.write_text("450681102,马路镇\n45068x,坏代码\n450681103\n", encoding="utf-8")
    before = Region.objects.count()
    assert main(["regions", "load", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "第2行" in err and "第3行" in err and err.count("\n") == 1
    assert Region.objects.count() == before  # nothing of the file was written


def test_regions_load_bundled_loads_a_province_once(capsys):
    assert main(["regions", "load", "--bundled", "45"]) == 0
    count = len(divisions.bundled_rows("45"))
    assert Region.objects.count() == count
    assert Region.objects.get(code="450681000000").parent.code == "450600000000"
    assert main(["regions", "load", "--bundled", "45"]) == 0
    assert f"未变 {count} 个" in capsys.readouterr().out
    assert main(["regions", "list", "4506"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == "450600000000\t2\t防城港市" and len(listed) == 5
