"""Issue 16 on the online application page: an e-certificate the applicant does not hold is asked for
(upload or bring it), and an application without its required materials is not sent — the page names
what is missing and nothing is saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onewindow.cases.models import Case, CaseMaterialStatus
from onewindow.catalog.models import Material, MaterialSource
from tests.workbench.world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = make_world()
    world.materials["permit"] = Material.objects.create(
        item=world.item, order=5, name="食品生产许可证", required=True, source=MaterialSource.E_CERTIFICATE,
        certificate_type="food_production_test")
    return world


def test_an_e_certificate_the_applicant_does_not_hold_is_asked_for_with_an_upload(client, w):
    client.force_login(w.applicant_user)
    body = client.get(reverse("portal_cases:apply", args=[w.item.code])).content.decode()
    permit = w.materials["permit"].pk
    assert f'name="file_{permit}"' in body and f'name="provided_{permit}"' in body
    assert "未查到您的该电子证照" in body


def test_an_empty_online_application_is_refused_naming_the_missing_materials(client, w):
    client.force_login(w.applicant_user)
    response = client.post(reverse("portal_cases:apply", args=[w.item.code]), {"token": "t-empty"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "申请材料不全" in body
    for name in ("食品经营许可申请书", "法定代表人身份证明", "食品生产许可证"):
        assert f"“{name}”" in body
    assert "“经营场所使用证明”" not in body  # waivable: the clerk may accept it on a written promise
    assert not Case.objects.exists()


def test_the_uploaded_permit_stands_in_for_the_missing_e_certificate(client, w, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(w.applicant_user)
    m = w.materials
    response = client.post(reverse("portal_cases:apply", args=[w.item.code]), {
        "token": "t-permit", f"provided_{m['form'].pk}": "on", f"provided_{m['id_card'].pk}": "on",
        f"file_{m['permit'].pk}": SimpleUploadedFile("permit.pdf", b"%PDF-1.4 permit")})
    assert response.status_code == 302
    row = Case.objects.get().materials.get(material=m["permit"])
    assert row.status == CaseMaterialStatus.PROVIDED and row.file and "已上传" in row.note
