"""The cases console commands: tokens, show, recompute-deadlines; bad input exits 2 with one
line."""

import pytest

from onewindow.api.auth import user_for_token
from onewindow.api.models import ApiToken
from onewindow.cli import main
from tests.cases.factories import accepted_case, build_world


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    from onewindow.calendar.services import seed_official_calendar

    seed_official_calendar()
    return build_world()


def test_token_create_and_revoke(world, capsys):
    assert main(["token", "create", "clerk", "--name", "测试"]) == 0
    raw = capsys.readouterr().out.strip()
    assert user_for_token(raw) == world.clerk
    prefix = ApiToken.objects.get().prefix
    assert main(["token", "revoke", prefix]) == 0
    assert user_for_token(raw) is None
    capsys.readouterr()
    assert main(["token", "revoke", prefix]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert main(["token", "create", "nobody-here"]) == 2


def test_cases_show_prints_progress_in_chinese(world, capsys):
    case = accepted_case(world)
    assert main(["cases", "show", case.number]) == 0
    out = capsys.readouterr().out
    assert f"办件编号：{case.number}" in out and "办结期限" in out and "审批中" in out
    assert main(["cases", "show", "DX01-19990101-0001"]) == 2


def test_recompute_deadlines(world, capsys):
    accepted_case(world)
    assert main(["cases", "recompute-deadlines"]) == 0
    assert "重算暂定期限" in capsys.readouterr().out
