"""Every admin page is in Chinese: the administrator walks every changelist, add page and one change page
of every registered model (ours and third-party: auth, django-axes) with rows in every table, and no
English word of the interface is left — app labels, model and field names, column headers, filters,
help texts, screen-reader text and permission names. Our own models name every field in Chinese (a model
test); Django's and axes' strings that Django does not translate come from locale/zh_Hans.

What may stay in Latin letters: the data itself (user names, codes, e-mail addresses, as stored), codes
(letters with digits or code punctuation), command lines (in <code> or starting "onewindow "), and the
allow-listed product names, abbreviations and key names below."""

from __future__ import annotations

import html as htmllib
import json
import re
from datetime import date

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from onewindow.api.auth import create_token
from onewindow.calendar.services import seed_official_calendar
from onewindow.cases import services
from onewindow.jobs import services as job_services
from onewindow.notify import services as notify_services
from tests.workbench.cases import accepted_case, provided_ids, task_of
from tests.workbench.world import make_world

pytestmark = pytest.mark.django_db

# Product names and abbreviations a Chinese government page uses as they are.
ALLOWED = {"onewindow", "API", "ID", "IP", "SHA", "HTTP", "URL", "PDF", "CSV", "JSON", "SMS", "Cookie", "GET", "POST",
           "CJK", "LDAP", "chinesecalendar",
           "Control", "Command", "Mac"}  # key names in Django's own Chinese help: 按住 Control 键或 Mac 上的 Command 键
# Django's boolean icons carry alt="True"/"False"/"None" (hard-coded in django.contrib.admin.utils, not
# translatable; the icon itself is what a sighted administrator reads).
BOOLEAN_ALTS = {"True", "False", "None"}
WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
# A run of letters, digits and code punctuation: a word only when it is letters alone ("FCG01", a path,
# an action code like onewindow.case.accepted are codes).
TOKEN = re.compile(r"[A-Za-z0-9_./:@#=+*-]+(?:['’][A-Za-z]+)*")
# A command line in a message ("… 或运行 onewindow workdays import FILE")
COMMAND = re.compile(r"\bonewindow(?: [a-z][a-z-]*)+(?: [A-Z][A-Z_]*)*")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _visible_text(page: str) -> str:
    """What a person (or a screen reader) gets from a page: text nodes and the attributes that are read
    out, without scripts, styles, CSS classes, URLs, and code samples."""
    page = re.sub(r"(?is)<(script|style|code|pre|kbd)\b[^>]*>.*?</\1>", " ", page)
    read_out = []
    for tag in re.findall(r"(?s)<[^>]+>", page):
        for name, value in re.findall(r'\b(title|placeholder|aria-label|alt)="([^"]*)"', tag):
            if not (name == "alt" and value in BOOLEAN_ALTS):
                read_out.append(value)
        if re.search(r'type="(submit|button|reset)"', tag):
            read_out += re.findall(r'\bvalue="([^"]*)"', tag)
    text = re.sub(r"(?s)<[^>]+>", " ", page)
    return COMMAND.sub(" ", htmllib.unescape(text + " " + " ".join(read_out)))


def _data_words() -> set[str]:
    """Latin words that are data in this database (user names, codes, stored texts): shown as stored."""
    words: set[str] = set()
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField | models.JSONField)]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            for value in row:
                words.update(WORD.findall(value if isinstance(value, str) else json.dumps(value)))
    return words


