"""`onewindow complaints learn|evaluate|suggest|refresh|sample`: good paths exit 0 and say what they
did; bad input exits 2 with one line on stderr and the database unchanged."""

import pytest

from onewindow.cli import main
from onewindow.complaints.models import DispatchExample, DispatchModel

from .fixtures import csv_bytes, held_out, history

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(tmp_path):
    learnt, fresh = tmp_path / "past.csv", tmp_path / "new.csv"
    learnt.write_bytes(csv_bytes(history()))
    fresh.write_bytes(csv_bytes(held_out()))
    return learnt, fresh


def test_learn_evaluate_suggest(dongxing, files, capsys):
    learnt, fresh = files
    assert main(["complaints", "learn", str(learnt)]) == 0
    out = capsys.readouterr().out
    assert "派单模型 v1" in out and f"{len(history())} 条工单" in out and "4 个承办单位" in out
    assert "江平镇人民政府 (20)" in out  # the unit that is not a department, listed
    assert "也写作 also written 市场监督管理局" in out
    assert main(["complaints", "evaluate", str(fresh)]) == 0
    out = capsys.readouterr().out
    assert f"N = {len(held_out())}" in out and "top-1:" in out and "前三准确率 top-3: 100.0 %" in out
    assert main(["complaints", "suggest", "中山路流动摊贩占道经营"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0].startswith("1. 东兴市城市管理综合执法局") and "%" in lines[0]


def test_evaluate_with_folds_stores_nothing(dongxing, files, capsys):
    assert main(["complaints", "evaluate", str(files[0]), "--folds", "4"]) == 0
    assert "4 折交叉验证" in capsys.readouterr().out
    assert not DispatchModel.objects.exists()


def test_sample_writes_a_file_learn_reads(dongxing, tmp_path, capsys):
    path = tmp_path / "sample.csv"
    assert main(["complaints", "sample", str(path), "--count", "400"]) == 0
    assert main(["complaints", "learn", str(path)]) in (0, 2)  # a rare unit may have one order in 400
    assert main(["complaints", "refresh"]) == 0


def test_refresh_relearns_after_orders_close(dongxing, files, capsys):
    from onewindow.complaints import dispatch

    main(["complaints", "learn", str(files[0])])
    capsys.readouterr()
    assert main(["complaints", "refresh"]) == 0
    assert "已是最新" in capsys.readouterr().out
    dispatch.learn_from_closed([("中山路井盖缺失", "东兴市城市管理综合执法局", "GD-7")])
    dispatch.learn_from_closed([("中山路井盖缺失很危险", "东兴市城市管理综合执法局", "GD-7")])  # closed again
    assert DispatchExample.objects.filter(reference="GD-7").count() == 1
    assert main(["complaints", "refresh"]) == 0
    assert "v2" in capsys.readouterr().out
    assert DispatchModel.objects.order_by("-version").first().examples_count == len(history()) + 1


def _state():
    return DispatchExample.objects.count(), DispatchModel.objects.count()


@pytest.mark.parametrize(("content", "message"), [
    (b"", "是空文件"),
    (b"text,unit\n", "只有表头"),
    ("诉求,单位\n油烟,城管局\n".encode(), "表头缺少列：text, unit"),
    ("text,unit\n油烟扰民,城管局\n".encode("gbk"), "第 2 行不是 UTF-8"),
    ("text,unit\n油烟扰民,\n".encode(), "第 2 行的 unit 为空"),
    ("text,unit\n,城管局\n".encode(), "第 2 行的 text 为空"),
    ("text,unit,note\n油烟扰民\n".encode(), "第 2 行列数不足"),
])
def test_bad_files_exit_2_with_one_line_and_change_nothing(dongxing, files, tmp_path, capsys, content, message):
    main(["complaints", "learn", str(files[0])])
    before = _state()
    capsys.readouterr()
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    for action in ("learn", "evaluate"):
        assert main(["complaints", action, str(path)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("onewindow complaints: error:") and err.count("\n") == 1 and message in err
    assert _state() == before


def test_a_unit_with_one_order_exits_2_and_stores_nothing(dongxing, tmp_path, capsys):
    path = tmp_path / "one.csv"
    path.write_bytes(csv_bytes(history() + [("校车超载", "东兴市教育局")]))
    assert main(["complaints", "learn", str(path)]) == 2
    err = capsys.readouterr().err
    assert "东兴市教育局" in err and err.count("\n") == 1
    assert _state() == (0, 0)


def test_a_missing_file_exits_2(dongxing, tmp_path, capsys):
    assert main(["complaints", "learn", str(tmp_path / "nope.csv")]) == 2
    assert "找不到文件" in capsys.readouterr().err


def test_suggest_without_a_model_exits_2(dongxing, capsys):
    assert main(["complaints", "suggest", "油烟扰民"]) == 2
    assert "complaints learn" in capsys.readouterr().err


def test_header_columns_in_any_order_and_case_with_a_bom(dongxing, tmp_path, capsys):
    path = tmp_path / "excel.csv"
    rows = [(unit, "x", text) for text, unit in history()]
    path.write_bytes(b"\xef\xbb\xbf" + csv_bytes(rows, header="Unit,extra,TEXT"))
    assert main(["complaints", "learn", str(path)]) == 0
    assert DispatchExample.objects.count() == len(history())
