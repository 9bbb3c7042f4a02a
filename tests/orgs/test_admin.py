import pytest

from onewindow.orgs import identity, sample
from onewindow.orgs.models import Applicant, ServiceCentre, User
from tests.factories import TEST_PASSWORD, ApplicantFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.orgs.admin_urls")]


@pytest.fixture
def admin_client(client):
    UserFactory(username="root", is_superuser=True, is_staff=True)
    assert client.login(username="root", password=TEST_PASSWORD)
    return client


def test_applicant_list_masks_numbers_and_searches_by_name(admin_client):
    person = ApplicantFactory(name="黄小明", phone="13812345678")
    ApplicantFactory(name="陆大勇")
    page = admin_client.get("/admin/orgs/applicant/", {"q": "小明"}).content.decode()
    assert identity.mask_id_number(person.id_number) in page
    assert person.id_number not in page
    assert "138****5678" in page and "13812345678" not in page
    assert "陆大勇" not in page


def test_admin_form_refuses_a_bad_identity_number(admin_client):
    response = admin_client.post("/admin/orgs/applicant/add/", {
        "kind": "person", "name": "李四", "id_number": "110105194912310021", "phone": "", "address": "",
        "legal_representative": ""})
    assert response.status_code == 200
    assert "校验位" in response.content.decode()
    assert not Applicant.objects.exists()
    response = admin_client.post("/admin/orgs/applicant/add/", {
        "kind": "person", "name": "李四", "id_number": "11010519491231002x", "phone": "", "address": "",
        "legal_representative": ""})
    assert response.status_code == 302
    assert Applicant.objects.get().id_number == "11010519491231002X"


def test_centre_user_and_region_pages_render(admin_client):
    sample.load_sample_orgs()
    centre = ServiceCentre.objects.get(code="DX01")
    page = admin_client.get(f"/admin/orgs/servicecentre/{centre.pk}/change/").content.decode()
    assert "综合受理窗口" in page  # the window inline
    user = User.objects.get(username="root")
    assert admin_client.get(f"/admin/orgs/user/{user.pk}/change/").status_code == 200
    assert admin_client.get("/admin/orgs/user/add/").status_code == 200
    assert admin_client.get("/admin/orgs/region/").status_code == 200
    assert admin_client.get("/admin/orgs/department/", {"q": "公安"}).status_code == 200


def test_opening_an_applicant_in_the_admin_is_recorded_as_an_access_to_the_full_number(admin_client):
    from onewindow.audit.selectors import events_for

    person = ApplicantFactory(name="黄小明")
    page = admin_client.get(f"/admin/orgs/applicant/{person.pk}/change/")
    assert page.status_code == 200 and person.id_number in page.content.decode()
    events = list(events_for(f"applicant:{person.pk}"))
    assert [e.action for e in events] == ["onewindow.identity.revealed"]
    assert events[0].actor_label == "root" and person.id_number not in str(events[0].data)
