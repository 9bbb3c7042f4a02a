"""The written notices of a case, as A4 PDFs in Chinese: acceptance (受理通知书, with a QR code to the
public progress page), supplement (补正材料通知书, every defect at once), refusal (不予受理通知书, with
the reason and the ways to appeal), special procedure (特别程序告知书), extension (延期告知书) and
waiver acceptance (容缺受理告知书), and the written decision on a denial (不予许可决定书: the reason,
the legal basis, and the reconsideration and litigation routes with their deadlines). Each is built only
from what is on the case, so a reprint says the same as the first print.

The law behind them: Administrative Licensing Law Art. 32 (accept, supplement at once, refuse in
writing), Art. 38 (a denial is a written decision with its reasons and the applicant's right to
reconsideration or litigation), Art. 42 (extension, told to the applicant), Art. 45 (special procedures:
their length told in writing); Administrative Reconsideration Law (2023 revision) Art. 20 (60 days from
receipt) and Arts. 24 and 27 (which body hears it: orgs.selectors.reconsideration_body), and
Administrative Procedure Law Art. 46 (6 months) for the appeal routes printed on a refusal and a denial."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from onewindow.core import pdf
from onewindow.core.errors import NotFound
from onewindow.orgs import identity
from onewindow.orgs import selectors as org_selectors

from .models import Case, CaseMaterialStatus, DenialKind
from .states import CaseState

KINDS = {
    "acceptance": gettext_lazy("受理通知书"),
    "supplement": gettext_lazy("补正材料通知书"),
    "refusal": gettext_lazy("不予受理通知书"),
    "special_procedure": gettext_lazy("特别程序告知书"),
    "extension": gettext_lazy("延期告知书"),
    "waiver": gettext_lazy("容缺受理告知书"),
    "denial": gettext_lazy("不予许可决定书"),
}
# What the applicant may download (portal: their own case, or the progress page with the query code):
# the notices that decide on the application, known from the case's own fields (no query on the
# progress page's hot path). The others are handed over or sent with the step they belong to.
APPLICANT_KINDS = ("acceptance", "refusal", "denial")


def track_url(case: Case) -> str:
    """The public progress page of the case (number and query code filled in), as printed in the QR code."""
    query = urlencode({"number": case.number, "code": case.query_code})
    return f"{settings.SITE_URL}{reverse('portal_cases:track')}?{query}"


def _title(kind: str) -> str:
    return str(KINDS[kind]) if kind in KINDS else kind


def available_notices(case: Case) -> list[tuple[str, str]]:
    """(kind, title) of every notice this case has grounds for, in the order they arise."""
    kinds = []
    if case.accepted_on:
        kinds.append("acceptance")
    if case.materials.filter(promised_by__isnull=False).exists():
        kinds.append("waiver")
    if case.supplement_requests.exists():
        kinds.append("supplement")
    if case.state == CaseState.REFUSED:
        kinds.append("refusal")
    if case.special_procedures.exists():
        kinds.append("special_procedure")
    if case.extensions.exists():
        kinds.append("extension")
    if case.state == CaseState.DENIED:
        kinds.append("denial")
    return [(kind, _title(kind)) for kind in kinds]


def applicant_notices(case: Case) -> list[tuple[str, str]]:
    """(kind, title) of the notices the applicant may download for this case (APPLICANT_KINDS)."""
    kinds = []
    if case.accepted_on:
        kinds.append("acceptance")
    if case.state == CaseState.REFUSED:
        kinds.append("refusal")
    if case.state == CaseState.DENIED:
        kinds.append("denial")
    return [(kind, _title(kind)) for kind in kinds]


# --- shared pieces --------------------------------------------------------------------------------


def _d(day: date | None) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day} if day else "—"


def _facts(rows: list[tuple[str, str]]):
    return pdf.data_table(
        [[label, value] for label, value in rows],
        col_widths=[40 * mm, pdf.content_width() - 40 * mm],
        header=False,
    )


def _head(case: Case, kind: str) -> list:
    st = pdf.styles()
    return [
        pdf.para(case.centre.name, st["subtitle"]),
        pdf.para(_title(kind), st["title"]),
        pdf.para(_("编号：%(number)s") % {"number": case.number}, st["subtitle"]),
    ]


def _addressee(case: Case) -> list:
    st = pdf.styles()
    masked = identity.mask_id_number(case.applicant.id_number)
    return [
        pdf.para(
            _("%(name)s（证件号码 %(number)s）：") % {"name": case.applicant.name, "number": masked},
            st["body"],
        ),
        Spacer(1, 2 * mm),
    ]


def _signature(case: Case, day: date | None) -> list:
    st = pdf.styles()
    sign = pdf.styles()["body"].clone("sign", alignment=2)
    return [
        Spacer(1, 10 * mm),
        pdf.para(case.centre.name, sign),
        pdf.para(_d(day), sign),
        Spacer(1, 4 * mm),
        pdf.para(
            _("本告知书由 onewindow 依办件记录生成，办件编号 %(number)s。") % {"number": case.number},
            st["small"],
        ),
    ]


def _submitted_on(case: Case) -> date:
    return timezone.localtime(case.submitted_at).date()


def _due_text(case: Case) -> str:
    if not case.due_on:
        return "—"
    text = _d(case.due_on)
    if case.due_provisional:
        text += _("（暂定：该年度放假安排尚未公布，公布后重新计算）")
    return text


def _qr_block(case: Case) -> Table:
    st = pdf.styles()
    url = track_url(case)
    text = pdf.para(
        _("扫描二维码查询办理进度，或访问 %(site)s/track/ 输入办件编号 %(number)s 和查询码 %(code)s。")
        % {"site": settings.SITE_URL, "number": case.number, "code": case.query_code},
        st["body"],
    )
    table = Table(
        [[pdf.qr_drawing(url, size=30 * mm), text]], colWidths=[34 * mm, pdf.content_width() - 34 * mm]
    )
    table.setStyle(pdf.table_style([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return table


# --- the notices ----------------------------------------------------------------------------------


def _acceptance(case: Case) -> tuple[list, date]:
    if not case.accepted_on:
        raise NotFound(_("该办件尚未受理，没有受理通知书"), field="kind")
    st = pdf.styles()
    story = (
        _head(case, "acceptance")
        + _addressee(case)
        + [
            pdf.para(
                _(
                    "你（单位）于 %(date)s 提出的“%(item)s”申请，经审查，申请材料齐全、符合法定形式，根据《中华人民共和国"
                    "行政许可法》第三十二条的规定，决定予以受理。"
                )
                % {"date": _d(_submitted_on(case)), "item": case.item.name},
                st["body"],
            ),
            Spacer(1, 3 * mm),
            _facts(
                [
                    (_("办件编号"), case.number),
                    (_("查询码"), case.query_code),
                    (_("办理事项"), case.item.name),
                    (_("实施部门"), case.item.department.name),
                    (_("受理日期"), _d(case.accepted_on)),
                    (
                        _("承诺办结时限"),
                        (_("%(n)s 个自然日（自受理次日起计算）") if case.limit_unit == "natural"
                         else _("%(n)s 个工作日（自受理次日起计算，法定节假日不计）"))
                        % {"n": case.committed_limit_days},
                    ),
                    (_("办结期限"), _due_text(case)),
                ]
            ),
            Spacer(1, 4 * mm),
            _qr_block(case),
        ]
    )
    return story, case.accepted_on


def _waiver(case: Case) -> tuple[list, date]:
    owed = list(case.materials.filter(promised_by__isnull=False).order_by("promised_by", "id"))
    if not owed:
        raise NotFound(_("该办件没有容缺材料"), field="kind")
    st = pdf.styles()
    rows = [[_("序号"), _("容缺材料"), _("承诺补齐日期"), _("状态")]]
    for i, cm in enumerate(owed, 1):
        state = _("已补齐") if cm.supplied_at or cm.status != CaseMaterialStatus.WAIVED else _("待补齐")
        rows.append([str(i), cm.name, _d(cm.promised_by), state])
    width = pdf.content_width()
    story = (
        _head(case, "waiver")
        + _addressee(case)
        + [
            pdf.para(
                _(
                    "你（单位）申请的“%(item)s”，主要申请材料齐全，下列次要材料暂缺。根据容缺受理制度，在你书面承诺按期补齐的"
                    "前提下，本中心予以容缺受理："
                )
                % {"item": case.item.name},
                st["body"],
            ),
            Spacer(1, 3 * mm),
            pdf.data_table(rows, col_widths=[14 * mm, width - 84 * mm, 40 * mm, 30 * mm]),
            Spacer(1, 3 * mm),
            pdf.para(
                _(
                    "请在承诺日期前将上述材料送交受理窗口或在网上补交。材料补齐前，本事项不予办结、不发放办理结果；"
                    "逾期未补齐的，将依法作出处理并记入信用记录。"
                ),
                st["notice"],
            ),
            _facts(
                [
                    (_("办件编号"), case.number),
                    (_("查询码"), case.query_code),
                    (_("办结期限"), _due_text(case)),
                ]
            ),
        ]
    )
    return story, case.accepted_on or _submitted_on(case)


def _supplement(case: Case) -> tuple[list, date]:
    request = case.supplement_requests.order_by("-requested_at").first()
    if request is None:
        raise NotFound(_("该办件没有补正告知"), field="kind")
    st = pdf.styles()
    rows = [[_("序号"), _("材料"), _("需补正的内容")]]
    for i, defect in enumerate(request.defects or [], 1):
        rows.append([str(i), defect.get("name") or "", defect.get("reason") or ""])
    width = pdf.content_width()
    story = (
        _head(case, "supplement")
        + _addressee(case)
        + [
            pdf.para(
                _(
                    "你（单位）于 %(date)s 提出的“%(item)s”申请，申请材料不齐全或者不符合法定形式。根据《中华人民共和国"
                    "行政许可法》第三十二条第一款第（四）项的规定，现一次性告知你需要补正的全部内容："
                )
                % {"date": _d(_submitted_on(case)), "item": case.item.name},
                st["body"],
            ),
            Spacer(1, 3 * mm),
            pdf.data_table(rows, col_widths=[14 * mm, 60 * mm, width - 74 * mm]),
            Spacer(1, 3 * mm),
            pdf.para(
                _(
                    "以上为需补正的全部内容，不会再要求补正其他材料。补正期间不计入办理时限；请补齐后持本通知书到受理窗口，"
                    "或登录网站提交。"
                ),
                st["notice"],
            ),
            _facts(
                [
                    (_("办件编号"), case.number),
                    (_("查询码"), case.query_code),
                    (_("告知日期"), _d(request.requested_on)),
                ]
            ),
        ]
    )
    return story, request.requested_on


def _refusal(case: Case) -> tuple[list, date]:
    if case.state != CaseState.REFUSED:
        raise NotFound(_("该办件未被不予受理"), field="kind")
    filing = case.denial_filings.filter(kind=DenialKind.REFUSAL).order_by("-filed_at").first()
    reason = filing.reason if filing else case.decision_reason
    day = timezone.localtime(filing.filed_at).date() if filing else timezone.localdate()
    st = pdf.styles()
    story = (
        _head(case, "refusal")
        + _addressee(case)
        + [
            pdf.para(
                _(
                    "你（单位）于 %(date)s 提出的“%(item)s”申请，经审查，根据《中华人民共和国行政许可法》第三十二条的规定，"
                    "决定不予受理。"
                )
                % {"date": _d(_submitted_on(case)), "item": case.item.name},
                st["body"],
            ),
            pdf.para(_("不予受理的理由"), st["h2"]),
            pdf.para(reason or "—", st["body"]),
            pdf.para(_("救济途径"), st["h2"]),
            pdf.para(
                _(
                    "如对本决定不服，可以自收到本通知书之日起六十日内依法申请行政复议，或者自收到本通知书之日起六个月内"
                    "依法向人民法院提起行政诉讼。"
                ),
                st["body"],
            ),
            Spacer(1, 3 * mm),
            _facts(
                [
                    (_("办件编号"), case.number),
                    (_("办理事项"), case.item.name),
                    (_("实施部门"), case.item.department.name),
                ]
            ),
        ]
    )
    return story, day


def decision_number(case: Case, department, day: date) -> str:
    """The decision's document number, derived from the case so that every reprint carries the same one:
    the deciding department's short name, 不许字, the year in 〔〕 and the case number."""
    short = department.short_name or department.name
    return _("%(dept)s不许字〔%(year)s〕%(number)s号") % {"dept": short, "year": day.year, "number": case.number}


