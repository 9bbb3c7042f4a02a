"""Issue 16: the clerk adds the phone number of an applicant on record who has none, at intake; a
number on record is kept."""

import pytest
from django.urls import reverse

from onewindow.audit.models import AuditEvent
from onewindow.cases.models import Case
from onewindow.orgs.models import Applicant

from .world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def _data(w, applicant, phone):
    m = w.materials
    data = {"applicant_kind": applicant.kind, "applicant_id_number": applicant.id_number, "applicant_name": "",
            "applicant_phone": phone, "item_code": w.item.code, "decision": "accept", "reason": ""}
    for key in ("form", "id_card", "lease"):
        data[f"status_{m[key].pk}"] = "provided"
    return data


def test_the_clerk_adds_a_missing_phone_at_intake_and_it_is_recorded(client, w):
    Applicant.objects.filter(pk=w.applicant.pk).update(phone="")
    client.force_login(w.clerk)
    lookup = client.get(reverse("workbench:intake_applicant"), {"applicant_id_number": w.applicant.id_number},
                        HTTP_HX_REQUEST="true").content.decode()
    assert "没有登记联系电话" in lookup
    response = client.post(reverse("workbench:intake"), _data(w, w.applicant, "13977001234"))
    assert response.status_code == 302 and Case.objects.count() == 1
    assert Applicant.objects.get(pk=w.applicant.pk).phone == "13977001234"
    event = AuditEvent.objects.get(chain__key=f"applicant:{w.applicant.pk}", action="onewindow.applicant.phone_added")
    assert event.actor_id == w.clerk.pk and event.data["phone"] == "139****1234"


def test_a_phone_on_record_is_kept_and_a_bad_number_is_refused_beside_the_field(client, w):
    Applicant.objects.filter(pk=w.applicant.pk).update(phone="13900000000")
    client.force_login(w.clerk)
    client.post(reverse("workbench:intake"), _data(w, w.applicant, "13977001234"))
    assert Applicant.objects.get(pk=w.applicant.pk).phone == "13900000000"
    Applicant.objects.filter(pk=w.applicant.pk).update(phone="")
    response = client.post(reverse("workbench:intake"), _data(w, w.applicant, "电话号码"))
    assert response.status_code == 400 and "联系电话只能包含数字" in response.content.decode()
    assert Applicant.objects.get(pk=w.applicant.pk).phone == ""
    assert Case.objects.count() == 1
