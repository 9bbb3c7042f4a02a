"""The public appraisal's public page (社会评议): /appraisal/<code>/. Who answers is confirmed first —
a signed-in applicant as themselves, anyone else by a code sent to their mobile phone (the same kind of
text message as registration's, sent through notify) — then one questionnaire: each department the
survey scores, each question on the five levels (or left blank: "I do not know"), and a comment per
department. ratings.surveys.submit_response allows one answer per person and marks bursts; the page
throttles code requests per address and per phone, and answers per address."""

from __future__ import annotations

import secrets
import time

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onewindow.core.errors import DomainError, ValidationError
from onewindow.core.throttle import client_ip, hit, throttle, throttle_message
from onewindow.notify import services as notify_services
from onewindow.orgs import identity
from onewindow.orgs import selectors as org_selectors
from onewindow.ratings import selectors, surveys
from onewindow.ratings.states import Level

CODE_MINUTES = 10
MAX_ATTEMPTS = 5
LEVELS = [(value, label) for value, label in Level.choices]


def _session_key(survey) -> str:
    return f"appraisal_{survey.pk}"


def _code_hash(code: str, salt: str) -> str:
    return salted_hmac("onewindow.portal.appraisal", f"{salt}:{code}", algorithm="sha256").hexdigest()


def _identity(request, survey) -> dict:
    """{"applicant": …} for a signed-in applicant, {"phone": …} once a code was confirmed, else {}."""
    applicant = org_selectors.applicant_for_user(request.user) if request.user.is_authenticated else None
    if applicant is not None:
        return {"applicant": applicant}
    state = request.session.get(_session_key(survey)) or {}
    return {"phone": state["phone"]} if state.get("confirmed") else {}


def _send_code(request, survey) -> str | None:
    try:
        phone = identity.validate_mobile_phone(request.POST.get("phone", ""))
    except ValidationError as exc:
        return exc.message
    decision = hit("register", f"phone:{phone}")
    if not decision.allowed:
        return throttle_message(decision.retry_after)
    code, salt = f"{secrets.randbelow(10 ** 6):06d}", secrets.token_hex(8)
    try:
        notify_services.send_confirmation_code(phone=phone, code=code, minutes=CODE_MINUTES, purpose="survey")
    except Exception:  # the gateway failed: the person is told, notify logged the detail
        return _("验证码短信发送失败，请稍后再试。")
    request.session[_session_key(survey)] = {"phone": phone, "hash": _code_hash(code, salt), "salt": salt,
                                             "sent": time.time(), "attempts": 0, "confirmed": False}
    return None


def _confirm_code(request, survey) -> str | None:
    key = _session_key(survey)
    state = request.session.get(key) or {}
    if not state.get("hash"):
        return _("请先获取验证码")
    if time.time() - state["sent"] > CODE_MINUTES * 60 or state["attempts"] >= MAX_ATTEMPTS:
        request.session.pop(key, None)
        return _("验证码已失效，请重新获取")
    state["attempts"] += 1
    ok = constant_time_compare(_code_hash(request.POST.get("code", "").strip(), state["salt"]), state["hash"])
    state["confirmed"] = ok
    request.session[key] = state
    return None if ok else _("验证码不正确")


def _parse(request, survey, departments, questions) -> tuple[dict, dict]:
    answers, comments = {}, {}
    for department in departments:
        for question in questions:
            value = request.POST.get(f"q_{department.pk}_{question.pk}", "")
            if value:
                if not value.isdigit():
                    raise ValidationError(_("评价应为 1—5（非常不满意—非常满意）"),
                                          field=f"q_{department.pk}_{question.pk}")
                answers[(department.pk, question.pk)] = int(value)
        comments[department.pk] = request.POST.get(f"comment_{department.pk}", "")
    return answers, comments


@throttle("register", methods=("POST",))
@require_http_methods(["GET", "POST"])
def appraisal(request, code: str):
    survey = selectors.survey_by_code(code)
    if survey is None:
        raise Http404
    departments = list(survey.departments.order_by("code"))
    questions = list(survey.questions.all())
    who = _identity(request, survey)
    error, field, status = None, None, 200
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "send":
            error = _send_code(request, survey)
        elif step == "confirm":
            error = _confirm_code(request, survey)
            if error is None:
                return redirect("portal_appraisal:appraisal", code=survey.code)
        elif step == "answer" and who:
            decision = hit("public_form", client_ip(request))
            if not decision.allowed:
                error, status = throttle_message(decision.retry_after), 429
            else:
                try:
                    answers, comments = _parse(request, survey, departments, questions)
                    surveys.submit_response(survey=survey, answers=answers, comments=comments,
                                            phone=who.get("phone", ""), applicant=who.get("applicant"),
                                            network=client_ip(request))
                except DomainError as exc:
                    error, field, status = exc.message, exc.field, exc.status_code
                else:
                    request.session.pop(_session_key(survey), None)
                    return render(request, "portal/appraisal/thanks.html", {"survey": survey})
        if error and status == 200:
            status = 400
    pending = (request.session.get(_session_key(survey)) or {}).get("phone") if not who else None
    return render(request, "portal/appraisal/form.html", {
        "survey": survey, "departments": departments, "questions": questions, "levels": LEVELS, "who": who,
        "pending_phone": pending, "error": error, "field": field, "posted": request.POST,
    }, status=status)
