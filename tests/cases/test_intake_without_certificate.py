"""Issue 16: a material the system fetches from an e-certificate is no dead end for an applicant who
has none on file — the paper copy (or an upload) stands in for it at the window and online — and an
online application is checked for its required materials before it is sent."""

from datetime import date

import pytest

from onewindow.cases import services
from onewindow.cases.models import CaseMaterialStatus, Certificate
from onewindow.cases.states import CaseState
from onewindow.catalog.models import MaterialSource, StageKind
from onewindow.core.errors import ValidationError

from .factories import at, make_item, new_applicant, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(world):
    """A road-occupation permit asking for the business licence, fetched from the e-certificates."""
    return make_item(
        department=world.zrzy, name="临时占用道路许可（电子证照）", committed=5,
        stages=[(1, StageKind.REVIEW, world.zrzy, 5)],
        materials=[{"name": "申请表"},
                   {"name": "营业执照", "source": MaterialSource.E_CERTIFICATE, "certificate_type": "yyzz"}])


def _ids(item):
    return {m.name: m.id for m in item.materials.all()}


def _give_licence(world, applicant):
    from onewindow.cases.certificates import certificate_digest

    certificate = Certificate(number="DX-YYZZ-2026-000001", certificate_type="yyzz", title="营业执照",
                              holder=applicant, issuer=world.scjg, issued_on=date(2026, 1, 5))
    certificate.digest = certificate_digest(certificate)
    certificate.save()
    return certificate


def test_a_new_applicant_hands_in_the_paper_licence_at_the_window_and_is_accepted(world, item):
    ids = _ids(item)
    case = services.intake_at_window(
        clerk=world.clerk, item=item, applicant=new_applicant(), window=world.window, decision="accept",
        provided_material_ids=[ids["申请表"], ids["营业执照"]], now=at(2026, 9, 30, 10))
    assert case.state == CaseState.IN_PROGRESS
    row = case.materials.get(material_id=ids["营业执照"])
    assert row.status == CaseMaterialStatus.PROVIDED and row.certificate is None
    assert "纸质件" in row.note


def test_without_the_paper_copy_the_refusal_says_no_e_certificate_was_found_and_nothing_is_saved(world, item):
    ids = _ids(item)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.intake_at_window(
            clerk=world.clerk, item=item, applicant=new_applicant(), window=world.window, decision="accept",
            provided_material_ids=[ids["申请表"]], now=at(2026, 9, 30, 10))
    assert "营业执照" in error.value.message and "未查到申请人的电子证照" in error.value.message
    assert error.value.field == "materials"
    assert snapshot() == before


def test_a_holder_of_the_licence_has_it_fetched_without_paper(world, item):
    _give_licence(world, world.applicant)
    ids = _ids(item)
    case = services.intake_at_window(
        clerk=world.clerk, item=item, applicant=world.applicant, window=world.window, decision="accept",
        provided_material_ids=[ids["申请表"]], now=at(2026, 9, 30, 10))
    row = case.materials.get(material_id=ids["营业执照"])
    assert row.status == CaseMaterialStatus.FROM_CERTIFICATE and row.certificate is not None


def test_an_online_case_without_the_certificate_is_accepted_with_the_paper_copy_recorded(world, item):
    ids = _ids(item)
    case = services.submit_case(item=item, applicant=world.applicant, channel="online", centre=world.centre,
                                provided_material_ids=[ids["申请表"]], submitted_by=world.applicant_user,
                                now=at(2026, 9, 30, 9))
    assert case.materials.get(material_id=ids["营业执照"]).status == CaseMaterialStatus.MISSING
    accepted = services.accept_case(clerk=world.clerk, case=case, provided_material_ids=[ids["营业执照"]],
                                    now=at(2026, 9, 30, 10))
    assert accepted.state == CaseState.IN_PROGRESS
    row = accepted.materials.get(material_id=ids["营业执照"])
    assert row.status == CaseMaterialStatus.PROVIDED and "纸质件" in row.note


def test_an_online_application_missing_required_materials_is_refused_naming_each_and_nothing_is_saved(world):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.submit_case(item=world.licence, applicant=world.applicant, channel="online", centre=world.centre,
                             provided_material_ids=[], submitted_by=world.applicant_user, require_complete=True,
                             now=at(2026, 9, 30, 9))
    assert error.value.field == "materials"
    assert "“设立登记申请书”" in error.value.message
    # Waivable materials may still be waived by the clerk, and data sharing fetches the identity proof.
    assert "经营场所证明" not in error.value.message and "身份证明" not in error.value.message
    assert snapshot() == before


def test_an_online_application_with_only_waivable_materials_missing_is_sent(world):
    application_form = world.licence.materials.get(name="设立登记申请书").id
    case = services.submit_case(item=world.licence, applicant=world.applicant, channel="online",
                                centre=world.centre, provided_material_ids=[application_form],
                                submitted_by=world.applicant_user, require_complete=True, now=at(2026, 9, 30, 9))
    assert case.state == CaseState.SUBMITTED