@pytest.fixture
def site(client):
    """A small centre with rows in every table the admin lists."""
    seed_official_calendar()
    w = make_world()
    accepted = accepted_case(w)
    denied = accepted_case(w)
    services.deny_task(approver=w.approver_b, task=task_of(denied, w.dept_b), reason="消防设施不符合要求")
    services.start_special_procedure(approver=w.approver_a, task=task_of(accepted, w.dept_a),
                                     kind="expert_review", limit_days=5, reason="需组织专家论证")
    services.extend_case(approver=w.approver_a, case=accepted, days=5, reason="专家意见分歧")
    services.intake_at_window(clerk=w.clerk, item=w.item, applicant=w.applicant,
                              provided_material_ids=provided_ids(w, "form"), decision="supplement",
                              defects=[{"material_id": w.materials["form"].pk, "reason": "未签字"}])
    notify_services.collect()
    job_services.daily_check(force=True)
    job_services.build_report(centre=w.centre, period=date.today().replace(day=1))
    create_token(user=w.clerk, name="12345 热线对接")
    group = Group.objects.create(name="窗口组")
    group.permissions.set(Permission.objects.all()[:20])
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    now = timezone.now()
    seen = {"user_agent": "Mozilla/5.0", "ip_address": "127.0.0.1", "username": "clerk", "http_accept": "text/html",
            "path_info": "/staff/login/"}
    # bulk_create: axes' own post_save handlers expect its database handler, not the cache one we use
    AccessAttempt.objects.bulk_create([AccessAttempt(**seen, get_data="", post_data="", failures_since_start=3)])
    AccessLog.objects.bulk_create([AccessLog(**seen, attempt_time=now)])
    AccessFailureLog.objects.bulk_create([AccessFailureLog(**seen, locked_out=True)])
    administrator = make_administrator()
    client.force_login(administrator)
    return client


def make_administrator():
    from tests.catalog.factories import make_admin

    return make_admin()


def _admin_pages():
    """(url, must answer 200) of every admin index, changelist, add page and one change page."""
    yield reverse("admin:index"), True
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield reverse("admin:app_list", args=[model._meta.app_label]), True
        yield reverse(f"{prefix}_changelist"), True
        yield reverse(f"{prefix}_add"), False  # some models are read-only (403)
        first = model.objects.order_by("pk").first()
        if first is not None:
            try:
                yield reverse(f"{prefix}_change", args=[first.pk]), True
            except NoReverseMatch:
                pass


def test_every_admin_page_is_in_chinese(site):
    allowed = ALLOWED | _data_words()
    english: dict[str, set[str]] = {}
    seen = 0
    for url, must in dict.fromkeys(_admin_pages()):
        response = site.get(url)
        if response.status_code == 403 and not must:
            continue
        assert response.status_code == 200, f"{url}: {response.status_code}"
        seen += 1
        text = _visible_text(response.content.decode())
        assert CJK.search(text), url
        left = {token for token in TOKEN.findall(text) if WORD.fullmatch(token) and token not in allowed}
        if left:
            english[url] = left
    assert seen > 60
    assert not english, "English left in the admin:\n" + "\n".join(f"{u}: {sorted(w)}" for u, w in english.items())


def test_every_model_and_field_of_ours_has_a_chinese_name():
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("onewindow."):
            continue
        opts = model._meta
        for label in (opts.verbose_name, opts.verbose_name_plural):
            if not CJK.search(str(label)):
                missing.append(f"{opts.label}: {label}")
        for field in opts.get_fields():
            if (field.auto_created and not field.concrete) or field.name == "id":
                continue
            if not CJK.search(str(getattr(field, "verbose_name", ""))):
                missing.append(f"{opts.label}.{field.name}: {field.verbose_name}")
    for config in apps.get_app_configs():  # the apps the admin lists: those with models
        if not list(config.get_models()) or config.name == "onewindow.api":  # "API" is allowed
            continue
        if not CJK.search(str(config.verbose_name)):
            missing.append(f"app {config.label}: {config.verbose_name}")
    assert not missing, missing


def test_permissions_are_named_in_chinese_on_the_group_and_user_forms(site):
    page = site.get(reverse("admin:auth_group_add")).content.decode()
    assert "事项目录 | 事项公告 | 可增加" in page and "登录失败锁定 | 登录尝试 | 可查看" in page
    assert "Can add" not in page and "Can view" not in page

