"""Catalog import and export: the YAML catalog file (notes/catalog_format.md), the same data as an
XLSX workbook, and the provincial portal's CSV export (read only).

Import checks every row first and reports every bad one with its place in the file (YAML: item index
and code; XLSX: sheet and row; CSV: line) and reason; when any row is bad nothing is imported (one
transaction), unless `skip_bad` is set, which imports the good rows and lists the others. Items are
upserted by code through catalog.services, so each change is validated, versioned and announced, and
importing the same file twice changes nothing the second time.

A row that may have gaps (every row of a provincial export, whose columns cannot say everything the
catalog rules ask; a `status: draft` entry of a catalog file) is imported as a draft with the list of
what it lacks, for the catalog manager's review queue; it is bad only when it cannot be stored at all
(validation.blocks_draft). A file without a limit unit says which unit it assumed (working days).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.core.errors import DomainError, ValidationError
from onewindow.orgs import divisions, regions
from onewindow.orgs.models import Department

from . import services
from .itemdata import Problem
from .models import Item, ItemLevel, ItemStatus, LifeEvent
from .validation import blocks_draft, validate_item

FORMAT_TAG = "onewindow-catalog/1"
PROGRESS_MIN_ROWS = 200  # a bar for long files only


@dataclass
class Entry:
    """One item of a file: its raw data and how to name its place in the file."""

    location: str
    data: dict
    # Where a problem of a given field sits (XLSX materials/stages live on other sheets).
    locate: Callable[[str], str] | None = None
    # What the file could not say about this row (e.g. no case type), for the draft's review list.
    gaps: list[Problem] = field(default_factory=list)
    # The row may be imported as a draft when it has gaps (provincial exports).
    drafts: bool = False

    def where(self, field_path: str) -> str:
        return self.locate(field_path) if self.locate else self.location


@dataclass
class ParsedCatalog:
    format: str
    items: list[Entry] = field(default_factory=list)
    life_events: list[tuple[str, dict]] = field(default_factory=list)
    bundles: list[tuple[str, dict]] = field(default_factory=list)
    new_departments: list[dict] = field(default_factory=list)  # provincial import: {code, name, region code}
    errors: list[str] = field(default_factory=list)  # the file as a whole cannot be read: always fatal
    row_errors: list[tuple[str, str]] = field(default_factory=list)  # (location, problem) of one row
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    path: str
    format: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0  # new items published (or arriving suspended/abolished)
    drafts: int = 0  # new items created as drafts
    updated: int = 0
    unchanged: int = 0
    life_events: int = 0
    bundles: int = 0
    departments_created: list[str] = field(default_factory=list)
    regions_created: list[str] = field(default_factory=list)
    regions_unnamed: list[str] = field(default_factory=list)
    # Every row whose item is a draft after the import: (location, code, what it still lacks).
    draft_rows: list[tuple[str, str, list[str]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    imported: bool = False
    bad_rows: set[str] = field(default_factory=set)  # locations of the rows refused
    skipped_rows: int = 0  # rows passed over on purpose (provincial 一件事 rows)

    @property
    def ok(self) -> bool:
        return self.imported or (self.dry_run and not self.errors)

    def summary(self) -> str:
        counts = _("新增 %(c)s 项，新增草稿 %(d)s 项，修改 %(u)s 项，未变 %(n)s 项，主题 %(l)s 个，一件事 %(b)s 个") % {
            "c": self.created, "d": self.drafts, "u": self.updated, "n": self.unchanged, "l": self.life_events,
            "b": self.bundles}
        if self.draft_rows:
            counts += _("；%(n)s 项草稿待补充后发布（onewindow catalog drafts）") % {"n": len(self.draft_rows)}
        if self.errors and not self.imported and not self.dry_run:
            return _("%(p)s：%(e)s 行有误，未导入任何内容（共 %(r)s 行）") % {
                "p": self.path, "e": self.bad_count, "r": self.rows}
        if self.dry_run and self.errors:
            return _("%(p)s：试运行：%(e)s 行有误（共 %(r)s 行），未写入") % {
                "p": self.path, "e": self.bad_count, "r": self.rows}
        if self.dry_run:
            return _("%(p)s：试运行，未写入；%(c)s") % {"p": self.path, "c": counts}
        skipped = _("；跳过 %(s)s 行") % {"s": len(self.bad_rows) + self.skipped_rows} if self.skipped else ""
        return _("%(p)s：已导入；%(c)s%(s)s") % {"p": self.path, "c": counts, "s": skipped}

    @property
    def bad_count(self) -> int:
        return len(self.bad_rows) or len(self.errors)

    def lines(self) -> list[str]:
        out = [_("错误 %(e)s") % {"e": e} for e in self.errors]
        out += [_("跳过 %(s)s") % {"s": s} for s in self.skipped]
        out += [_("说明 %(n)s") % {"n": n} for n in self.notes]
        if self.regions_created:
            out.append(_("新建区划 %(r)s") % {"r": "、".join(self.regions_created)})
        if self.regions_unnamed:
            out.append(_("以下区划暂名“待命名”，请用 onewindow regions add 代码 名称 命名：%(r)s")
                       % {"r": "、".join(self.regions_unnamed)})
        if self.departments_created:
            out.append(_("新建部门 %(d)s") % {"d": "、".join(self.departments_created)})
        out += [_("草稿 %(l)s：%(g)s") % {"l": location, "g": "；".join(gaps)} for location, _code, gaps in self.draft_rows]
        return out


class _Rollback(Exception):
    pass


def progress(iterable: Iterable, *, total: int, desc: str):
    """A tqdm bar on stderr for long files, only when stderr is a terminal."""
    if total < PROGRESS_MIN_ROWS or not sys.stderr.isatty():
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, file=sys.stderr, leave=False)


def _detect(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix == ".csv":
        return "provincial_csv"
    raise ValidationError(_("不支持的文件类型“%(s)s”：可用 .yaml、.yml、.xlsx 或省级门户导出的 .csv")
                          % {"s": suffix or path.name}, field="path")


# --- export ------------------------------------------------------------------------------------------

def export_catalog(path, *, queryset=None) -> int:
    """Write the catalog (all items, life events and bundles) to `path` (.yaml/.yml or .xlsx); returns
    the number of items written."""
    path = Path(path)
    kind = _detect(path)
    if kind == "provincial_csv":
        raise ValidationError(_("省级门户 CSV 只能导入，不能导出；请导出为 .yaml 或 .xlsx"), field="path")
    from .io_yaml import catalog_document

    document = catalog_document(queryset)
    if kind == "yaml":
        from .io_yaml import write_yaml

        write_yaml(path, document)
    else:
        from .io_xlsx import write_xlsx

        write_xlsx(path, document)
    return len(document["items"])


# --- import ------------------------------------------------------------------------------------------

def import_catalog(path, *, actor=None, reason: str = "目录导入", dry_run: bool = False, today: date | None = None,
                   skip_bad: bool = False, region: str | None = None) -> ImportReport:
    """Import a catalog file; see the module docstring. `region` (a division code of 2 to 12 digits)
    lets the provincial CSV import create the departments it does not know under that region, which
    is itself created (with its parents, named from the bundled division table) when missing; without
    it the rows of unknown departments are reported as bad."""
    path = Path(path)
    kind = _detect(path)
    if not path.is_file():
        raise ValidationError(_("文件不存在：%(p)s") % {"p": path}, field="path")
    if not (reason or "").strip():
        raise ValidationError(_("必须填写导入理由（将随公告公开）"), field="reason")
    region_code = None
    if region:
        try:
            region_code = divisions.normalise_code(region)
        except ValidationError as exc:
            raise ValidationError(exc.message, field="region") from None
    if kind == "yaml":
        from .io_yaml import parse_yaml

        parsed = parse_yaml(path)
    elif kind == "xlsx":
        from .io_xlsx import parse_xlsx

        parsed = parse_xlsx(path)
    else:
        from .io_provincial import parse_provincial_csv

        parsed = parse_provincial_csv(path, region_code=region_code if kind == "provincial_csv" else None)
    if parsed.format != "provincial_csv":
        unitless = sum(1 for entry in parsed.items if not entry.data.get("limit_unit"))
        if unitless:
            parsed.notes.append(_("时限单位：%(n)s 个事项未注明 limit_unit（工作日 working / 自然日 natural），"
                                  "新事项按工作日读取，已有事项保留原单位") % {"n": unitless})
    report = ImportReport(path=str(path), format=parsed.format, dry_run=dry_run,
                          rows=len(parsed.items) + len(parsed.skipped) + len({loc for loc, _p in parsed.row_errors}),
                          skipped=list(parsed.skipped),
                          skipped_rows=len(parsed.skipped),
                          notes=list(parsed.notes))
    if parsed.errors:
        report.errors += parsed.errors
        return report
    for location, problem in parsed.row_errors:
        report.bad_rows.add(location)
        (report.skipped if skip_bad else report.errors).append(f"{location}：{problem}")
    good = _validate(parsed, report, skip_bad=skip_bad)
    if report.errors and not skip_bad:
        return report
    from .selectors import batch

    try:
        with transaction.atomic(), batch():
            _write(parsed, good, report, actor=actor, reason=reason.strip(), today=today, skip_bad=skip_bad,
                   region_code=region_code)
            if (report.errors and not skip_bad) or dry_run:
                raise _Rollback
    except _Rollback:
        report.imported = False
        if not dry_run:
            report.created = report.drafts = report.updated = report.unchanged = 0
            report.life_events = report.bundles = 0
            report.departments_created, report.regions_created, report.regions_unnamed = [], [], []
            report.draft_rows = []
        return report
    report.imported = True
    return report


def _validate(parsed: ParsedCatalog, report: ImportReport, *, skip_bad: bool) -> list[Entry]:
    """Check every entry against the rules, with references resolved against the database and the
    file together. Returns the good entries; bad ones go to report.errors (or report.skipped)."""
    departments = set(Department.objects.values_list("code", flat=True)) | {d["code"] for d in parsed.new_departments}
    events = set(LifeEvent.objects.values_list("code", flat=True))
    for location, raw in parsed.life_events:
        if not raw.get("code") or not raw.get("name") or raw.get("audience") not in ("person", "enterprise"):
            report.errors.append(_("%(l)s：主题须有 code、name，audience 为 person 或 enterprise") % {"l": location})
        else:
            events.add(str(raw["code"]))
    db_levels = dict(Item.objects.values_list("code", "level"))
    candidates = list(parsed.items)
    seen: dict[str, str] = {}
    bad: dict[int, list[str]] = {}
    for entry in candidates:
        code = str(entry.data.get("code") or "")
        if code and code in seen:
            bad.setdefault(id(entry), []).append(
                _("%(l)s：code：事项编码与 %(o)s 重复") % {"l": entry.location, "o": seen[code]})
        seen.setdefault(code, entry.location)
    # Dropping a bad item may orphan its children (skip_bad): check again the items whose parent was
    # dropped, until nothing new breaks.
    recheck = candidates
    while recheck:
        parents = {**db_levels, **{str(e.data.get("code")): str(e.data.get("level") or ItemLevel.HANDLING)
                                   for e in candidates if id(e) not in bad}}
        changed = False
        for entry in recheck:
            if id(entry) in bad or (entry.drafts and str(entry.data.get("code")) in db_levels):
                continue  # a row of an item already in the catalog: its update decides (in _write)
            problems = validate_item(entry.data, parents=parents, departments=departments, life_events=events)
            if entry.drafts or entry.data.get("status") == ItemStatus.DRAFT:
                # A draft may have gaps; only what keeps it from being stored makes the row bad.
                blockers = [p for p in problems if blocks_draft(p)]
                if not blockers and (problems or entry.gaps):
                    entry.data["status"] = ItemStatus.DRAFT
                    entry.gaps = entry.gaps + [p for p in problems if p not in entry.gaps]
                problems = blockers
            if problems:
                bad[id(entry)] = [f"{entry.where(p.field)}：{p.field}：{p.message}" for p in problems]
                changed = True
        if not changed or not skip_bad:
            break
        dropped = {str(e.data.get("code")) for e in candidates if id(e) in bad}
        recheck = [e for e in candidates if id(e) not in bad and e.data.get("parent") in dropped]
    good = [e for e in candidates if id(e) not in bad]
    good_codes = {str(e.data.get("code")) for e in good} | set(db_levels)
    good_bundles = []
    for location, raw in parsed.bundles:
        bundle_problems: list[str] = []
        missing = [c for c in raw.get("items") or [] if c not in good_codes]
        if missing:
            bundle_problems.append(_("%(l)s：items：事项不存在或有误：%(c)s") % {"l": location, "c": "、".join(missing)})
        if raw.get("life_event") and raw["life_event"] not in events:
            bundle_problems.append(_("%(l)s：life_event：主题“%(c)s”不存在") % {"l": location, "c": raw["life_event"]})
        (report.skipped if skip_bad else report.errors).extend(bundle_problems)
        if not bundle_problems:
            good_bundles.append((location, raw))
    parsed.bundles = good_bundles
    for entry in candidates:
        if id(entry) in bad:
            report.bad_rows.add(entry.location)
        for line in bad.get(id(entry), []):
            (report.skipped if skip_bad else report.errors).append(line)
    return good


_LEVEL_ORDER = {ItemLevel.MAIN: 0, ItemLevel.SUB: 1, ItemLevel.HANDLING: 2}


def _write(parsed: ParsedCatalog, good: list[Entry], report: ImportReport, *, actor, reason, today, skip_bad,
           region_code=None):
    region = None
    if region_code:
        region, created = regions.ensure_region(region_code)
        report.regions_created += created.created
        report.regions_unnamed += created.unnamed
    for d in parsed.new_departments:  # only named when --region gives where they are
        if region is not None and not Department.objects.filter(code=d["code"]).exists():
            Department.objects.create(code=d["code"], name=d["name"], region=region)
            report.departments_created.append(f"{d['code']} {d['name']}")
    for _location, raw in parsed.life_events:
        services.save_life_event(code=str(raw["code"]), name=str(raw["name"]), audience=raw["audience"],
                                 order=int(raw.get("order") or 0))
        report.life_events += 1
    ordered = sorted(good, key=lambda e: _LEVEL_ORDER.get(e.data.get("level") or ItemLevel.HANDLING, 2))
    existing = {i.code: i for i in Item.objects.filter(code__in=[str(e.data.get("code")) for e in ordered])}
    for entry in progress(ordered, total=len(ordered), desc="import"):
        code = str(entry.data.get("code"))
        try:
            with transaction.atomic():
                if code in existing:
                    item = existing[code]
                    before = item.version
                    item = services.update_item(item=item, data=entry.data, actor=actor, reason=reason, today=today)
                    if item.version != before:
                        report.updated += 1
                    else:
                        report.unchanged += 1
                else:
                    draft = entry.data.get("status") == ItemStatus.DRAFT
                    item = services.create_item(data=entry.data, actor=actor, reason=reason, today=today,
                                                gaps=entry.gaps if draft else ())
                    if draft:
                        report.drafts += 1
                    else:
                        report.created += 1
                if item.status == ItemStatus.DRAFT:
                    report.draft_rows.append((entry.location, item.code, [g["message"] for g in item.review_gaps]))
        except services.ItemInvalid as exc:
            report.bad_rows.add(entry.location)
            published = entry.drafts and code in existing and existing[code].status != ItemStatus.DRAFT
            prefix = _("已公布的事项未按本行更新（请在目录中修改）：") if published else ""
            lines = [f"{entry.where(p.field)}：{prefix}{p.field}：{p.message}" for p in exc.problems]
            (report.skipped if skip_bad else report.errors).extend(lines)
        except DomainError as exc:
            report.bad_rows.add(entry.location)
            line = f"{entry.location}：{exc.field or ''}：{exc.message}"
            (report.skipped if skip_bad else report.errors).append(line)
    for location, raw in parsed.bundles:
        try:
            with transaction.atomic():
                services.save_bundle(code=str(raw.get("code") or ""), name=str(raw.get("name") or ""),
                                     items=[str(c) for c in raw.get("items") or []],
                                     description=str(raw.get("description") or ""),
                                     life_event=raw.get("life_event") or None,
                                     is_active=raw.get("is_active", True) not in (False, "false", "否", 0))
            report.bundles += 1
        except DomainError as exc:
            line = f"{location}：{exc.field or ''}：{exc.message}"
            (report.skipped if skip_bad else report.errors).append(line)

