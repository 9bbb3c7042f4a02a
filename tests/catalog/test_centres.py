"""Which centres may accept an item (就近办, catalog/centres.py): the level rule, the per-centre
exceptions, intake refusing an item not delegated to the centre — at no database statement when it may —
and the command line and admin that maintain it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.audit.selectors import events_for
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.catalog import item_cache, selectors
from onewindow.catalog.centres import set_centre_acceptance
from onewindow.catalog.models import CentreAcceptance, CentreLevel, Item
from onewindow.cli import main
from onewindow.core.errors import NotFound, ValidationError
from onewindow.orgs.models import RegionLevel
from tests.cases.factories import at, build_world
from tests.catalog.factories import make_admin
from tests.catalog.factories import make_item as make_catalog_item
from tests.factories import RegionFactory, ServiceCentreFactory, make_staff


@pytest.fixture
def levels(db):
    """A county with its centre, a township centre and a village point, and one item of the county."""
    county = RegionFactory(code="450681000000", name="东兴市")
    town = RegionFactory(code="450681101000", name="江平镇", level=RegionLevel.TOWNSHIP, parent=county)
    village = RegionFactory(code="450681101201", name="万尾村", level=RegionLevel.VILLAGE, parent=town)
    elsewhere = RegionFactory(code="450602000000", name="港口区")
    world = build_world()
    world.scjg.region = county
    world.scjg.save()
    centres = {
        "county": world.centre,
        "township": ServiceCentreFactory(code="JP02", name="江平镇便民服务中心", level=CentreLevel.TOWNSHIP, region=town,
                                         address="江平镇江平大道 36 号"),
        "village": ServiceCentreFactory(code="WW02", name="万尾村代办点", level=CentreLevel.VILLAGE, region=village),
        "elsewhere": ServiceCentreFactory(code="GK01", name="港口区便民服务中心", level=CentreLevel.TOWNSHIP,
                                          region=elsewhere),
    }
    world.centre.region = county
    world.centre.address = "东兴市兴东路 98 号"
    world.centre.save()
    item_cache.forget()
    return world, centres


def accepts(item, centres) -> dict[str, bool]:
    item = Item.objects.get(pk=item.pk)
    return {name: selectors.may_accept(centre, item) for name, centre in centres.items()}


def test_the_level_decides_unless_a_centre_is_an_exception(levels):
    w, centres = levels
    item = w.licence
    assert accepts(item, centres) == {"county": True, "township": False, "village": False, "elsewhere": False}
    Item.objects.filter(pk=item.pk).update(delegated_down_to=CentreLevel.TOWNSHIP)
    assert accepts(item, centres) == {"county": True, "township": True, "village": False, "elsewhere": True}
    Item.objects.filter(pk=item.pk).update(delegated_down_to=CentreLevel.VILLAGE)
    assert all(accepts(item, centres).values())
    set_centre_acceptance(item=item, centre=centres["township"], accepts=False, note="暂未配备人员")
    set_centre_acceptance(item=item, centre=centres["county"], accepts=False)
    assert accepts(item, centres) == {"county": False, "township": False, "village": True, "elsewhere": True}
    Item.objects.filter(pk=item.pk).update(delegated_down_to=CentreLevel.COUNTY)
    set_centre_acceptance(item=item, centre=centres["village"], accepts=True, note="试点")
    assert accepts(item, centres) == {"county": False, "township": False, "village": True, "elsewhere": False}
    set_centre_acceptance(item=item, centre=centres["county"], accepts=None)  # back to the level rule
    assert accepts(item, centres)["county"] is True
    assert CentreAcceptance.objects.filter(item=item).count() == 2


def test_the_public_list_shows_the_centres_of_the_items_region_county_first(levels):
    w, centres = levels
    Item.objects.filter(pk=w.licence.pk).update(delegated_down_to=CentreLevel.TOWNSHIP)
    item = Item.objects.select_related("department__region").get(pk=w.licence.pk)
    rows = selectors.accepting_centres(item)
    assert [r.code for r in rows] == ["DX01", "JP02"]  # 港口区 is another county
    assert rows[1].address == "江平镇江平大道 36 号" and rows[1].level_label == "乡镇（街道）便民服务中心"
    # Unscoped: every centre that may accept it (JPZ01 is a county-level centre of this world elsewhere).
    assert [r.code for r in selectors.accepting_centres(item, region_scoped=False)] == ["DX01", "JPZ01", "GK01",
                                                                                        "JP02"]
    assert selectors.nearest_centre(rows, "东兴市江平镇万尾村 3 号").code == "JP02"
    assert selectors.nearest_centre(rows, "防城港市港口区") is None
    notice = selectors.one_time_notice(item)
    assert [c.name for c in notice.where] == ["东兴市政务服务中心", "江平镇便民服务中心"]


def test_intake_refuses_an_item_not_delegated_to_the_centre_and_names_where_to_go(levels):
    w, centres = levels
    with pytest.raises(ValidationError) as refused:
        case_services.submit_case(item=w.licence, applicant=w.applicant, channel="online",
                                  centre=centres["township"], provided_material_ids=w.all_required(w.licence),
                                  submitted_by=w.applicant_user, now=at(2026, 9, 30, 9))
    assert refused.value.field == "centre"
    assert refused.value.message == ("江平镇便民服务中心不受理“个体工商户设立登记”。"
                                     "该事项可在：东兴市政务服务中心（东兴市兴东路 98 号） 办理。")
    assert Case.objects.count() == 0
    set_centre_acceptance(item=w.licence, centre=centres["township"], accepts=True)
    case = case_services.submit_case(item=Item.objects.get(pk=w.licence.pk), applicant=w.applicant,
                                     channel="online", centre=centres["township"],
                                     provided_material_ids=w.all_required(w.licence), submitted_by=w.applicant_user,
                                     now=at(2026, 9, 30, 9))
    assert case.centre == centres["township"]


def test_a_window_clerk_of_a_township_is_refused_an_undelegated_item(levels):
    w, centres = levels
    clerk = make_staff("window_clerk", centre=centres["township"], username="clerk.jp2")
    with pytest.raises(ValidationError) as refused:
        case_services.submit_case(item=w.immediate, applicant=w.applicant, channel="window", centre=centres["township"],
                                  provided_material_ids=w.all_required(w.immediate), submitted_by=clerk,
                                  now=at(2026, 9, 30, 9))
    assert refused.value.field == "centre" and "不受理" in refused.value.message
    assert Case.objects.count() == 0


def test_the_check_costs_no_statement_once_the_item_is_cached(levels):
    w, centres = levels
    item = item_cache.item_for_intake(w.licence.code)
    assert selectors.may_accept(centres["county"], item)  # the first look reads the exceptions once
    with CaptureQueriesContext(connection) as ctx:
        for _i in range(3):
            selectors.require_centre_may_accept(centres["county"], item)
            assert not selectors.may_accept(centres["township"], item)
    assert ctx.captured_queries == []


def test_an_exception_is_seen_at_once_by_intake_and_recorded(levels):
    w, centres = levels
    cached = item_cache.item_for_intake(w.licence.code)
    assert not selectors.may_accept(centres["township"], cached)
    set_centre_acceptance(item=w.licence, centre=centres["township"], accepts=True, note="试点受理",
                          actor=make_admin())
    fresh = item_cache.item_for_intake(w.licence.code)  # the item row is read on every submission
    assert fresh.updated_at != cached.updated_at
    assert selectors.may_accept(centres["township"], fresh)
    [event] = [e for e in events_for(f"item:{w.licence.code}") if e.action.endswith("centre_acceptance_changed")]
    assert event.data == {"centre": "JP02", "before": None, "after": True, "note": "试点受理"}


def test_the_level_must_be_a_centre_level(levels):
    from onewindow.catalog import services

    w, _centres = levels
    item = make_catalog_item(w.scjg)
    with pytest.raises(ValidationError) as bad:
        services.update_item(item=item, data={"delegated_down_to": 7}, reason="下沉")
    assert bad.value.field == "delegated_down_to"
    assert Item.objects.get(pk=item.pk).delegated_down_to == CentreLevel.COUNTY
    item = services.update_item(item=item, data={"delegated_down_to": 4}, reason="下沉到乡镇")
    changed = item.announcements.get(kind="changed")
    assert item.version == 2 and changed.summary == "就近办：可受理的最低中心层级：县级政务服务中心 → 乡镇（街道）便民服务中心"


def test_the_command_line_delegates_lists_and_makes_exceptions(levels, capsys):
    w, centres = levels
    item = make_catalog_item(w.scjg)
    assert main(["catalog", "delegate", item.code, "township", "--reason", "下沉到乡镇便民服务中心"]) == 0
    out = capsys.readouterr().out
    assert "乡镇（街道）便民服务中心" in out and "JP02" in out
    assert main(["catalog", "centre", item.code, "JP02", "refuse", "--note", "暂未配备人员"]) == 0
    assert "JP02" not in capsys.readouterr().out
    assert CentreAcceptance.objects.get(item=item, centre=centres["township"]).accepts is False
    assert main(["catalog", "where", item.code]) == 0
    assert "DX01" in capsys.readouterr().out
    assert main(["catalog", "delegate", item.code, "province", "--reason", "x"]) == 2
    assert "层级“province”无效" in capsys.readouterr().err
    assert main(["catalog", "centre", item.code, "NOPE", "accept"]) == 2
    assert "NOPE" in capsys.readouterr().err
    with pytest.raises(SystemExit) as bad:
        main(["catalog", "centre", item.code, "JP02", "maybe"])
    assert bad.value.code == 2
    assert Item.objects.get(pk=item.pk).delegated_down_to == CentreLevel.TOWNSHIP


def test_the_admin_saves_and_removes_exceptions_through_the_service(levels, client):
    w, centres = levels
    client.force_login(make_admin())
    url = reverse("admin:catalog_centreacceptance_add")
    response = client.post(url, {"item": w.licence.pk, "centre": centres["village"].pk, "accepts": "on",
                                 "note": "村代办点试点"})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = CentreAcceptance.objects.get()
    assert row.accepts and row.note == "村代办点试点"
    assert any(e.action.endswith("centre_acceptance_changed") for e in events_for(f"item:{w.licence.code}"))
    response = client.post(reverse("admin:catalog_centreacceptance_delete", args=[row.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not CentreAcceptance.objects.exists()


def test_an_unknown_item_or_centre_is_named(levels):
    from onewindow.catalog.centres import centre_by_code, item_by_code

    with pytest.raises(NotFound) as item:
        item_by_code("NO-SUCH-ITEM")
    with pytest.raises(NotFound) as centre:
        centre_by_code("NOPE")
    assert item.value.field == "item" and centre.value.field == "centre"


def test_the_api_refuses_a_centre_that_does_not_accept_the_item(levels):
    from tests.api.test_cases_api import client_for, post, submission

    w, centres = levels
    client = client_for(w.applicant_user)
    response = post(client, "/cases", submission(w, channel="online", centre="JP02"))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == "centre" and "江平镇便民服务中心不受理" in body["message"]
    assert Case.objects.count() == 0
    Item.objects.filter(pk=w.licence.pk).update(delegated_down_to=CentreLevel.TOWNSHIP)
    response = post(client, "/cases", submission(w, channel="online", centre="JP02"))
    assert response.status_code == 201, response.content
    assert response.json()["centre"] == "JP02"
