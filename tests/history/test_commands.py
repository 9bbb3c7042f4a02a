"""`onewindow history generate`: writes the cases it says; bad input exits 2 with one line and writes
nothing."""

import pytest

from onewindow.cases.models import Case
from onewindow.cli import main
from tests.cases.factories import build_world


@pytest.fixture
def world(db):
    from onewindow.calendar.services import seed_official_calendar

    seed_official_calendar()
    return build_world()


def test_history_generate(world, capsys):
    assert main(["history", "generate", "--size", "25", "--quiet"]) == 0
    assert "generated 25 cases" in capsys.readouterr().out
    assert Case.objects.count() == 25


@pytest.mark.parametrize("argv", [["--size", "0"], ["--size", "-3"], ["--size", "10", "--months", "0"]])
def test_history_generate_bad_input(world, capsys, argv):
    assert main(["history", "generate", "--quiet", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "error" in err
    assert Case.objects.count() == 0