def _denial(case: Case) -> tuple[list, date]:
    """不予许可决定书, issued by the department that denied (its denial filing), sealed by it and served
    through the centre."""
    if case.state != CaseState.DENIED:
        raise NotFound(_("该办件未被决定不予许可"), field="kind")
    filing = (case.denial_filings.filter(kind=DenialKind.DENIAL).select_related("department__region")
              .order_by("-filed_at").first())
    department = filing.department if filing else case.item.department
    reason = (filing.reason if filing else "") or case.decision_reason
    decided_at = filing.filed_at if filing else (case.decided_at or case.concluded_at)
    day = timezone.localtime(decided_at).date() if decided_at else timezone.localdate()
    number = decision_number(case, department, day)
    body = org_selectors.reconsideration_body(department)
    st = pdf.styles()
    sign = st["body"].clone("sign", alignment=2)
    story = [
        pdf.para(department.name, st["subtitle"]),
        pdf.para(_title("denial"), st["title"]),
        pdf.para(number, st["subtitle"]),
        *_addressee(case),
        pdf.para(
            _(
                "你（单位）于 %(date)s 提出的“%(item)s”申请（办件编号 %(number)s），已于 %(accepted)s 依法受理。"
                "经审查，根据《中华人民共和国行政许可法》第三十八条第二款的规定，决定不予许可。"
            )
            % {"date": _d(_submitted_on(case)), "item": case.item.name, "number": case.number,
               "accepted": _d(case.accepted_on)},
            st["body"],
        ),
        pdf.para(_("不予许可的理由"), st["h2"]),
        pdf.para(reason or "—", st["body"]),
        pdf.para(_("法律依据"), st["h2"]),
        pdf.para(
            _("本事项的设定依据：%(basis)s") % {"basis": case.item.legal_basis.strip() or _("（事项目录未载明）")},
            st["body"],
        ),
        pdf.para(
            _(
                "《中华人民共和国行政许可法》第三十八条第二款：行政机关依法作出不予行政许可的书面决定的，应当说明理由，"
                "并告知申请人享有依法申请行政复议或者提起行政诉讼的权利。"
            ),
            st["body"],
        ),
        pdf.para(_("申请行政复议或者提起行政诉讼的权利"), st["h2"]),
        pdf.para(
            _(
                "如不服本决定，可以自收到本决定书之日起六十日内，依照《中华人民共和国行政复议法》第二十条的规定向"
                "%(body)s申请行政复议；也可以自收到本决定书之日起六个月内，依照《中华人民共和国行政诉讼法》第四十六条的"
                "规定向人民法院提起行政诉讼。"
            )
            % {"body": body},
            st["body"],
        ),
        Spacer(1, 3 * mm),
        _facts(
            [
                (_("决定书编号"), number),
                (_("办件编号"), case.number),
                (_("申请人"), case.applicant.name),
                (_("办理事项"), case.item.name),
                (_("作出决定的机关"), department.name),
                (_("行政复议机关"), body),
                (_("决定日期"), _d(day)),
            ]
        ),
        Spacer(1, 10 * mm),
        pdf.para(department.name + _("（印章）"), sign),
        pdf.para(_d(day), sign),
        Spacer(1, 4 * mm),
        pdf.para(_("本决定书由 onewindow 依办件记录生成，经%(centre)s送达。") % {"centre": case.centre.name},
                 st["small"]),
    ]
    return story, day


