from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from onewindow.audit import selectors as audit_selectors
from onewindow.audit import services as audit_services
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError
from onewindow.orgs import identity, selectors, services
from onewindow.orgs.models import Applicant
from tests.factories import ApplicantFactory, UserFactory, make_applicant_user, make_staff

pytestmark = pytest.mark.django_db

PERSON_ID = identity.generate_resident_id(region="450681", birth_date=date(1985, 6, 1), sequence=321)
COMPANY_ID = identity.generate_uscc(region="450681", body="20261125")


def test_register_person_and_enterprise():
    person = services.register_applicant(kind="person", name=" 李四 ", id_number=PERSON_ID.lower(),
                                         phone="138 1234 5678")
    company = services.register_applicant(kind="enterprise", name="东兴市某某贸易有限公司",
                                          id_number=COMPANY_ID, legal_representative="王五")
    assert (person.name, person.id_number, person.phone) == ("李四", PERSON_ID, "13812345678")
    assert company.kind == "enterprise" and company.legal_representative == "王五"
    assert selectors.find_applicant_by_id_number(f" {PERSON_ID.lower()} ") == person
    assert selectors.find_applicant_by_id_number("") is None
    assert list(selectors.search_applicants("某某")) == [company]


@pytest.mark.parametrize("kind, id_number, field, words", [
    ("person", COMPANY_ID, "id_number", "居民身份证"),
    ("enterprise", PERSON_ID, "id_number", "统一社会信用代码"),
    ("person", PERSON_ID[:17] + ("1" if PERSON_ID[17] != "1" else "2"), "id_number", "校验位"),
    ("person", "4506812026023012", "id_number", "18 位"),
    ("alien", PERSON_ID, "kind", "person"),
])
def test_bad_identity_numbers_are_refused_and_nothing_is_written(kind, id_number, field, words):
    with pytest.raises(ValidationError) as err:
        services.register_applicant(kind=kind, name="李四", id_number=id_number)
    assert err.value.field == field
    assert words in err.value.message
    assert not Applicant.objects.exists()


def test_missing_name_and_bad_phone_are_refused():
    with pytest.raises(ValidationError) as err:
        services.register_applicant(kind="person", name="  ", id_number=PERSON_ID)
    assert err.value.field == "name"
    with pytest.raises(ValidationError) as err:
        services.register_applicant(kind="person", name="李四", id_number=PERSON_ID, phone="call me")
    assert err.value.field == "phone"
    assert not Applicant.objects.exists()


def test_duplicate_identity_number_is_a_clear_conflict():
    first = services.register_applicant(kind="person", name="李四", id_number=PERSON_ID)
    with pytest.raises(Conflict) as err:
        services.register_applicant(kind="person", name="李四四", id_number=PERSON_ID.lower())
    assert err.value.field == "id_number"
    assert "已登记" in err.value.message and "李四" in err.value.message
    assert PERSON_ID not in err.value.message  # the message shows the number masked
    assert list(Applicant.objects.all()) == [first]


def test_one_applicant_per_account():
    user = UserFactory()
    services.register_applicant(kind="person", name="李四", id_number=PERSON_ID, user=user)
    with pytest.raises(Conflict) as err:
        services.register_applicant(kind="enterprise", name="某公司", id_number=COMPANY_ID, user=user)
    assert err.value.field == "user"
    assert Applicant.objects.count() == 1
    assert selectors.applicant_for_user(user).id_number == PERSON_ID
    assert selectors.applicant_for_user(AnonymousUser()) is None


def test_create_applicant_user_links_account_and_applicant():
    user = services.create_applicant_user(username="lisi", password="lisi-pass-2026", kind="person",
                                          name="李四", id_number=PERSON_ID, phone="13812345678")
    assert user.display_name == "李四"
    assert selectors.applicant_for_user(user).name == "李四"
    assert selectors.roles_of(user) == set()


