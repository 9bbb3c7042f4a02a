"""English, the second locale: every public page and the staff sign-in switch to English with the
language cookie, the Accept-Language header or the language switch (set_language), while Chinese stays
the default; the committed catalog (locale/en) translates (almost) every msgid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import iri_to_uri

from onewindow.calendar.services import seed_official_calendar
from onewindow.core.errors import ValidationError
from onewindow.orgs.identity import validate_resident_id
from tests.cases.factories import accepted_case, build_world
from tests.catalog.factories import make_item

pytestmark = pytest.mark.django_db

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture
def item():
    return make_item(
        name="个体工商户设立登记",
        materials=[
            {"name": "申请书", "required": True},
            {"name": "居民身份证", "required": True, "certificate_type": "resident_id"},
            {"name": "委托书", "required": False, "condition": "委托他人办理时提交"},
        ],
    )


def english(client):
    client.cookies[COOKIE] = "en"
    return client


def page(client, url, status=200, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def assert_english(body: str, present: list[str], absent: list[str]) -> None:
    assert '<html lang="en">' in body
    for text in present:
        assert text in body, f"missing English text {text!r}"
    for text in absent:
        assert text not in body, f"Chinese text {text!r} still shown in English mode"


# -- Chinese is the default ----------------------------------------------------------------------------


def test_chinese_is_the_default_without_cookie_or_header(client, item):
    body = page(client, reverse("portal:home"))
    assert '<html lang="zh-hans">' in body
    assert "一窗通办，最多跑一次" in body and "办件查询" in body
    assert "Track a case" not in body
    # The switch offers English.
    assert 'href="/lang/en/?next=' in body
    notice = page(client, reverse("portal:item_detail", args=[item.code]))
    assert "本告知所列材料即为全部材料" in notice and "All the materials" not in notice


def test_an_unsupported_browser_language_falls_back_to_chinese(client):
    body = page(client, reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert '<html lang="zh-hans">' in body and "一窗通办，最多跑一次" in body


# -- Three ways into English ----------------------------------------------------------------------------


def test_language_cookie_shows_the_home_page_in_english(client, item):
    body = page(english(client), reverse("portal:home"))
    assert_english(
        body,
        present=["One window for everything, at most one trip", "Track a case", "Service guide",
                 "Browse by department", "Staff sign-in", "Search"],
        absent=["一窗通办，最多跑一次", "办件查询", "办事指南", "按部门办", "工作人员入口"],
    )
    # The switch now offers Chinese back.
    assert 'href="/lang/zh-hans/?next=' in body


def test_accept_language_header_shows_english(client):
    body = page(client, reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert_english(body, present=["Track a case"], absent=["办件查询"])


def test_language_switch_posts_to_set_language_and_sticks(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/items/"})
    assert response.status_code == 302 and response["Location"] == "/items/"
    assert response.cookies[COOKIE].value == "en"
    body = page(client, reverse("portal:item_list"))
    assert_english(body, present=["All life events", "Searching…"], absent=["全部主题", "正在搜索…"])
    # And back to Chinese.
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in page(client, reverse("portal:item_list"))


def test_set_language_refuses_an_unknown_language(client):
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert COOKIE not in response.cookies
    assert '<html lang="zh-hans">' in page(client, reverse("portal:home"))


def test_header_link_switches_language_and_returns_to_the_page(client):
    home = client.get(reverse("portal:item_list"), {"q": "营业执照"}).content.decode()  # as a browser sends it
    link = re.search(r'href="(/lang/en/\?next=[^"]+)"', home).group(1).replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == iri_to_uri(reverse("portal:item_list") + "?q=营业执照")
    assert response.cookies[COOKIE].value == "en"
    assert_english(page(client, reverse("portal:item_list")), present=["All life events"], absent=["全部主题"])
    back = client.get(reverse("switch_language", args=["zh-hans"]) + "?next=/")
    assert back.cookies[COOKIE].value == "zh-hans" and back["Location"] == "/"


@pytest.mark.parametrize("code, target, location", [
    ("xx", "/items/", "/items/"),                      # unknown language: back, cookie untouched
    ("en", "https://evil.example/", "/"),               # never sent off-site
    ("en", "//evil.example/x", "/"),
    ("en", "", "/"),
])
def test_language_link_refuses_unknown_languages_and_foreign_targets(client, code, target, location):
    response = client.get(reverse("switch_language", args=[code]), {"next": target})
    assert response.status_code == 302 and response["Location"] == location
    assert (COOKIE in response.cookies) == (code == "en")


def test_language_link_is_get_only(client):
    assert client.post(reverse("switch_language", args=["en"]), {"next": "/"}).status_code == 405


def test_public_pages_make_no_csrf_token_for_anonymous_visitors(client, item):
    for url in (reverse("portal:home"), reverse("portal:item_list"), reverse("portal:item_list") + "?q=gtgs"):
        response = client.get(url)
        assert response.status_code == 200
        assert settings.CSRF_COOKIE_NAME not in response.cookies, url
        assert "X-CSRFToken" not in response.content.decode() and "csrfmiddlewaretoken" not in response.content.decode()


# -- Pages in English -----------------------------------------------------------------------------------


def test_items_list_in_english(client, item):
    body = page(english(client), reverse("portal:item_list"))
    assert_english(
        body,
        present=["Committed: 3 working days", "Zero-run", "Legal limit", "Item code", "All types"],
        absent=["承诺 3 个工作日", "零跑动", "法定时限", "全部类型"],
    )
    # Item data stays as published (the catalog is Chinese); only the interface is translated.
    assert "个体工商户设立登记" in body


def test_one_time_notice_page_in_english(client, item):
    body = page(english(client), reverse("portal:item_detail", args=[item.code]))
    assert_english(
        body,
        present=["Download PDF", "Key facts", "Handling information",
                 "The materials listed in this notice are all the materials required",
                 "Administrative licensing"],
        absent=["下载 PDF", "办理信息", "本告知所列材料即为全部材料", "行政许可"],
    )


def test_track_page_in_english(client):
    body = page(english(client), reverse("portal_cases:track"))
    assert_english(
        body,
        present=["Track a case", "No sign-in needed. Enter the case number and query code", "Check"],
        absent=["无需登录", "受理通知书上的办件编号和查询码"],
    )


def test_progress_of_an_accepted_case_in_english(client):
    seed_official_calendar()
    w = build_world()
    case = accepted_case(w)
    body = page(english(client), reverse("portal_cases:track"), data={"number": case.number,
                                                                      "code": case.query_code})
    assert case.number in body
    assert_english(
        body,
        present=["Progress", "Approval stages", "Under review", "Due date", "2 departments reviewing in parallel"],
        absent=["办理进度", "审批环节", "审批中", "办结期限", "个部门同时审批"],
    )
    # The step dots are styled from the step's state, not its translated label: they light in English.
    assert re.search(r'class="dot done"[^>]*>1<', body) and re.search(r'class="dot current"[^>]*>2<', body)
    assert "年" not in body.split("Approval stages")[0].split("Progress")[-1]  # the summary's due date


def test_unknown_case_message_in_english(client):
    body = page(english(client), reverse("portal_cases:track"), status=404,
                data={"number": "DX01-20260101-9999", "code": "000000"})
    assert "Case not found. Please check the case number and query code" in body
    assert "没有找到该办件" not in body


def test_staff_login_page_in_english(client):
    body = page(english(client), reverse("workbench:login"))
    assert_english(
        body,
        present=["Sign in", "User name", "Password", "staff go to the workbench"],
        absent=["登录", "用户名", "密码"],
    )


def test_domain_error_messages_follow_the_language():
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        validate_resident_id("123")
    assert caught.value.field == "id_number"
    assert str(caught.value) == "A resident ID card number has 18 characters; this one has 3"
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        validate_resident_id("123")
    assert "居民身份证号码应为 18 位" in str(caught.value)


# -- The catalog ------------------------------------------------------------------------------------------


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr (list of forms), flags. No dependency on
    polib: the file is the simple form makemessages writes."""
    entries, current, key = [], None, None

    def unquote(line: str) -> str:
        body = line[line.index('"') + 1:line.rindex('"')]
        return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), body)

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current is not None and "msgid" in current:
                entries.append(current)
            current, key = None, None
            continue
        if current is None:
            current = {"flags": set(), "msgstr": {}}
        if line.startswith("#~"):
            current["obsolete"] = True
        elif line.startswith("#,"):
            current["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            key = ("msgctxt", None)
            current["msgctxt"] = unquote(line)
        elif line.startswith("msgid_plural "):
            key = ("msgid_plural", None)
            current["msgid_plural"] = unquote(line)
        elif line.startswith("msgid "):
            key = ("msgid", None)
            current["msgid"] = unquote(line)
        elif line.startswith("msgstr"):
            match = re.match(r"msgstr(?:\[(\d+)\])?\s", line)
            index = int(match.group(1) or 0)
            key = ("msgstr", index)
            current["msgstr"][index] = unquote(line)
        elif line.startswith('"') and key is not None:
            name, index = key
            if name == "msgstr":
                current["msgstr"][index] += unquote(line)
            else:
                current[name] += unquote(line)
    return [e for e in entries if not e.get("obsolete")]


ESCAPES = {"n": "\\n", "t": "\\t"}
PLACEHOLDER = re.compile(r"%\((\w+)\)")


def test_catalog_files_are_committed_and_compiled():
    po, mo = LOCALE_DIR / "django.po", LOCALE_DIR / "django.mo"
    assert po.exists() and mo.exists()
    assert mo.stat().st_size > 10_000
    header = parse_po(po)[0]
    assert header["msgid"] == ""
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert "Language: en" in header["msgstr"][0]


def test_catalog_covers_at_least_98_percent_of_msgids():
    entries = [e for e in parse_po(LOCALE_DIR / "django.po") if e["msgid"]]
    assert len(entries) > 1000
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values()) or "fuzzy" in e["flags"]]
    coverage = 1 - len(untranslated) / len(entries)
    if untranslated:
        print(f"{len(untranslated)} untranslated msgids (run scripts/update_translations.sh and translate):")
        for msgid in untranslated:
            print("  ", msgid)
    assert coverage >= 0.98, f"English coverage {coverage:.1%}: {untranslated[:20]}"


