"""Which case events an applicant hears about, and the words of each notification.

The text is made from a kind and a few parameters taken from the audit event (the due date, the
defects, the reason …), so the stored text (Chinese, as sent) and the portal's list (in the visitor's
language) say the same thing. A refusal, a denial, a supplement request, a special procedure and an
extension are things the law says the applicant must be told (Administrative Licensing Law Art. 32,
38, 42, 45); acceptance, approval, the certificate and the conclusion are what they wait for."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from onewindow.cases.models import DeliveryMethod, ProcedureKind
from onewindow.ratings import tokens as rating_tokens

from .models import Kind

# Audit verb (onewindow.case.<verb>) -> the notification it makes.
VERB_KINDS = {
    "accepted": Kind.ACCEPTED,
    "supplement_requested": Kind.SUPPLEMENT_REQUESTED,
    "refused": Kind.REFUSED,
    "special_procedure_started": Kind.SPECIAL_PROCEDURE,
    "extended": Kind.EXTENDED,
    "approved": Kind.APPROVED,
    "denied": Kind.DENIED,
    "certificate_issued": Kind.CERTIFICATE_ISSUED,
    "concluded": Kind.CONCLUDED,
}
REASON_CHARS = 120  # a text message is short; the full reason is on the progress page


def parameters(*, verb: str, number: str, item_name: str, reason: str, data: dict) -> dict:
    """The parameters a notification's text is made from, picked from the event (JSON-safe)."""
    params: dict[str, object] = {"number": number, "item": item_name}
    if verb == "accepted":
        params["due_on"] = data.get("due_on") or ""
    elif verb == "supplement_requested":
        params["defects"] = [str(d.get("name", "")) for d in data.get("defects") or [] if d.get("name")]
    elif verb in ("refused", "denied"):
        params["reason"] = (reason or "")[:REASON_CHARS]
    elif verb == "special_procedure_started":
        params.update(procedure=data.get("kind") or "", due_on=data.get("procedure_due_on") or "")
    elif verb == "extended":
        params.update(days=data.get("days") or 0, due_on=data.get("due_on") or "")
    elif verb == "certificate_issued":
        params["certificate"] = data.get("certificate") or ""
    elif verb == "concluded":
        params.update(delivery=data.get("delivery_method") or "", tracking=data.get("tracking_number") or "")
        # 一事一评: the message carries the signed link to rate the service (ratings.tokens).
        params["rating_link"] = rating_tokens.case_link(number) or ""
    return params


def _day(value) -> str:
    if not value:
        return "—"
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def render(kind: str, params: dict) -> str:
    """The notification's text in the active language."""
    subject = _("您申请的“%(item)s”（办件编号 %(number)s）") % {"item": params.get("item", ""),
                                                           "number": params.get("number", "")}
    if kind == Kind.ACCEPTED:
        return subject + _("已受理，办结期限为 %(due)s。") % {"due": _day(params.get("due_on"))}
    if kind == Kind.SUPPLEMENT_REQUESTED:
        defects = "、".join(params.get("defects") or []) or _("见补正告知书")
        return subject + _("需要补正材料：%(defects)s。请一次性补齐，补正期间不计入办理时限。") % {"defects": defects}
    if kind == Kind.REFUSED:
        return subject + _("不予受理，理由：%(reason)s。") % {"reason": params.get("reason", "")}
    if kind == Kind.SPECIAL_PROCEDURE:
        return subject + _("进入特别程序（%(procedure)s），预计 %(due)s 前结束，期间暂停计时。") % {
            "procedure": _label(ProcedureKind, params.get("procedure", "")), "due": _day(params.get("due_on"))}
    if kind == Kind.EXTENDED:
        return subject + _("经批准延长 %(days)s 个工作日，办结期限改为 %(due)s。") % {
            "days": params.get("days", 0), "due": _day(params.get("due_on"))}
    if kind == Kind.APPROVED:
        return subject + _("已批准，请按您选择的方式领取办理结果。")
    if kind == Kind.DENIED:
        return subject + _("不予许可，理由：%(reason)s。如有异议，可依法申请行政复议或者提起行政诉讼。") % {
            "reason": params.get("reason", "")}
    if kind == Kind.CERTIFICATE_ISSUED:
        return subject + _("的电子证照已签发，证照编号 %(certificate)s。") % {"certificate": params.get("certificate", "")}
    if kind == Kind.CONCLUDED:
        text = subject + _("已办结。")
        if params.get("delivery") == DeliveryMethod.POST and params.get("tracking"):
            text += _("结果已邮寄，快递单号 %(tracking)s。") % {"tracking": params["tracking"]}
        elif params.get("delivery"):
            text += _("送达方式：%(method)s。") % {"method": _label(DeliveryMethod, params["delivery"])}
        if params.get("rating_link"):
            text += _("请为本次服务评价：%(link)s") % {"link": params["rating_link"]}
        return text
    return subject + _label(Kind, kind)


def confirmation_code_text(code: str, minutes: int) -> str:
    """The text message carrying a new account's confirmation code (orgs.registration). It says who
    asks, how long the code lasts and that nobody may ask for it: the usual wording against fraud."""
    return _("【一窗通办】您正在注册政务服务网账号，验证码 %(code)s，%(minutes)d 分钟内有效。"
             "验证码仅用于本人注册，请勿告诉任何人，工作人员不会向您索要。") % {"code": code, "minutes": minutes}


def survey_code_text(code: str, minutes: int) -> str:
    """The text message confirming a phone number for the public appraisal (ratings: one answer per person)."""
    return _("【一窗通办】您正在参加政务服务社会评议，验证码 %(code)s，%(minutes)d 分钟内有效。"
             "验证码仅用于确认本人参评，请勿告诉任何人。") % {"code": code, "minutes": minutes}
