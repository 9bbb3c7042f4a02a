"""`onewindow appraisal board / close / export`."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest

from onewindow.appraisal.models import Period
from onewindow.cli import main

from .fixture import make_fixture

pytestmark = pytest.mark.django_db


def test_board_prints_the_ranked_departments(capsys):
    make_fixture()
    assert main(["appraisal", "board", "2026-03"]) == 0
    out = capsys.readouterr().out
    assert "甲局" in out and "乙局" in out and "66.7%" in out


def test_close_and_export(capsys, tmp_path):
    fx = make_fixture()
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 4, 15)):
        assert main(["appraisal", "close", "2026-03", "--as", fx.supervisor.username]) == 0
    assert Period.objects.get().is_closed
    target = tmp_path / "board.xlsx"
    assert main(["appraisal", "export", "2026-03", str(target)]) == 0
    assert target.read_bytes()[:2] == b"PK"


def test_bad_input_exits_2_and_changes_nothing(capsys):
    fx = make_fixture()
    assert main(["appraisal", "board", "2026-13"]) == 2
    assert "2026-Q3" in capsys.readouterr().err
    assert main(["appraisal", "close", "2026-03", "--as", fx.clerk.username]) == 2
    assert main(["appraisal", "close", "2026-03", "--as", "nobody"]) == 2
    assert not Period.objects.filter(closed_at__isnull=False).exists()
