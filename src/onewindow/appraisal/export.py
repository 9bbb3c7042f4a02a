"""The appraisal board as an XLSX workbook (openpyxl, write-only): one sheet of scores and ranks, one
of the indicators with their weights, targets and how each is measured."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from .selectors import Board


def board_xlsx(board: Board) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("得分与排名"))
    indicators = board.indicators
    sheet.append([board.period.label, str(dict(_kinds()).get(board.kind, board.kind)),
                  _("已关账") if board.closed else _("未关账（实时计算）")])
    header = [_("排名"), _("考评对象"), _("总分")]
    for i in indicators:
        header += [f"{i.label} {_('指标值')}", f"{i.label} {_('分子')}", f"{i.label} {_('分母')}",
                   f"{i.label} {_('得分')}"]
    sheet.append(header)
    for row in board.rows:
        line = [row.rank, row.name, row.total]
        for i in indicators:
            s = row.indicators.get(i.code)
            line += [None, None, None, None] if s is None else [
                None if s.value is None else round(s.value, 4), s.numerator, s.denominator, s.score]
        sheet.append(line)
    about = book.create_sheet(_("指标与权重"))
    about.append([_("计分方法"), _("各指标按零分值到满分目标值线性折算为 0–100 分（超出两端按端值计）；总分为有数据指标得分的加权平均。")])
    about.append([_("指标"), _("权重"), _("满分目标值"), _("零分值"), _("口径")])
    for i in indicators:
        w = board.weights[i.code]
        about.append([str(i.label), float(w.weight), float(w.target), float(w.floor), str(i.how)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _kinds():
    from .models import SubjectKind

    return SubjectKind.choices
