"""Applications received by post (邮寄收件) and entered by the window clerk: channel post, no visit,
the result posted by default; the window default is unchanged and a bad channel is refused."""

import pytest

from onewindow.audit.selectors import events_for
from onewindow.cases import services
from onewindow.core.errors import ValidationError

from .factories import at, snapshot


def _intake(world, *, item=None, **kwargs):
    item = item or world.licence
    return services.intake_at_window(
        clerk=world.clerk, item=item, applicant=world.applicant, provided_material_ids=world.all_required(item),
        decision="accept", now=at(2026, 9, 30), **kwargs)


def test_a_posted_application_records_channel_post_no_visit_and_post_delivery(world):
    case = _intake(world, channel="post")
    assert case.channel == "post"
    assert case.visit_count == 0
    assert case.delivery_method == "post"
    assert case.state == "in_progress" and case.due_on is not None  # accepted like any other
    submitted = next(e for e in events_for(f"case:{case.number}") if e.action == "onewindow.case.submitted")
    assert submitted.data["channel"] == "post" and submitted.actor == world.clerk


def test_a_posted_immediate_item_waits_for_its_delivery_instead_of_a_same_visit_handover(world):
    case = _intake(world, item=world.immediate, channel="post")
    # Nobody stands at the window: the result is not handed over in person (no pick-up, no visit).
    assert case.state == "approved" and case.visit_count == 0 and case.delivery_method == "post"


def test_post_delivery_is_not_preset_when_the_item_does_not_offer_it(world):
    world.licence.offers_post_delivery = False
    world.licence.save(update_fields=["offers_post_delivery"])
    case = _intake(world, channel="post")
    assert case.channel == "post" and case.visit_count == 0 and case.delivery_method == ""


def test_the_window_default_is_unchanged(world):
    case = _intake(world, window=world.window)
    assert case.channel == "window" and case.visit_count == 1 and case.delivery_method == ""


@pytest.mark.parametrize("channel", ["online", "api", "phone", "fax", ""])
def test_a_channel_other_than_window_or_post_is_refused_and_nothing_is_written(world, channel):
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        _intake(world, channel=channel)
    assert err.value.field == "channel"
    assert "邮寄" in err.value.message
    assert snapshot() == before


def test_post_is_refused_for_an_item_without_the_post_channel(world):
    world.licence.channel_post = False
    world.licence.save(update_fields=["channel_post"])
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        _intake(world, channel="post")
    assert err.value.field == "channel"
    assert snapshot() == before
