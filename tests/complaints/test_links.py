"""A work order linked to a case or an item goes to the departments handling it, before any guess."""

import pytest

from onewindow.complaints import dispatch
from tests.cases.factories import accepted_case

from .fixtures import history

pytestmark = pytest.mark.django_db


def test_a_linked_case_suggests_the_department_holding_it_first_then_the_text_model(world):
    case = accepted_case(world)  # step 2 is open at 市场监管局 and 公安局 in parallel
    dispatch.learn(history())
    suggestions = dispatch.suggest("办了很久还没办好，窗口互相推诿", case=case)
    assert [s.department_id for s in suggestions[:2]] == [world.scjg.id, world.gaj.id]
    assert suggestions[0].score == 1.0 and case.number in suggestions[0].reason and "当前" in suggestions[0].reason
    assert len(suggestions) == 3 and suggestions[2].department_id not in (world.scjg.id, world.gaj.id)


def test_a_case_by_its_number_without_a_model_still_suggests_its_departments(world):
    case = accepted_case(world)
    suggestions = dispatch.suggest("", case=case.number, k=1)
    assert [(s.unit_name, s.department_id) for s in suggestions] == [(world.scjg.name, world.scjg.id)]


def test_a_linked_item_suggests_its_department_then_its_stages_departments(world):
    suggestions = dispatch.suggest("营业执照迟迟办不下来", item=world.licence)
    assert [s.department_id for s in suggestions] == [world.scjg.id, world.gaj.id]
    assert "实施主体" in suggestions[0].reason and "办理环节" in suggestions[1].reason


def test_an_unknown_item_code_is_refused(world):
    from onewindow.core.errors import NotFound

    with pytest.raises(NotFound):
        dispatch.suggest("x", item="no-such-item")


def test_a_case_not_yet_accepted_goes_to_its_items_department(world):
    from tests.cases.factories import submit_online

    case = submit_online(world, world.needs_licence)
    assert [s.department_id for s in dispatch.suggest("", case=case.number)] == [world.zrzy.id]


def test_an_unknown_case_number_is_refused(world):
    from onewindow.core.errors import NotFound

    with pytest.raises(NotFound):
        dispatch.suggest("x", case="DX01-00000000-0000")
