"""Seeding the official calendar from the chinesecalendar package (called by `onewindow init`)."""

import time
from datetime import date

from django.db import transaction

from onewindow.calendar import selectors, services
from onewindow.calendar.models import CalendarDay, CalendarYear, YearOrigin, YearStatus

from .factories import EXAMPLE_2027


def snapshot():
    return (sorted(CalendarYear.objects.values_list("year", "status", "version", "origin", "source_notice")),
            sorted(CalendarDay.objects.values_list("id", "date", "kind", "name")))


def test_seed_writes_every_package_year_as_official_in_one_version(db):
    started = time.perf_counter()
    with transaction.atomic():
        summary = services.seed_official_calendar()
    assert time.perf_counter() - started < 2.0
    years = CalendarYear.objects.order_by("year")
    assert [y.year for y in years] == list(range(2004, 2027))
    assert {y.status for y in years} == {YearStatus.OFFICIAL}
    assert {y.version for y in years} == {1}
    assert years.get(year=2026).source_notice == "国务院办公厅关于2026年部分节假日安排的通知"
    assert "\n" not in summary and "23" in summary and "calendar version 1" in summary
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).kind == "makeup_workday"
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"


def test_seed_twice_changes_nothing(seeded):
    before = snapshot()
    with transaction.atomic():
        summary = services.seed_official_calendar()
    assert snapshot() == before
    assert selectors.current_version() == seeded == 1
    assert "up to date" in summary


def test_seed_repairs_a_package_year_that_was_altered(seeded):
    CalendarDay.objects.filter(date=date(2026, 10, 10)).delete()
    with transaction.atomic():
        services.seed_official_calendar()
    assert CalendarDay.objects.filter(date=date(2026, 10, 10), kind="makeup_workday").exists()
    assert CalendarYear.objects.get(year=2026).version == 2
    assert CalendarYear.objects.get(year=2025).version == 1  # untouched years keep their version


def test_seed_never_overwrites_a_year_an_administrator_imported(seeded):
    days = [(day, kind, name) for day, kind, name in CalendarDay.objects.filter(date__year=2026)
            .values_list("date", "kind", "name") if day != date(2026, 10, 10)]
    services.import_year(year=2026, days=days, source_notice="本地核对版", official=True)
    with transaction.atomic():
        services.seed_official_calendar()
    year = CalendarYear.objects.get(year=2026)
    assert year.origin == YearOrigin.IMPORT and year.source_notice == "本地核对版"
    assert not CalendarDay.objects.filter(date=date(2026, 10, 10)).exists()


def test_seed_keeps_an_imported_next_year(seeded):
    services.import_year(year=2027, days=EXAMPLE_2027, source_notice="示例通知", official=True)
    before = snapshot()
    with transaction.atomic():
        services.seed_official_calendar()
    assert snapshot() == before


def test_seed_records_the_2005_correction():
    # 国办发明电〔2005〕35号: "12月31日（星期六）上班" — missing from chinesecalendar 1.11, see test_cross_check.
    assert services.package_schedule()[2005][date(2005, 12, 31)] == ("makeup_workday", "元旦")
