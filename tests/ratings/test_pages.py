"""The rating pages: the applicant's link (case page, notice), the window's pad, the public statistics,
and the unit's and the office's rectification pages."""

import re

import pytest
from django.urls import reverse

from onewindow.ratings import tokens
from onewindow.ratings.models import Rating, Rectification

from .helpers import NOW, concluded_case, rate_case, served_ticket

pytestmark = pytest.mark.django_db


def _rate_path(html: str) -> str:
    found = re.search(r'href="https?://[^/"]+(/rate/[^"]+/)"', html)
    assert found, "the case page links to the rating page"
    return found.group(1)


def test_the_applicant_rates_a_concluded_case_from_its_page_once(client, w):
    case = concluded_case(w)
    client.force_login(w.applicant_user)
    page = client.get(reverse("portal_cases:my_case", args=[case.number])).content.decode()
    path = _rate_path(page)
    form = client.get(path)
    assert form.status_code == 200 and "非常满意" in form.content.decode() and "服务态度" in form.content.decode()
    done = client.post(path, {"level": "4", "attitude": "5", "comment": "很好"})
    assert done.status_code == 200 and "感谢您的评价" in done.content.decode()
    rating = Rating.objects.get()
    assert (rating.level, rating.attitude, rating.rated_by, rating.source) == (4, 5, w.applicant_user, "portal")
    again = client.post(path, {"level": "1"})
    assert "已评价过" in again.content.decode() and Rating.objects.get().level == 4
    assert "满意" in client.get(reverse("portal_cases:my_case", args=[case.number])).content.decode()


def test_a_rating_without_a_level_is_refused_naming_it(client, w):
    case = concluded_case(w)
    path = reverse("portal_ratings:rate", args=[tokens.make("case", case.pk, "notice")])
    response = client.post(path, {"comment": "没选"})
    assert response.status_code == 400 and "请选择总体评价" in response.content.decode()
    assert not Rating.objects.exists()


def test_the_notice_link_rates_without_signing_in_and_an_altered_link_is_not_found(client, w):
    case = concluded_case(w)
    link = tokens.link("case", case.pk, "notice")
    path = link[link.index("/rate/"):]
    assert client.post(path, {"level": "2"}).status_code == 200
    rating = Rating.objects.get()
    assert rating.source == "notice" and rating.rated_by is None
    assert Rectification.objects.get().rating == rating
    assert client.get(path.replace(path[8:12], "AAAA")).status_code == 404


def test_staff_cannot_rate_through_the_link(client, w):
    case = concluded_case(w)
    client.force_login(w.clerk)
    path = reverse("portal_ratings:rate", args=[tokens.make("case", case.pk, "portal")])
    response = client.post(path, {"level": "5"})
    assert response.status_code == 400 and "工作人员不能评价本人提供的服务" in response.content.decode()
    assert not Rating.objects.exists()


def test_the_public_statistics_show_each_department_with_a_chart(client, w):
    rate_case(concluded_case(w), 5, rater=w.applicant_user)
    page = client.get(reverse("portal_ratings:statistics") + "?period=year").content.decode()
    assert "好差评公示" in page and w.dept_a.name in page and "<svg" in page


def test_the_pad_shows_the_window_s_visit_and_the_person_taps_a_level(client, hw, settings):
    ticket = served_ticket(hw, now=None)
    client.force_login(hw.clerk)
    page = client.get(reverse("workbench:rating_pad") + f"?window={hw.window('1').pk}")
    assert page.status_code == 200 and ticket.display in page.content.decode()
    done = client.post(reverse("workbench:rating_pad"), {"subject": f"visit-{ticket.pk}", "level": "5",
                                                         "attitude": "5"})
    assert "感谢您的评价" in done.content.decode()
    rating = Rating.objects.get()
    assert (rating.subject_kind, rating.source, rating.rated_by, rating.clerk) == ("visit", "pad", None, hw.clerk)
    assert ticket.display not in client.get(reverse("workbench:rating_pad")).content.decode()


def test_the_unit_works_the_rectification_on_its_page_and_others_do_not_see_it(client, w):
    rating = rate_case(concluded_case(w), 1, rater=w.applicant_user, now=NOW)
    r = rating.rectification
    client.force_login(w.approver_a)
    listing = client.get(reverse("workbench:rectifications")).content.decode()
    assert rating.subject_label in listing
    detail = client.get(reverse("workbench:rectification", args=[r.pk])).content.decode()
    assert "登记回访" in detail and "申诉复核" in detail and "审核通过" not in detail
    bad = client.post(reverse("workbench:rectification_action", args=[r.pk, "record_follow_up"]),
                      {"record_follow_up-note": ""})
    assert bad.status_code == 400 and "请填写回访情况" in bad.content.decode()
    ok = client.post(reverse("workbench:rectification_action", args=[r.pk, "record_follow_up"]),
                     {"record_follow_up-note": "已电话回访，评价人接受道歉"})
    assert ok.status_code == 302
    r.refresh_from_db()
    assert r.follow_up_note.startswith("已电话回访")
    client.force_login(w.approver_b)
    assert client.get(reverse("workbench:rectification", args=[r.pk])).status_code == 404
    client.force_login(w.supervisor)
    assert rating.subject_label in client.get(reverse("workbench:rectifications")).content.decode()
    assert "各窗口人员" in client.get(reverse("workbench:rating_figures")).content.decode()