def test_create_applicant_user_with_bad_number_creates_no_account():
    with pytest.raises(ValidationError):
        services.create_applicant_user(username="lisi", password="lisi-pass-2026", kind="enterprise",
                                       name="某公司", id_number=PERSON_ID)
    from onewindow.orgs.models import User
    assert not User.objects.filter(username="lisi").exists()


def test_factories_generate_valid_unique_numbers():
    people = ApplicantFactory.create_batch(5)
    companies = ApplicantFactory.create_batch(3, enterprise=True)
    for applicant in people:
        assert identity.validate_resident_id(applicant.id_number) == applicant.id_number
    for applicant in companies:
        assert applicant.kind == "enterprise"
        assert identity.validate_uscc(applicant.id_number) == applicant.id_number


# --- who sees the full number ------------------------------------------------------------------------

def test_who_can_see_a_full_identity_number():
    owner = make_applicant_user()
    applicant = owner.applicant
    stranger = make_applicant_user()
    clerk = make_staff("window_clerk")
    admin = make_staff("administrator")
    superuser = UserFactory(is_superuser=True)
    approver = make_staff("approver")
    agent = make_staff("agent")
    supervisor = make_staff("supervisor")

    assert selectors.can_see_full_identity(owner, applicant)
    assert selectors.can_see_full_identity(clerk, applicant)
    assert selectors.can_see_full_identity(admin, applicant)
    assert selectors.can_see_full_identity(superuser, applicant)
    assert not selectors.can_see_full_identity(stranger, applicant)
    assert not selectors.can_see_full_identity(AnonymousUser(), applicant)
    assert not selectors.can_see_full_identity(approver, applicant)
    assert selectors.can_see_full_identity(approver, applicant, handling=True)
    assert selectors.can_see_full_identity(agent, applicant, handling=True)
    assert not selectors.can_see_full_identity(supervisor, applicant, handling=True)
    clerk.is_active = False
    assert not selectors.can_see_full_identity(clerk, applicant)


def test_displayed_number_is_full_only_for_the_owner():
    owner = make_applicant_user()
    applicant = owner.applicant
    clerk = make_staff("window_clerk")
    assert selectors.displayed_id_number(owner, applicant) == applicant.id_number
    assert selectors.displayed_id_number(clerk, applicant) == identity.mask_id_number(applicant.id_number)


def test_reveal_identity_returns_number_and_writes_audit_event():
    applicant = ApplicantFactory()
    clerk = make_staff("window_clerk", username="clerk1")
    now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    number = services.reveal_identity(viewer=clerk, applicant=applicant, reason="核对身份证原件", now=now)
    assert number == applicant.id_number
    events = list(audit_selectors.events_for(f"applicant:{applicant.pk}"))
    assert len(events) == 1
    event = events[0]
    assert event.action == "onewindow.identity.revealed"
    assert event.actor == clerk and event.actor_label == "clerk1"
    assert event.occurred_at == now
    assert event.reason == "核对身份证原件"
    assert event.data["id_number"] == identity.mask_id_number(applicant.id_number)
    assert applicant.id_number not in str(event.data)  # the trail never stores the full number
    assert audit_services.verify(chain_keys=[f"applicant:{applicant.pk}"]).ok


def test_refused_reveal_is_denied_and_recorded():
    applicant = ApplicantFactory()
    supervisor = make_staff("supervisor")
    with pytest.raises(PermissionDenied) as err:
        services.reveal_identity(viewer=supervisor, applicant=applicant)
    assert err.value.field == "id_number"
    actions = [e.action for e in audit_selectors.events_for(f"applicant:{applicant.pk}")]
    assert actions == ["onewindow.identity.reveal_refused"]
    with pytest.raises(PermissionDenied):
        services.reveal_identity(viewer=AnonymousUser(), applicant=applicant)
    events = list(audit_selectors.events_for(f"applicant:{applicant.pk}"))
    assert len(events) == 2 and events[1].actor is None
