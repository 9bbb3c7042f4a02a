"""Issue 16 in a real browser, as the window clerk: the home's queue of online applications opens a
case whose uploaded file has a link; and at the window an e-certificate material a new applicant lacks
is taken as a paper copy and the case is accepted. Screenshots under var/shots/."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.browser.test_case_journey import Person

pytestmark = [pytest.mark.browser]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "shots"


@pytest.fixture
def world(browser, transactional_db, live_server, settings, tmp_path):
    from onewindow.calendar.services import seed_official_calendar
    from onewindow.catalog.models import Material, MaterialSource
    from tests.workbench.world import make_world

    seed_official_calendar()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path
    w = make_world()
    w.materials["permit"] = Material.objects.create(
        item=w.item, order=5, name="食品生产许可证", required=True, source=MaterialSource.E_CERTIFICATE,
        certificate_type="food_production_test")
    return w


def test_the_clerk_opens_the_queue_sees_the_upload_and_takes_a_paper_copy_at_the_window(world, browser,
                                                                                      live_server):
    from onewindow.cases import services

    m = world.materials
    case = services.submit_case(
        item=world.item, applicant=world.applicant, channel="online", centre=world.centre,
        submitted_by=world.applicant_user, provided_material_ids=[m["id_card"].pk, m["permit"].pk],
        files={m["form"].pk: SimpleUploadedFile("form.pdf", b"%PDF-1.4 the form")})
    SHOTS.mkdir(parents=True, exist_ok=True)
    clerk = Person(browser, live_server.url, "clerk")
    page = clerk.go("/staff/")
    assert "待受理的网上申请" in page.inner_text("#acceptance-queue")
    page.screenshot(path=str(SHOTS / "clerk-queue.png"), full_page=True)
    page.locator("#acceptance-queue").get_by_role("link", name=case.number).click()
    page.wait_for_url(re.compile(rf".*/staff/cases/{re.escape(case.number)}/$"))
    assert page.get_by_role("link", name="查看上传文件").count() == 1
    page.screenshot(path=str(SHOTS / "case-upload-link.png"), full_page=True)

    page = clerk.go(f"/staff/intake/?item={world.item.code}")
    page.fill("#id_applicant_id_number", "450681199001011234")
    page.fill("#id_applicant_name", "王五")
    page.fill("#id_applicant_phone", "13900000000")
    permit = m["permit"].pk
    page.check(f"input[name=status_{permit}][value=provided]", force=True)
    page.screenshot(path=str(SHOTS / "intake-paper-copy.png"), full_page=True)
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_load_state()
    assert re.search(r"/staff/cases/[^/]+/intake/$", page.url), page.url
    clerk.close()