def _special_procedure(case: Case) -> tuple[list, date]:
    procedure = case.special_procedures.order_by("-started_on", "-id").first()
    if procedure is None:
        raise NotFound(_("该办件没有特别程序"), field="kind")
    st = pdf.styles()
    rows = [
        (_("特别程序"), procedure.get_kind_display()),
        (_("开始日期"), _d(procedure.started_on)),
        (_("程序时限"), _("%(n)s 个工作日") % {"n": procedure.limit_days}),
        (_("预计结束"), _d(procedure.due_on)),
        (_("理由"), procedure.reason),
    ]
    if procedure.ended_on:
        rows.append((_("结束日期"), _d(procedure.ended_on)))
    story = (
        _head(case, "special_procedure")
        + _addressee(case)
        + [
            pdf.para(
                _(
                    "你（单位）申请的“%(item)s”（办件编号 %(number)s）需要进行%(kind)s。根据《中华人民共和国行政许可法》"
                    "第四十五条的规定，%(kind)s所需时间不计算在办理期限内，现将所需时间书面告知如下："
                )
                % {"item": case.item.name, "number": case.number, "kind": procedure.get_kind_display()},
                st["body"],
            ),
            Spacer(1, 3 * mm),
            _facts(rows),
            Spacer(1, 3 * mm),
            pdf.para(_("程序结束后恢复计时，办结期限相应顺延。"), st["body"]),
        ]
    )
    return story, procedure.started_on


