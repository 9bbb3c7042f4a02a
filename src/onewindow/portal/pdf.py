"""The one-time notice (一次性告知书) as an A4 PDF: the same content as the page, from the same
OneTimeNotice, with a QR code back to the item's page."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table

from onewindow.catalog.selectors import NoticeMaterial, OneTimeNotice
from onewindow.core import pdf


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def _material_notes(material: NoticeMaterial) -> str:
    notes = []
    if material.auto_obtained:
        notes.append(material.source_label)  # the "how" column already says nothing is handed in
    elif material.certificate_type:
        notes.append(_("已有电子证照的可免交"))
    if material.waivable:
        notes.append(material.waiver_text or _("可容缺受理"))
    if material.note:
        notes.append(material.note)
    if material.has_blank_form and material.has_sample_file:
        notes.append(_("空白表格、填写样例可在网上下载"))
    elif material.has_blank_form:
        notes.append(_("空白表格可在网上下载"))
    elif material.has_sample_file:
        notes.append(_("填写样例可在网上下载"))
    return "；".join(notes)


def _fee_text(notice: OneTimeNotice) -> str:
    if not notice.has_fee:
        return _("不收费")
    text = _("%(amount)s 元") % {"amount": notice.fee_amount}
    if notice.fee_description:
        text += "（" + notice.fee_description + "）"
    if notice.online_payment:
        text += _("，支持网上支付")
    return text


def notice_flowables(notice: OneTimeNotice, *, item_url: str, printed_on: dt.date) -> list:
    """The story of the notice PDF, in reading order (tested directly: reportlab's CID text does
    not extract back reliably)."""
    st = pdf.styles()
    width = pdf.content_width()
    story: list = [
        pdf.para(notice.name, st["title"]),
        pdf.para(_("一次性告知书 · 事项编码 %(code)s") % {"code": notice.code}, st["subtitle"]),
    ]
    if not notice.is_active:
        text = _("本事项当前状态：%(status)s。") % {"status": notice.status_label}
        if notice.status_announcement:
            ann = notice.status_announcement
            text += _("%(date)s 公告%(kind)s，理由：%(reason)s") % {
                "date": ann.published_on.isoformat(), "kind": ann.kind_label, "reason": ann.reason}
        story.append(pdf.para(text, st["notice"]))

    visits = notice.visits_text + (("（" + notice.visit_reason + "）") if notice.visit_reason else "")
    basics = [
        [_("实施主体"), notice.department_name, _("事项类型"), notice.kind_label],
        [_("办件类型"), notice.handling_label + ("，" + _("联办件") if notice.is_joint else ""),
         _("网办深度"), notice.online_depth_label],
        [_("法定办结时限"), notice.legal_limit_text, _("承诺办结时限"), notice.committed_limit_text],
        [_("到现场次数"), visits, _("办理渠道"), "、".join(notice.channels) or "—"],
        [_("结果送达"), _("可邮寄送达") if notice.offers_post_delivery else _("窗口领取"),
         _("收费"), _fee_text(notice)],
        [_("办理结果"), notice.result_name or "—", _("“5+2”周末服务"), _yes_no(notice.weekend_service)],
        [_("办理地点"), notice.location or "—", _("咨询电话"), notice.phone or "—"],
        [_("办理时间"), notice.opening_hours or "—", "", ""],
    ]
    table = pdf.data_table(basics, col_widths=[26 * mm, width / 2 - 26 * mm, 26 * mm, width / 2 - 26 * mm],
                           header=False)
    table.setStyle(pdf.table_style([("BACKGROUND", (0, 0), (0, -1), pdf.HEAD_BG),
                               ("BACKGROUND", (2, 0), (2, -1), pdf.HEAD_BG),
                               ("SPAN", (1, -1), (3, -1))]))
    story += [pdf.para(_("基本信息"), st["h2"]), table]
    if notice.extension_days:
        story.append(pdf.para(_("经批准可延长 %(d)s，延长的理由将书面告知。") % {"d": notice.extension_text},
                              st["small"]))

    story += [pdf.para(_("设定依据"), st["h2"]), pdf.para(notice.legal_basis or "—", st["body"])]
    story += [pdf.para(_("受理条件"), st["h2"]), pdf.para(notice.conditions or "—", st["body"])]
    if notice.instant_approval:
        story += [pdf.para(_("秒批条件（全部满足即自动批准）"), st["h2"]),
                  pdf.para("；".join(notice.instant_approval), st["body"])]

    story.append(pdf.para(_("申请材料"), st["h2"]))
    header = [_("序号"), _("材料名称"), _("形式与份数"), _("说明")]
    widths = [12 * mm, width * 0.38, 44 * mm, width * 0.62 - 56 * mm]
    rows = [header]
    for index, material in enumerate(notice.required_materials, start=1):
        rows.append([str(index), material.name, material.submission_text, _material_notes(material)])
    if len(rows) > 1:
        story.append(pdf.para(_("必要材料（%(n)s 项）") % {"n": len(rows) - 1}, st["body"]))
        story.append(pdf.data_table(rows, col_widths=widths))
    conditional = [[_("序号"), _("材料名称"), _("形式与份数"), _("适用情形与说明")]]
    for index, material in enumerate(notice.conditional_materials, start=1):
        notes = "；".join(x for x in (material.condition, _material_notes(material)) if x)
        conditional.append([str(index), material.name, material.submission_text, notes])
    if len(conditional) > 1:
        story.append(Spacer(1, 4))
        story.append(pdf.para(_("情形材料（符合情形时提交，%(n)s 项）") % {"n": len(conditional) - 1}, st["body"]))
        story.append(pdf.data_table(conditional, col_widths=widths))
    if not notice.materials_total:
        story.append(pdf.para(_("无需提交申请材料。"), st["body"]))
    if notice.has_material_files:
        story.append(pdf.para(_("样表/空白表格可在网上下载：%(url)s") % {"url": item_url}, st["small"]))

    if notice.steps:
        story.append(pdf.para(_("办理流程"), st["h2"]))
        rows = [[_("步骤"), _("环节"), _("办理部门"), _("时限")]]
        for step in notice.steps:
            for stage in step.stages:
                name = stage.name + ("（" + _("并联办理") + "）" if step.parallel else "")
                rows.append([str(step.step), name, stage.department_name, stage.limit_text])
        story.append(pdf.data_table(rows, col_widths=[14 * mm, width * 0.4, width * 0.6 - 44 * mm, 30 * mm]))

    qr = pdf.qr_drawing(item_url, size=26 * mm)
    caption = pdf.para(_("扫码查看最新办事指南：") + "\n" + item_url + "\n"
                       + _("本告知书所列材料即为全部材料，窗口不得要求提交告知书以外的材料。"), st["small"])
    box = Table([[qr, caption]], colWidths=[30 * mm, width - 30 * mm])
    box.setStyle(pdf.table_style([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [Spacer(1, 8), KeepTogether([box])]
    return story


def footer_text(notice: OneTimeNotice, *, printed_on: dt.date) -> str:
    return _("目录版本 v%(version)s（%(date)s） · 打印日期 %(printed)s") % {
        "version": notice.catalog_version, "date": notice.catalog_date.isoformat(),
        "printed": printed_on.isoformat()}


def notice_pdf(notice: OneTimeNotice, *, item_url: str, printed_on: dt.date, header: str = "") -> bytes:
    """The notice as PDF bytes (A4, STSong-Light, page numbers, catalog version and print date)."""
    return pdf.build_pdf(
        notice_flowables(notice, item_url=item_url, printed_on=printed_on),
        title=f"{notice.name} — " + _("一次性告知书"),
        header=header or _("政务服务事项一次性告知书"),
        footer=footer_text(notice, printed_on=printed_on),
    )
