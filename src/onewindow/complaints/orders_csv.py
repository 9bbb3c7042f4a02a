"""Reading past work orders from a CSV file: UTF-8 (with or without a byte-order mark), a header row
with the columns `text` and `unit` (any order, any case, other columns ignored), one order a row.
Every fault is one ValidationError naming the line and the reason, raised before anything is stored."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationError

REQUIRED = ("text", "unit")
MAX_BYTES = 2 * 1024 ** 3


def read_orders(source: str | Path | bytes, *, progress: Callable[[int], None] | None = None) -> list[tuple[str, str]]:
    """(text, unit) of every row of `source` (a path, or the file's bytes)."""
    if isinstance(source, bytes):
        data, label = source, "CSV"
    else:
        path = Path(source)
        label = str(path)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise ValidationError(_("文件 %(f)s 超过 2 GB") % {"f": label}, field="file")
            data = path.read_bytes()
        except FileNotFoundError:
            raise ValidationError(_("找不到文件 %(f)s") % {"f": label}, field="file") from None
        except IsADirectoryError:
            raise ValidationError(_("%(f)s 是目录，不是 CSV 文件") % {"f": label}, field="file") from None
        except PermissionError:
            raise ValidationError(_("没有权限读取 %(f)s") % {"f": label}, field="file") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError(_("%(f)s 第 %(line)d 行不是 UTF-8 编码（GBK 等编码请先另存为 UTF-8）")
                              % {"f": label, "line": line}, field="file") from None
    if not text.strip():
        raise ValidationError(_("%(f)s 是空文件") % {"f": label}, field="file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ValidationError(_("%(f)s 的表头缺少列：%(cols)s（需要 text,unit）")
                                  % {"f": label, "cols": ", ".join(missing)}, field="file")
        text_at, unit_at = header.index("text"), header.index("unit")
        rows: list[tuple[str, str]] = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            if len(row) <= max(text_at, unit_at):
                raise ValidationError(_("%(f)s 第 %(line)d 行列数不足") % {"f": label, "line": line}, field="file")
            order, unit = row[text_at].strip(), row[unit_at].strip()
            if not order:
                raise ValidationError(_("%(f)s 第 %(line)d 行的 text 为空") % {"f": label, "line": line}, field="file")
            if not unit:
                raise ValidationError(_("%(f)s 第 %(line)d 行的 unit 为空") % {"f": label, "line": line}, field="file")
            if len(unit) > 200:
                raise ValidationError(_("%(f)s 第 %(line)d 行的 unit 超过 200 个字") % {"f": label, "line": line},
                                      field="file")
            rows.append((order, unit))
            if progress:
                progress(1)
    except csv.Error as exc:
        raise ValidationError(_("%(f)s 第 %(line)d 行不是有效的 CSV：%(e)s")
                              % {"f": label, "line": reader.line_num, "e": exc}, field="file") from None
    except StopIteration:
        raise ValidationError(_("%(f)s 是空文件") % {"f": label}, field="file") from None
    if not rows:
        raise ValidationError(_("%(f)s 只有表头，没有工单") % {"f": label}, field="file")
    return rows
