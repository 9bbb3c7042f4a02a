"""`onewindow complaints orders|show|actions|act`: acting on a work order through the registry."""

import pytest

from onewindow.cli import main
from onewindow.complaints.models import WorkOrder
from tests.complaints.orders import build_centre, hotline_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(db):
    return build_centre()


def test_dispatch_sign_and_reply_from_the_command_line(centre, capsys):
    order = hotline_order(centre)
    office, unit = centre.office.username, centre.staff_a.username
    main(["complaints", "actions", order.number, "--as", office])
    assert "dispatch" in capsys.readouterr().out
    main(["complaints", "act", order.number, "dispatch", "--as", office, "--param", f"department_id={centre.unit_a.pk}"])
    assert "dispatched" in capsys.readouterr().out
    main(["complaints", "act", order.number, "sign", "--as", unit])
    main(["complaints", "act", order.number, "reply", "--as", unit, "--json",
          '{"reply": "已核实并处理", "substantiated": "yes"}'])
    assert WorkOrder.objects.get(pk=order.pk).state == "replied"
    main(["complaints", "show", order.number])
    out = capsys.readouterr().out
    assert "replied" in out and centre.unit_a.name in out
    main(["complaints", "orders", "--state", "replied"])
    assert order.number in capsys.readouterr().out


def test_bad_input_exits_2_and_changes_nothing(centre, capsys):
    order = hotline_order(centre)
    assert main(["complaints", "act", order.number, "sign", "--as", centre.staff_a.username]) == 2
    assert main(["complaints", "act", order.number, "dispatch", "--as", centre.office.username,
                 "--param", "unit=3"]) == 2
    assert "params.unit" in capsys.readouterr().err
    assert main(["complaints", "act", order.number, "dispatch", "--as", centre.office.username,
                 "--param", "department_id=999999"]) == 2
    assert "department_id" in capsys.readouterr().err
    assert WorkOrder.objects.get(pk=order.pk).state == "registered"
