import io
from datetime import date

import pytest

from onewindow.cli import main
from onewindow.orgs import identity, selectors
from onewindow.orgs.models import Applicant, User
from tests.factories import DepartmentFactory, ServiceCentreFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "window-pass-2026"
PERSON_ID = identity.generate_resident_id(region="450681", birth_date=date(1990, 5, 20), sequence=122)


@pytest.fixture(autouse=True)
def orgs():
    DepartmentFactory(code="dx-scjg")
    ServiceCentreFactory(code="DX01")


class FakeStdin(io.StringIO):
    def __init__(self, text="", tty=False):
        super().__init__(text)
        self._tty = tty

    def isatty(self):
        return self._tty


def _fails(capsys, argv, *words):
    users_before = User.objects.count()
    applicants_before = Applicant.objects.count()
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("onewindow createuser: error:")
    for word in words:
        assert word in lines[0]
    assert User.objects.count() == users_before
    assert Applicant.objects.count() == applicants_before


def test_createuser_clerk_with_centre(capsys):
    assert main(["createuser", "clerk2", "--role", "window_clerk", "--centre", "DX01", "--name", "王芳",
                 "--password", PASSWORD]) == 0
    assert "clerk2" in capsys.readouterr().out
    user = User.objects.get(username="clerk2")
    assert user.display_name == "王芳" and user.check_password(PASSWORD)
    assert [c.code for c in selectors.centres_of(user)] == ["DX01"]


def test_createuser_reads_password_from_stdin(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", FakeStdin(PASSWORD + "\n"))
    assert main(["createuser", "li.scj", "--role", "approver", "--department", "dx-scjg",
                 "--password-stdin"]) == 0
    assert User.objects.get(username="li.scj").check_password(PASSWORD)


def test_createuser_prompts_on_a_terminal(monkeypatch):
    monkeypatch.setattr("sys.stdin", FakeStdin(tty=True))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PASSWORD)
    assert main(["createuser", "root", "--superuser"]) == 0
    user = User.objects.get(username="root")
    assert user.is_superuser and selectors.is_role(user, "administrator")


def test_createuser_prompt_mismatch_fails(capsys, monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("sys.stdin", FakeStdin(tty=True))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    _fails(capsys, ["createuser", "root", "--superuser"], "differ")


def test_createuser_without_password_off_a_terminal_fails(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", FakeStdin(""))
    _fails(capsys, ["createuser", "clerk2", "--role", "window_clerk", "--centre", "DX01"], "--password")


def test_createuser_applicant_person(capsys):
    assert main(["createuser", "lisi", "--applicant", "person", "--id-number", PERSON_ID.lower(),
                 "--name", "李四", "--password", PASSWORD]) == 0
    applicant = Applicant.objects.get()
    assert (applicant.user.username, applicant.kind, applicant.id_number) == ("lisi", "person", PERSON_ID)


@pytest.mark.parametrize("argv, words", [
    (["createuser", "x", "--role", "janitor", "--password", PASSWORD], ["janitor"]),
    (["createuser", "x", "--role", "window_clerk", "--centre", "NOPE", "--password", PASSWORD], ["NOPE"]),
    (["createuser", "x", "--role", "window_clerk", "--password", PASSWORD], ["中心"]),
    (["createuser", "x", "--role", "approver", "--department", "dx-nope", "--password", PASSWORD], ["dx-nope"]),
    (["createuser", "x", "--role", "approver", "--password", PASSWORD], ["部门"]),
    (["createuser", "x", "--role", "supervisor", "--password", "password"], ["密码"]),
    (["createuser", "x", "--role", "supervisor", "--password", "short"], ["密码"]),
    (["createuser", "x", "--password", PASSWORD], ["--role"]),
    (["createuser", "x", "--applicant", "person", "--id-number", PERSON_ID[:-1] + "0", "--name", "李四",
      "--password", PASSWORD], ["校验位"]),
    (["createuser", "x", "--applicant", "enterprise", "--id-number", PERSON_ID, "--name", "某公司",
      "--password", PASSWORD], ["统一社会信用代码"]),
    (["createuser", "x", "--applicant", "person", "--name", "李四", "--password", PASSWORD], ["--id-number"]),
    (["createuser", "x", "--applicant", "person", "--id-number", PERSON_ID, "--password", PASSWORD], ["--name"]),
    (["createuser", "x", "--applicant", "person", "--role", "agent", "--id-number", PERSON_ID, "--name", "李四",
      "--password", PASSWORD], ["--applicant"]),
])
def test_createuser_bad_input_exits_2_with_one_line_and_changes_nothing(capsys, argv, words):
    assert PERSON_ID[-1] != "0"
    _fails(capsys, argv, *words)


def test_createuser_existing_username_fails(capsys):
    UserFactory(username="taken")
    _fails(capsys, ["createuser", "taken", "--role", "supervisor", "--password", PASSWORD], "taken")


def test_createuser_duplicate_applicant_number_fails(capsys):
    assert main(["createuser", "lisi", "--applicant", "person", "--id-number", PERSON_ID, "--name", "李四",
                 "--password", PASSWORD]) == 0
    capsys.readouterr()
    _fails(capsys, ["createuser", "lisi2", "--applicant", "person", "--id-number", PERSON_ID, "--name", "李四",
                    "--password", PASSWORD], "已登记")


def test_createuser_help_names_every_role(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["createuser", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for role in ["window_clerk", "approver", "chief_representative", "agent", "supervisor", "administrator"]:
        assert role in out
    assert "--password-stdin" in out and "--applicant" in out


def test_grantrole_and_revokerole(capsys):
    UserFactory(username="wang")
    assert main(["grantrole", "wang", "--role", "approver", "--department", "dx-scjg"]) == 0
    user = User.objects.get(username="wang")
    assert selectors.roles_of(user) == {"approver"}
    assert main(["revokerole", "wang", "--role", "approver", "--department", "dx-scjg"]) == 0
    assert selectors.roles_of(User.objects.get(username="wang")) == set()
    capsys.readouterr()
    assert main(["grantrole", "nobody", "--role", "supervisor"]) == 2
    assert "nobody" in capsys.readouterr().err