def test_translations_keep_every_placeholder_and_both_plural_forms():
    problems = []
    for e in parse_po(LOCALE_DIR / "django.po"):
        if not e["msgid"] or not all(e["msgstr"].values()):
            continue
        if "msgid_plural" in e:
            if sorted(e["msgstr"]) != [0, 1]:
                problems.append(("plural forms", e["msgid"]))
            sources = {0: e["msgid"], 1: e["msgid_plural"]}
        else:
            sources = {0: e["msgid"]}
        for index, source in sources.items():
            if set(PLACEHOLDER.findall(e["msgstr"][index])) != set(PLACEHOLDER.findall(source)):
                problems.append(("placeholders", source, e["msgstr"][index]))
    assert not problems, problems


def test_compiled_catalog_is_the_one_django_uses():
    # A msgid from a template, one from Python code and a plural form, through Django's own lookup.
    with translation.override("en"):
        assert translation.gettext("办件查询") == "Track a case"
        assert translation.gettext("不予受理必须写明理由") == "A refusal must state its reason"
        assert translation.ngettext("共 %(n)s 件", "共 %(n)s 件", 1) % {"n": 1} == "1 case"
        assert translation.ngettext("共 %(n)s 件", "共 %(n)s 件", 3) % {"n": 3} == "3 cases"
    with translation.override("zh-hans"):
        assert translation.gettext("办件查询") == "办件查询"
