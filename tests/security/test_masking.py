"""Personal data in lists: identity and phone numbers appear masked everywhere except to the person
themself (PIPL Art. 28 and 51; the rules are orgs.selectors.can_see_full_identity)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.api.auth import create_token
from onewindow.orgs import identity

from .conftest import build_matrix

pytestmark = pytest.mark.django_db


def _full_numbers(m) -> list[str]:
    applicants = [m.case_a.applicant, m.case_b.applicant]
    return [a.id_number for a in applicants] + [a.phone for a in applicants if a.phone]


def test_staff_lists_and_case_pages_never_print_a_full_number():
    m = build_matrix()
    secrets = _full_numbers(m)
    pages = {
        "clerk": [reverse("workbench:case_list"), reverse("workbench:case_detail", args=[m.case_a.number])],
        "approver_x": [reverse("workbench:inbox"), reverse("workbench:case_detail", args=[m.case_a.number])],
        "supervisor": [reverse("workbench:case_list"), reverse("workbench:case_detail", args=[m.case_b.number])],
        "administrator": [reverse("workbench:case_list")],
    }
    for role, urls in pages.items():
        client = Client()
        client.force_login(m.user(role))
        for url in urls:
            text = client.get(url).content.decode()
            leaked = [s for s in secrets if s in text]
            assert not leaked, f"{role} {url} shows {leaked}"


def test_api_shows_the_number_masked_to_staff_and_whole_to_the_applicant():
    m = build_matrix()
    number = m.case_a.applicant.id_number
    for role in ("clerk", "approver_x", "supervisor", "administrator"):
        token = create_token(user=m.user(role)).raw
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        listing = Client().get("/api/v1/cases", **headers).content.decode()
        detail = Client().get(f"/api/v1/cases/{m.case_a.number}", **headers)
        assert number not in listing and number not in detail.content.decode(), role
        assert detail.json()["applicant_id_number"] == identity.mask_id_number(number)
    own = create_token(user=m.user("applicant_a")).raw
    mine = Client().get(f"/api/v1/cases/{m.case_a.number}", HTTP_AUTHORIZATION=f"Bearer {own}")
    assert mine.json()["applicant_id_number"] == number


def test_public_progress_and_certificate_check_carry_no_identity_number():
    m = build_matrix()
    secrets = _full_numbers(m)
    client = Client()
    page = client.get(reverse("portal_cases:track"), {"number": m.case_a.number, "code": m.case_a.query_code})
    api = client.get(f"/api/v1/progress/{m.case_a.number}", {"query_code": m.case_a.query_code})
    assert page.status_code == api.status_code == 200
    for body in (page.content.decode(), api.content.decode()):
        assert not [s for s in secrets if s in body]


def test_admin_lists_of_applicants_and_accounts_are_masked():
    m = build_matrix()
    admin = m.user("administrator")
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    client = Client()
    client.force_login(admin)
    text = client.get("/admin/orgs/applicant/").content.decode()
    assert m.case_a.applicant.name in text
    assert not [s for s in _full_numbers(m) if s in text]
    assert identity.mask_id_number(m.case_a.applicant.id_number) in text


def test_masks_keep_only_what_identifies_nobody():
    assert identity.mask_id_number("450681199001011234") != "450681199001011234"
    masked = identity.mask_phone("13812345678")
    assert masked.startswith("138") and masked.endswith("5678") and "1234" not in masked
