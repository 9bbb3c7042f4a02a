"""Monthly reports: per centre and month, by department — received, concluded, concluded on time,
overdue at the month's end — as CSV and PDF files under MEDIA_ROOT; rebuilt, a month's report is
replaced."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cli import main
from onewindow.core.errors import ValidationError
from onewindow.jobs import services
from onewindow.jobs.models import Report
from onewindow.jobs.tasks import build_report
from tests.cases.factories import accepted_case, at, task_of

pytestmark = pytest.mark.django_db


def approve_and_conclude(world, case, now):
    for dept, approver, step in ((world.scjg, world.approver_scj, 2), (world.gaj, world.approver_gaj, 2),
                                 (world.scjg, world.approver_scj, 3)):
        case_services.approve_task(approver=approver, task=task_of(case, dept, step), now=now)
    case = Case.objects.get(pk=case.pk)
    return case_services.conclude_case(actor=world.clerk, case=case, delivery_method="electronic", now=now)


@pytest.fixture
def october(world):
    """Three licences at 东兴 accepted Friday 9 October (due the 15th): one decided on the 12th (on
    time), one on the 20th (late), one still open at the month's end (overdue); and one road permit at
    江平, the other centre."""
    on_time = accepted_case(world, now=at(2026, 10, 9, 10))
    late = accepted_case(world, now=at(2026, 10, 9, 10))
    open_ = accepted_case(world, now=at(2026, 10, 9, 10))
    assert on_time.due_on.isoformat() == "2026-10-15"
    approve_and_conclude(world, on_time, at(2026, 10, 12, 15))
    approve_and_conclude(world, late, at(2026, 10, 20, 15))
    other = case_services.submit_case(
        item=world.needs_licence, applicant=world.stranger_user.applicant, channel="online", centre=world.other_centre,
        provided_material_ids=world.all_required(world.needs_licence), submitted_by=world.stranger_user,
        now=at(2026, 10, 9, 9))
    case_services.accept_case(clerk=world.other_clerk, case=other, now=at(2026, 10, 9, 10))
    return on_time, late, open_


def read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def test_a_centres_month_by_department(world, october, media_root):
    report = services.build_report(centre=world.centre, period="2026-10", now=at(2026, 11, 1, 6, 30))
    assert report.period.isoformat() == "2026-10-01"
    assert report.rows == [
        {"department_id": world.scjg.pk, "department": "东兴市市场监督管理局", "received": 3, "concluded": 2,
         "on_time": 1, "overdue": 1},
        {"department_id": None, "department": "合计", "received": 3, "concluded": 2, "on_time": 1, "overdue": 1},
    ]
    text = read(report.csv_file.name).decode("utf-8")
    assert text.startswith("\ufeff东兴市政务服务中心 2026年10月办件统计\r\n")
    assert "部门,收件,办结,按时办结,超期办结,月末超期未办结,按时办结率\r\n" in text
    assert "东兴市市场监督管理局,3,2,1,1,1,50.0%\r\n" in text and text.endswith("合计,3,2,1,1,1,50.0%\r\n")
    assert read(report.pdf_file.name).startswith(b"%PDF")
    # Stored under generated names, outside any public URL.
    assert report.csv_file.name.startswith("reports/2026/10/") and report.csv_file.name.endswith(".csv")
    assert (media_root / report.pdf_file.name).is_file()


def test_the_other_centres_cases_are_not_counted(world, october, media_root):
    report = services.build_report(centre=world.other_centre, period="2026-10", now=at(2026, 11, 1))
    assert [(row["department"], row["received"], row["overdue"]) for row in report.rows] == [
        ("东兴市自然资源局", 1, 1), ("合计", 1, 1)]  # open past its due date


def test_building_a_month_again_replaces_its_report_and_files(world, october, media_root,
                                                               django_capture_on_commit_callbacks):
    first = services.build_report(centre=world.centre, period="2026-10", now=at(2026, 11, 1))
    old = [first.csv_file.name, first.pdf_file.name]
    with django_capture_on_commit_callbacks(execute=True):
        result = build_report.delay(period="2026-10", centre="DX01").get()  # eager, as the beat sends it
    assert Report.objects.count() == 1 and result["reports"] == [first.pk]
    again = Report.objects.get()
    assert again.csv_file.name not in old
    assert not any(default_storage.exists(name) for name in old)
    assert default_storage.exists(again.csv_file.name) and default_storage.exists(again.pdf_file.name)


def test_every_centre_with_cases_gets_one_report(world, october, media_root):
    run = services.build_reports(period="2026-10", now=at(2026, 11, 1))
    assert sorted(Report.objects.values_list("centre__code", flat=True)) == ["DX01", "JPZ01"]
    assert len(run.built) == 2 and run.skipped == Report._meta.get_field("centre").related_model.objects.count() - 2


def test_a_month_not_begun_or_badly_written_is_refused(world, media_root):
    for period in ("2026-12", "2026-13", "十月"):
        with pytest.raises(ValidationError) as refused:
            services.build_report(centre=world.centre, period=period, now=at(2026, 11, 25))
        assert refused.value.field == "period"
    assert not Report.objects.exists() and not (media_root / "reports").exists()


def test_the_default_month_is_the_one_before(world, media_root):
    assert services.parse_period(None, today=at(2026, 11, 1).date()).isoformat() == "2026-10-01"
    assert services.parse_period(None, today=at(2026, 1, 1).date()).isoformat() == "2025-12-01"


def test_the_console_command_builds_a_report_and_refuses_bad_input(world, october, media_root, capsys):
    assert main(["jobs", "report", "--period", "2026-10", "--centre", "DX01"]) == 0
    assert '"period": "2026-10"' in capsys.readouterr().out
    assert Report.objects.filter(centre=world.centre).count() == 1
    assert main(["jobs", "report", "--period", "2099-01"]) == 2
    assert "尚未开始" in capsys.readouterr().err
    assert main(["jobs", "report", "--period", "2026-10", "--centre", "NOPE"]) == 2
    assert main(["jobs", "check", "--day", "2026-10-12"]) == 0
    assert main(["jobs", "check", "--day", "12/10/2026"]) == 2
    assert main(["worker"]) == 2
    assert "ONEWINDOW_BROKER_URL" in capsys.readouterr().err
