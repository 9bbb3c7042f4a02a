"""Issue 16 at the window and on the staff case page: an e-certificate material offers the paper copy
(a new applicant has no certificate on file) and acceptance then succeeds with it recorded; a file
uploaded online has a link on the case page that only staff who may see the case can follow, and each
opening is on the trail."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onewindow.audit.models import AuditEvent
from onewindow.cases import services
from onewindow.cases.models import Case, CaseMaterialStatus
from onewindow.cases.states import CaseState
from onewindow.catalog.models import Material, MaterialSource

from .world import make_world

pytestmark = pytest.mark.django_db

VALID_PERSON_ID = "450681199001011234"


@pytest.fixture
def w():
    world = make_world()
    world.materials["permit"] = Material.objects.create(
        item=world.item, order=5, name="食品生产许可证", required=True, source=MaterialSource.E_CERTIFICATE,
        certificate_type="food_production_test")
    return world


def _data(w, permit_status):
    m = w.materials
    data = {"applicant_kind": "person", "applicant_id_number": VALID_PERSON_ID, "applicant_name": "王五",
            "applicant_phone": "13900000000", "item_code": w.item.code, "decision": "accept", "reason": ""}
    for key in ("form", "id_card", "lease"):
        data[f"status_{m[key].pk}"] = "provided"
    data[f"status_{m['permit'].pk}"] = permit_status
    return data


def test_the_checklist_offers_the_paper_copy_beside_fetching_the_e_certificate(client, w):
    client.force_login(w.clerk)
    body = client.get(reverse("workbench:intake_checklist"), {"item": w.item.code},
                      HTTP_HX_REQUEST="true").content.decode()
    permit = w.materials["permit"].pk
    assert f'name="status_{permit}" value="fetch"' in body and f'name="status_{permit}" value="provided"' in body
    assert "已提交纸质件" in body


def test_fetching_an_e_certificate_the_new_applicant_lacks_says_so_and_saves_nothing(client, w):
    client.force_login(w.clerk)
    response = client.post(reverse("workbench:intake"), _data(w, "fetch"))
    assert response.status_code == 400
    assert "未查到申请人的电子证照" in response.content.decode()
    assert not Case.objects.exists()


def test_the_paper_copy_is_accepted_and_recorded(client, w):
    client.force_login(w.clerk)
    response = client.post(reverse("workbench:intake"), _data(w, "provided"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.state == CaseState.IN_PROGRESS
    row = case.materials.get(material=w.materials["permit"])
    assert row.status == CaseMaterialStatus.PROVIDED and "纸质件" in row.note


def _online_case_with_upload(w):
    m = w.materials
    return services.submit_case(
        item=w.item, applicant=w.applicant, channel="online", centre=w.centre, submitted_by=w.applicant_user,
        provided_material_ids=[m["id_card"].pk, m["permit"].pk],
        files={m["form"].pk: SimpleUploadedFile("form.pdf", b"%PDF-1.4 the form")})


def test_staff_follow_the_upload_link_and_each_opening_is_recorded(client, w, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = _online_case_with_upload(w)
    row = case.materials.get(material=w.materials["form"])
    url = reverse("workbench:case_material_file", args=[case.number, row.pk])
    client.force_login(w.clerk)
    page = client.get(reverse("workbench:case_detail", args=[case.number])).content.decode()
    assert url in page and "查看上传文件" in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
    events = AuditEvent.objects.filter(chain__key=f"case:{case.number}", action="onewindow.case.material_file_opened")
    assert events.count() == 1 and events.get().actor_id == w.clerk.pk
    assert "查阅申请材料文件" in client.get(reverse("workbench:case_detail", args=[case.number])).content.decode()


def test_the_upload_link_is_a_404_for_staff_who_cannot_see_the_case_and_for_the_applicant(client, w, settings,
                                                                                         tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = _online_case_with_upload(w)
    row = case.materials.get(material=w.materials["form"])
    url = reverse("workbench:case_material_file", args=[case.number, row.pk])
    for user in (w.other_clerk, w.approver_c):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(w.applicant_user)
    assert client.get(url).status_code in (302, 404)
    assert not AuditEvent.objects.filter(action="onewindow.case.material_file_opened").exists()
