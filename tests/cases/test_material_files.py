"""Issue 16: reviewers see what the applicant uploaded — only staff who may see the case, and every
opening is on the case's audit trail."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.audit.models import AuditEvent
from onewindow.cases import services
from onewindow.core.errors import NotFound, PermissionDenied

from .factories import accepted_case, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploaded(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    form = world.licence.materials.get(name="设立登记申请书")
    case = accepted_case(world, files={form.id: SimpleUploadedFile("a.pdf", b"%PDF-1.4 application form")})
    return case, case.materials.get(material=form)


def test_an_approver_of_the_case_opens_the_upload_and_the_opening_is_recorded(world, uploaded):
    case, row = uploaded
    opened = services.open_material_file(viewer=world.approver_gaj, number=case.number, material_row_id=row.pk,
                                         now=at(2026, 10, 8, 9))
    assert opened.pk == row.pk and opened.file.read().startswith(b"%PDF")
    event = AuditEvent.objects.filter(chain__key=f"case:{case.number}",
                                      action="onewindow.case.material_file_opened").get()
    assert event.actor_id == world.approver_gaj.pk and event.data["material"] == "设立登记申请书"


def test_staff_who_cannot_see_the_case_and_the_applicant_account_are_refused(world, uploaded):
    case, row = uploaded
    with pytest.raises(NotFound):
        services.open_material_file(viewer=world.other_clerk, number=case.number, material_row_id=row.pk)
    with pytest.raises(NotFound):
        services.open_material_file(viewer=world.stranger_user, number=case.number, material_row_id=row.pk)
    with pytest.raises(PermissionDenied):
        services.open_material_file(viewer=world.applicant_user, number=case.number, material_row_id=row.pk)
    assert not AuditEvent.objects.filter(action="onewindow.case.material_file_opened").exists()


def test_a_row_without_a_file_is_not_found(world, uploaded):
    case, _row = uploaded
    other = case.materials.exclude(file__gt="").exclude(file__isnull=True).first()
    if other is None or other.file:
        other = case.materials.get(name="经营场所证明")
    with pytest.raises(NotFound):
        services.open_material_file(viewer=world.clerk, number=case.number, material_row_id=other.pk)
