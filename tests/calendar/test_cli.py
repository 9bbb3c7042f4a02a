"""`onewindow workdays …`: answers on stdout, one clear line on stderr and exit 2 for bad input."""

from pathlib import Path

import pytest

from onewindow.calendar import selectors, services
from onewindow.calendar.models import CalendarYear
from onewindow.cli import main

EXAMPLE_FILE = Path(services.__file__).parent / "examples" / "2027.yaml"


def run(capsys, *argv):
    code = main(["workdays", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_add_prints_the_due_date_and_weekday(seeded, capsys):
    assert run(capsys, "add", "2026-09-30", "5") == (0, "2026-10-13 星期二\n", "")
    assert run(capsys, "add", "2026-10-09", "1") == (0, "2026-10-10 星期六\n", "")
    assert run(capsys, "add", "2026-10-03", "0") == (0, "2026-10-03 星期六\n", "")


def test_between_prints_the_count(seeded, capsys):
    assert run(capsys, "between", "2026-09-30", "2026-10-12") == (0, "4\n", "")
    assert run(capsys, "between", "2026-10-12", "2026-09-30") == (0, "-4\n", "")


def test_provisional_answer_warns_on_stderr(seeded, capsys):
    code, out, err = run(capsys, "add", "2028-03-01", "3")
    assert code == 0 and out.count("\n") == 1
    assert err.startswith("警告 warning: 2028 年尚无国务院正式放假安排，结果为暂定")
    assert err.count("\n") == 1


@pytest.mark.parametrize(("argv", "needle"), [
    (["add", "2026-02-30", "3"], "2026-02-30 不是有效日期"),
    (["add", "2026/02/03", "3"], "YYYY-MM-DD"),
    (["add", "2026-02-03", "three"], "不是整数"),
    (["add", "2026-02-03", "2.5"], "不是整数"),
    (["add", "2026-02-03", "-1"], "负数"),
    (["add", "2026-02-03", "251"], "最多 250"),
    (["add", "2003-12-31", "1"], "超出日历范围"),
    (["add", "2029-01-01", "1"], "超出日历范围"),
    (["add", "2028-12-20", "30"], "超出日历范围"),
    (["between", "2026-01-01", "2026-13-01"], "2026-13-01"),
    (["show", "1999"], "年份 1999 无效"),
    (["import", "/nonexistent/2027.yaml"], "找不到文件"),
])
def test_bad_input_is_one_line_on_stderr_and_exit_2(seeded, capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("onewindow workdays: error: ")
    assert needle in err


def test_import_file_then_again_unchanged(seeded, capsys):
    code, out, err = run(capsys, "import", str(EXAMPLE_FILE))
    assert code == 0, err
    assert "已导入 2027 年" in out and f"calendar version {seeded + 1}" in out
    # The follow-up wired in settings.CALENDAR_CHANGE_FOLLOWUPS ran (onewindow.ops.followups).
    assert "重新计算在办件期限 open deadlines recomputed: 0" in out
    assert CalendarYear.objects.get(year=2027).version == seeded + 1
    code, out, _err = run(capsys, "import", str(EXAMPLE_FILE))
    assert code == 0 and "未变化" in out
    assert selectors.current_version() == seeded + 1


def test_import_bad_file_changes_nothing(seeded, capsys, tmp_path):
    path = tmp_path / "2027.yaml"
    path.write_text("year: 2027\nsource_notice: x\nholidays:\n  - {name: 元旦, date: 2027-01-01}\n"
                    "makeup_workdays:\n  - {name: 春节, date: 2027-02-10}\n", encoding="utf-8")
    code, _out, err = run(capsys, "import", str(path))
    assert code == 2 and "2027-02-10 是星期三" in err
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_dry_run_writes_nothing(seeded, capsys):
    code, out, _err = run(capsys, "import", "--dry-run", str(EXAMPLE_FILE))
    assert code == 0 and "未写入" in out
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_status_lists_years_and_warns_in_december(seeded, capsys):
    code, out, _err = run(capsys, "status", "--today", "2026-12-01")
    assert code == 0
    lines = out.splitlines()
    assert any(line.startswith("2026  正式 official") and "v1" in line for line in lines)
    assert any(line.startswith("2027  暂定 provisional") for line in lines)
    assert lines[-1].startswith("警告 warning: 2027 年国务院节假日安排尚未导入")
    code, out, _err = run(capsys, "status", "--today", "2026-11-01")
    assert "警告" not in out


def test_show_lists_holidays_and_makeup_days(seeded, capsys):
    code, out, _err = run(capsys, "show", "2026")
    assert code == 0
    assert "2026-10-10 星期六 调休上班 国庆节" in out
    assert "2026-10-07 星期三 放假 国庆节" in out
    assert "2026-10-08" not in out
    code, out, _err = run(capsys, "show", "2028")
    assert out.startswith("2028 年：暂定 provisional") and "2028-01-01 星期六 放假 元旦" in out
