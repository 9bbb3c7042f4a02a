"""The site's frame (header, navigation, footer, stylesheet links) is kept per language and nav section
({% kept %}, core/templatetags/frame.py), and every page shows what it showed when the frame was rendered
on every request: the active section, the language link back to the current page, the visitor's
messages, the CSRF header of a signed-in visitor, the pages' own titles and navigation."""

import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import INFO
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.template import Context, Template, TemplateSyntaxError
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.urls import resolve, set_script_prefix

from onewindow.core.templatetags import frame
from tests.portal.factories import make_item

pytestmark = pytest.mark.django_db

NAV = {"首页": "/", "办事指南": "/items/", "一件事": "/bundles/", "部门": "/departments/", "公告": "/announcements/",
       "改革成效": "/reform/", "办件查询": "/track/"}


@pytest.fixture(autouse=True)
def _nothing_kept():
    frame.forget()
    yield
    frame.forget()


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    # The staff sign-in form's CSRF token is masked afresh on each response.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def active(html: str) -> list[str]:
    nav = html.split('<nav class="main-nav"', 1)[1].split("</nav>", 1)[0]
    return [label for label, url in NAV.items() if f'<a href="{url}" class="active" aria-current="page">{label}</a>' in nav]


def test_each_page_marks_its_own_section_whatever_was_kept_before(client):
    item = make_item(name="个体工商户设立登记")
    for _ in range(2):  # the second round is served from what the first kept
        assert active(page(client, "/")) == ["首页"]
        assert active(page(client, "/items/?q=gsdj")) == ["办事指南"]
        assert active(page(client, f"/items/{item.code}/")) == ["办事指南"]
        assert active(page(client, "/departments/")) == ["部门"]
        assert active(page(client, "/track/")) == ["办件查询"]


def test_the_kept_frame_is_the_frame_rendered_afresh(client):
    item = make_item(name="个体工商户设立登记")
    for url in ("/", "/items/?q=gsdj", f"/items/{item.code}/", "/staff/login/"):
        fresh = page(client, url)
        assert page(client, url) == fresh  # from what was kept
        frame.forget()
        assert page(client, url) == fresh


def test_the_language_link_returns_to_the_current_page(client):
    item = make_item(name="个体工商户设立登记")
    assert 'href="/lang/en/?next=/items/%3Fq%3Dyyzz%26page%3D2"' in page(client, "/items/?q=yyzz&page=2")
    assert f'href="/lang/en/?next=/items/{item.code}/"' in page(client, f"/items/{item.code}/")
    assert 'href="/lang/en/?next=/"' in page(client, "/")
    client.cookies["django_language"] = "en"
    html = page(client, "/items/?q=a")
    assert 'href="/lang/zh-hans/?next=/items/%3Fq%3Da"' in html and ">中文</a>" in html


def test_each_language_keeps_its_own_frame(client):
    zh = page(client, "/")
    client.cookies["django_language"] = "en"
    en = page(client, "/")
    assert "办事指南" not in en.split("<main", 1)[0] and "Service guide" in en.split("<main", 1)[0]
    client.cookies["django_language"] = "zh-hans"
    assert page(client, "/") == zh


def test_a_script_prefix_is_seen():
    """Served under a path prefix (SCRIPT_NAME), the frame's links carry it; the same process serving
    without it does not."""
    render_to_string("portal/item_list.html", {"body": ""}, request=_request())
    set_script_prefix("/gov/")
    try:
        html = render_to_string("portal/item_list.html", {"body": ""}, request=_request())
    finally:
        set_script_prefix("/")
    assert '<a class="brand" href="/gov/">' in html and '<a href="/gov/departments/"' in html
    html = render_to_string("portal/item_list.html", {"body": ""}, request=_request())
    assert '<a class="brand" href="/">' in html and "/gov/" not in html


def test_a_changed_setting_is_seen(client):
    page(client, "/")
    with override_settings(STATIC_URL="/assets/"):
        assert 'href="/assets/onewindow/site.css"' in page(client, "/")
    assert 'href="/static/onewindow/site.css"' in page(client, "/")


def _request(user=None, path="/items/"):
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_messages_and_the_signed_in_visitors_csrf_header_stay_per_request():
    plain = render_to_string("portal/item_list.html", {"body": ""}, request=_request())
    told = _request()
    told._messages.add(INFO, "已保存草稿")
    assert '<li class="msg-info">已保存草稿</li>' in render_to_string("portal/item_list.html", {"body": ""}, request=told)
    assert "已保存草稿" not in render_to_string("portal/item_list.html", {"body": ""}, request=_request())
    assert "hx-headers" not in plain

    user = get_user_model().objects.create_user("frame-user", password="x")
    signed_in = render_to_string("portal/item_list.html", {"body": ""}, request=_request(user))
    assert "hx-headers='{\"X-CSRFToken\": \"" in signed_in
    assert render_to_string("portal/item_list.html", {"body": ""}, request=_request()) == plain


def test_a_pages_own_blocks_win_over_the_kept_defaults():
    request = _request()
    render_to_string("portal/item_list.html", {"body": ""}, request=request)
    own = Template('{% extends "base.html" %}{% block title %}T{% endblock %}{% block site_name %}工作台{% endblock %}'
                   '{% block nav %}<a href="/x/">X</a>{% endblock %}{% block footer %}F{% endblock %}')
    html = own.render(Context({"request": request, "user": request.user}))
    assert "<title>T</title>" in html and "<span>工作台</span>" in html and '<a href="/x/">X</a>' in html
    assert "首页" not in html and ">F</div>" in html and "一窗受理" not in html


def test_a_kept_frame_reverses_no_url_and_translates_nothing():
    render_to_string("portal/item_detail.html", {"title": "T", "body": ""}, request=_request())
    with mock.patch("django.urls.reverse") as reverse, \
            mock.patch("django.templatetags.i18n.TranslateNode.render", return_value="") as trans:
        html = render_to_string("portal/item_detail.html", {"title": "T", "body": ""}, request=_request())
    assert reverse.call_count == 0
    assert trans.call_count == 1  # the notice page's own title: 一次性告知
    assert '<a href="/items/" class="active" aria-current="page">办事指南</a>' in html


@pytest.mark.parametrize("source", [
    '{% kept "x" %}{% block b %}{% endblock %}{% endkept %}',
    '{% kept "x" %}{% csrf_token %}{% endkept %}',
    '{% kept "x" %}{{ request.path }}{% endkept %}',
    '{% kept "x" %}{{ user.username }}{% endkept %}',
    '{% kept "x" %}{% for m in messages %}{% endfor %}{{ messages }}{% endkept %}',
    '{% kept %}a{% endkept %}',
    '{% kept x %}a{% endkept %}',
    '{% kept "x" %}a',
])
def test_a_kept_piece_refuses_what_depends_on_the_request(source):
    with pytest.raises(TemplateSyntaxError):
        Template("{% load frame %}" + source)


def test_a_kept_piece_varies_by_its_values_and_stays_bounded():
    template = Template('{% load frame %}{% kept "t" v %}[{{ v }}]{% endkept %}')
    assert template.render(Context({"v": 1})) == "[1]"
    assert template.render(Context({"v": 2})) == "[2]"
    assert template.render(Context({"v": 1})) == "[1]"
    for n in range(frame.LIMIT + 5):
        template.render(Context({"v": n}))
    assert len(frame._kept) <= frame.LIMIT