def _extension(case: Case) -> tuple[list, date]:
    extension = case.extensions.order_by("-approved_at", "-id").first()
    if extension is None:
        raise NotFound(_("该办件没有延期"), field="kind")
    st = pdf.styles()
    approver = (
        extension.approved_by.display_name or extension.approved_by.username if extension.approved_by else "—"
    )
    story = (
        _head(case, "extension")
        + _addressee(case)
        + [
            pdf.para(
                (_(
                    "你（单位）申请的“%(item)s”（办件编号 %(number)s）因故不能在原定期限内作出决定。根据《中华人民共和国"
                    "行政许可法》第四十二条的规定，经批准，办理期限延长 %(days)s 个自然日。"
                ) if case.limit_unit == "natural" else _(
                    "你（单位）申请的“%(item)s”（办件编号 %(number)s）因故不能在原定期限内作出决定。根据《中华人民共和国"
                    "行政许可法》第四十二条的规定，经批准，办理期限延长 %(days)s 个工作日。"
                ))
                % {"item": case.item.name, "number": case.number, "days": extension.days},
                st["body"],
            ),
            Spacer(1, 3 * mm),
            _facts(
                [
                    (_("延长理由"), extension.reason),
                    (_("原办结期限"), _d(extension.previous_due_on)),
                    (_("延长后期限"), _d(extension.new_due_on)),
                    (_("批准人"), approver),
                ]
            ),
        ]
    )
    return story, timezone.localtime(extension.approved_at).date()


BUILDERS = {
    "acceptance": _acceptance,
    "supplement": _supplement,
    "refusal": _refusal,
    "special_procedure": _special_procedure,
    "extension": _extension,
    "waiver": _waiver,
    "denial": _denial,
}
# A decision carries its own signature (the deciding department's seal line) inside its story.
SIGNED_BY_BUILDER = {"denial"}


def notice_story(case: Case, kind: str) -> list:
    """The notice's flowables in reading order."""
    builder = BUILDERS.get(kind)
    if builder is None:
        raise NotFound(_("没有这种告知书：%(kind)s") % {"kind": kind}, field="kind")
    story, day = builder(case)
    return story if kind in SIGNED_BY_BUILDER else story + _signature(case, day)


def build_notice(case: Case, kind: str) -> bytes:
    """The notice as PDF bytes; NotFound when the case has no grounds for it."""
    story = notice_story(case, kind)
    return pdf.build_pdf(
        story,
        title=f"{_title(kind)} {case.number}",
        header=case.centre.name,
        footer=_("%(title)s · 办件编号 %(number)s") % {"title": _title(kind), "number": case.number},
    )
