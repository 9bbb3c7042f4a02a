"""`onewindow supervision …`: the daily check (idempotent), the board, the appraisal's figures, the
forecast; bad input exits 2 and changes nothing; the demo's sample work."""

from __future__ import annotations

import json

import pytest

from onewindow.cli import main
from onewindow.supervision import sample
from onewindow.supervision.models import AccountabilityRecord, Breach, CheckRun, Inspection, Urging
from tests.cases.factories import accepted_case, at

pytestmark = pytest.mark.django_db


def test_check_twice_the_same_day_does_nothing_the_second_time(world, capsys):
    accepted_case(world, now=at(2026, 9, 1, 10))
    assert main(["supervision", "check", "--day", "2026-10-12"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["escalated"] == 1 and first["already_ran"] is False
    assert main(["supervision", "check", "--day", "2026-10-12"]) == 0
    assert json.loads(capsys.readouterr().out)["already_ran"] is True
    assert (Breach.objects.count(), CheckRun.objects.count()) == (1, 1)


def test_board_figures_and_forecast_print(world, capsys):
    accepted_case(world, now=at(2026, 9, 1, 10))
    assert main(["supervision", "board", "--by", "centre", "--day", "2026-10-12"]) == 0
    assert "东兴市政务服务中心" in capsys.readouterr().out
    assert main(["supervision", "figures", "--from", "2026-10-01", "--to", "2026-10-31"]) == 0
    assert main(["supervision", "forecast", "--limit", "3"]) == 0
    assert '"precision"' in capsys.readouterr().out


@pytest.mark.parametrize("args", [["check", "--day", "12/10/2026"], ["figures", "--from", "2026-10-31", "--to",
                                                                      "2026-10-01"]])
def test_bad_input_exits_2_and_changes_nothing(world, args, capsys):
    assert main(["supervision", *args]) == 2
    assert capsys.readouterr().err.strip()
    assert not CheckRun.objects.exists()


def test_the_demo_gets_urgings_an_inspection_with_its_notice_and_an_accountability_record(world):
    accepted_case(world, now=at(2026, 9, 1, 10))
    accepted_case(world, world.paid, now=at(2026, 9, 2, 10))
    assert "inspection with notice" in sample.load_sample_supervision()
    assert Urging.objects.count() == 2 and Inspection.objects.get().notice_number
    assert AccountabilityRecord.objects.get().inspection is not None
    assert sample.load_sample_supervision() == "already loaded"
