"""An administrator imports or enters a year's schedule: new version, rows replaced, bad input refused
with the field and the reason, nothing written."""

from datetime import date
from pathlib import Path

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.calendar import schedule_file, selectors, services
from onewindow.calendar.models import CalendarDay, CalendarYear, YearStatus
from onewindow.core.errors import ValidationError

from .factories import EXAMPLE_2027
from .test_seed import snapshot

EXAMPLE_FILE = Path(services.__file__).parent / "examples" / "2027.yaml"


def test_import_next_year_bumps_the_version_and_makes_it_official(seeded):
    assert selectors.add_working_days(date(2026, 12, 31), 1).provisional is True
    result = services.import_year(year=2027, days=EXAMPLE_2027, source_notice="示例通知",
                                  announced_on=date(2026, 11, 10))
    assert result.changed
    assert result.calendar_year.version == seeded + 1 == selectors.current_version()
    assert result.calendar_year.status == YearStatus.OFFICIAL
    deadline = selectors.add_working_days(date(2026, 12, 31), 1)
    assert deadline == (date(2027, 1, 4), False, seeded + 1)
    assert selectors.is_workday(date(2027, 10, 9))  # the example's make-up Saturday
    assert AuditEvent.objects.filter(action="onewindow.calendar.year_imported").count() == 1


def test_import_replaces_the_rows_of_the_year(seeded):
    services.import_year(year=2027, days=EXAMPLE_2027, source_notice="示例通知")
    services.import_year(year=2027, days=EXAMPLE_2027[:3], source_notice="示例通知（修订）")
    assert sorted(CalendarDay.objects.filter(year__year=2027).values_list("date", flat=True)) == [
        date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)]
    assert CalendarYear.objects.get(year=2027).version == seeded + 2
    assert selectors.is_workday(date(2027, 10, 4))  # no longer a holiday


def test_importing_the_same_schedule_again_changes_nothing(seeded):
    services.import_year(year=2027, days=EXAMPLE_2027, source_notice="示例通知")
    before = snapshot()
    result = services.import_year(year=2027, days=list(reversed(EXAMPLE_2027)), source_notice="示例通知")
    assert not result.changed
    assert snapshot() == before


@pytest.mark.parametrize(("kwargs", "field", "reason"), [
    ({"days": [(date(2027, 3, 3), "makeup_workday", "")]}, "days[0].kind", "星期三"),
    ({"days": [(date(2028, 1, 1), "holiday", "元旦")]}, "days[0].date", "不在 2027 年内"),
    ({"days": [(date(2027, 1, 1), "holiday", ""), (date(2027, 1, 1), "holiday", "")]}, "days[1].date", "重复"),
    ({"days": [(date(2027, 1, 1), "festival", "")]}, "days[0].kind", "类别无效"),
    ({"days": [("2027-02-30", "holiday", "")]}, "days[0].date", "日期无效"),
    ({"days": []}, "days", "至少"),
    ({"source_notice": " "}, "source_notice", "来源通知"),
    ({"year": 2003}, "year", "超出范围"),
    ({"year": 2031}, "year", "超出范围"),
])
def test_invalid_import_names_field_and_reason_and_changes_nothing(seeded, kwargs, field, reason):
    before = snapshot()
    arguments = {"year": 2027, "days": EXAMPLE_2027, "source_notice": "示例通知", **kwargs}
    with pytest.raises(ValidationError) as error:
        services.import_year(**arguments)
    assert error.value.field == field
    assert reason in error.value.message
    assert snapshot() == before
    assert selectors.current_version() == seeded


def test_invalid_reimport_of_an_existing_year_keeps_its_rows(seeded):
    before = snapshot()
    with pytest.raises(ValidationError):
        services.import_year(year=2026, days=[(date(2026, 10, 1), "holiday", "国庆节"),
                                              (date(2026, 10, 8), "makeup_workday", "国庆节")],
                             source_notice="x")
    assert snapshot() == before


def test_provisional_import_is_flagged_provisional(seeded):
    services.import_year(year=2027, days=EXAMPLE_2027, source_notice="", official=False)
    assert CalendarYear.objects.get(year=2027).status == YearStatus.PROVISIONAL
    deadline = selectors.add_working_days(date(2026, 12, 31), 1)
    assert deadline.due_on == date(2027, 1, 4) and deadline.provisional is True


def test_example_file_is_valid_and_says_it_is_an_example():
    text = EXAMPLE_FILE.read_text(encoding="utf-8")
    assert "EXAMPLE" in text and "不是国务院正式放假安排" in text
    data = schedule_file.read_schedule(EXAMPLE_FILE)
    assert data["year"] == 2027 and data["official"] is True
    assert (date(2027, 10, 9), "makeup_workday", "国庆节") in data["days"]
    assert services.validate_year(year=2027, days=data["days"], source_notice=data["source_notice"],
                                  official=True, today=date(2026, 11, 25))


def test_csv_file_with_metadata_comments(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text("# source_notice: 示例通知\n# announced_on: 2026-11-10\ndate,kind,name\n"
                    "2027-01-01,放假,元旦\n2027-10-09,调休上班,国庆节\n", encoding="utf-8")
    data = schedule_file.read_schedule(path)
    assert data == {"year": 2027, "official": True, "source_notice": "示例通知",
                    "announced_on": date(2026, 11, 10),
                    "days": [(date(2027, 1, 1), "holiday", "元旦"), (date(2027, 10, 9), "makeup_workday", "国庆节")]}


@pytest.mark.parametrize(("name", "text", "field"), [
    ("bad.yaml", "year: 2027\nholidays:\n  - {name: 春节, date: 2027-02-30}\n", "holidays[0].date"),
    ("bad.yaml", "year: 2027\nholidays:\n  - {name: 春节, from: 2027-02-10, to: 2027-02-01}\n", "holidays[0].to"),
    ("bad.yaml", "year: 2027\nholiday: []\n", "holiday"),
    ("bad.yaml", "year: [2027\n", "file"),
    ("bad.csv", "date,kind,name\n2027-01-01,festival,元旦\n", "line 2"),
    ("bad.csv", "day,type\n", "line 1"),
    ("bad.txt", "", "file"),
])
def test_bad_files_name_the_entry_at_fault(tmp_path, name, text, field):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as error:
        schedule_file.read_schedule(path)
    assert error.value.field == field
