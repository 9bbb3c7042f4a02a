"""Writes of administrative regions: add one, make sure one exists (with its parents) from its code
alone, and load a list of them. The level and the parent of a region follow from its division code
(orgs.divisions); names come from what the caller gives, else from the bundled national table of
province-, city- and county-level divisions, else the region is created "待命名（code）" and reported,
so nothing a centre needs waits on a name it does not have yet."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationError

from . import divisions
from .models import Region


@dataclass
class RegionsReport:
    """What a regions write did: the regions created, renamed and left as they were, and those created
    without a name (待命名), all as "code name"."""

    created: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    unchanged: int = 0
    unnamed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [_("新建区划 %(n)s 个，更名 %(r)s 个，未变 %(u)s 个")
               % {"n": len(self.created), "r": len(self.renamed), "u": self.unchanged}]
        if self.created and len(self.created) <= 20:
            out.append(_("新建 %(l)s") % {"l": "、".join(self.created)})
        if self.renamed:
            out.append(_("更名 %(l)s") % {"l": "、".join(self.renamed)})
        if self.unnamed:
            out.append(_("以下区划没有名称，暂名“待命名”，请用 onewindow regions add 代码 名称 命名：%(l)s")
                       % {"l": "、".join(self.unnamed)})
        return out


def _label(region: Region) -> str:
    return f"{region.code} {region.name}"


def _create(code: str, name: str, parent: Region | None, report: RegionsReport) -> Region:
    region = Region.objects.create(code=code, name=name[:100], level=divisions.level_of(code), parent=parent)
    report.created.append(_label(region))
    if name.startswith(divisions.UNNAMED):
        report.unnamed.append(code)
    return region


def _ensure(code: str, report: RegionsReport, known: dict[str, Region]) -> Region:
    """The region of a normalised code, created with its missing parents (named from the table)."""
    if code in known:
        return known[code]
    region = Region.objects.filter(code=code).first()
    if region is None:
        above = divisions.parent_code(code)
        parent = _ensure(above, report, known) if above else None
        name = divisions.bundled_name(code) or divisions.placeholder_name(code)
        region = _create(code, name, parent, report)
    known[code] = region
    return region


@transaction.atomic
def ensure_region(code: str, *, report: RegionsReport | None = None) -> tuple[Region, RegionsReport]:
    """The region of `code` (2 to 12 digits), created when missing together with every missing parent,
    each named from the bundled table or "待命名" (reported). An existing region is returned as it is."""
    report = report if report is not None else RegionsReport()
    return _ensure(divisions.normalise_code(code), report, {}), report


def _parent_for(code: str, parent: str | None, report: RegionsReport, known: dict[str, Region]) -> Region | None:
    if not parent:
        above = divisions.parent_code(code)
        return _ensure(above, report, known) if above else None
    parent_code = divisions.normalise_code(parent)
    if divisions.level_of(parent_code) >= divisions.level_of(code):
        raise ValidationError(_("上级区划“%(p)s”的层级须高于区划“%(c)s”") % {"p": parent_code, "c": code},
                              field="parent")
    return _ensure(parent_code, report, known)


@transaction.atomic
def add_region(code: str, name: str, *, parent: str | None = None,
               report: RegionsReport | None = None) -> tuple[Region, RegionsReport]:
    """Add the region `code` named `name` (or rename it, when it exists under another name): its level
    follows from the code; its parent is `parent` or, by default, the division its code belongs to,
    created when missing."""
    report = report if report is not None else RegionsReport()
    code, name = divisions.normalise_code(code), (name or "").strip()
    if not name:
        raise ValidationError(_("请填写区划名称"), field="name")
    if len(name) > 100:
        raise ValidationError(_("区划名称不能超过 100 字"), field="name")
    known: dict[str, Region] = {}
    region = Region.objects.filter(code=code).first()
    if region is None:
        return _create(code, name, _parent_for(code, parent, report, known), report), report
    changed = []
    if region.name != name:
        region.name = name
        changed.append("name")
    if parent:
        above = _parent_for(code, parent, report, known)
        if above is not None and region.parent_id != above.pk:
            region.parent = above
            changed.append("parent")
    if changed:
        region.save(update_fields=changed)
        report.renamed.append(_label(region))
    else:
        report.unchanged += 1
    return region, report


def read_regions_csv(path) -> list[tuple[int, str, str, str]]:
    """(line, code, name, parent) of a CSV of regions: `code,name[,parent]`, UTF-8, with or without a
    header row. Every bad line is reported at once (ValidationError listing them); nothing is read
    half."""
    rows, problems = [], []
    try:
        fh = open(Path(path), encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ValidationError(_("无法读取文件 %(p)s：%(e)s") % {"p": path, "e": exc.strerror or exc}, field="path") from None
    with fh:
        for number, cells in enumerate(csv.reader(fh), start=1):
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            if number == 1 and cells and not cells[0].isdigit():
                continue  # a header row
            if len(cells) < 2 or not cells[1]:
                problems.append(_("第%(n)s行：应为“代码,名称[,上级代码]”") % {"n": number})
                continue
            try:
                code = divisions.normalise_code(cells[0])
                parent = divisions.normalise_code(cells[2]) if len(cells) > 2 and cells[2] else ""
            except ValidationError as exc:
                problems.append(_("第%(n)s行：%(e)s") % {"n": number, "e": exc.message})
                continue
            rows.append((number, code, cells[1], parent))
    if problems:
        raise ValidationError("；".join(problems), field="path")
    return rows


@transaction.atomic
def load_regions(rows: list[tuple[int, str, str, str]] | list[tuple[str, str]]) -> RegionsReport:
    """Upsert many regions at once, in one transaction: rows of (line, code, name, parent) as
    read_regions_csv gives them, or (code, name) pairs (the bundled table). Parents come from the rows
    themselves, the database or the code; loading the same list twice changes nothing."""
    report = RegionsReport()
    normalised = [(r[1], r[2], r[3]) if len(r) == 4 else (divisions.normalise_code(r[0]), r[1], "") for r in rows]
    # Parents before children: by level, then by code.
    normalised.sort(key=lambda r: (divisions.level_of(r[0]), r[0]))
    for code, name, parent in normalised:
        add_region(code, name, parent=parent or None, report=report)
    return report
