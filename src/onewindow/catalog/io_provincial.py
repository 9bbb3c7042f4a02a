"""Reading the provincial portal's CSV export (shared/data/gx_fangchenggang_service_items.csv and files
like it) into catalog entries.

What a row becomes: an item, published at once when the row says everything the catalog rules need;
a draft (草稿) for the catalog manager's review queue when the file cannot say it all (a conditional
material without its condition, a visit without its reason, no limits, an unknown kind …), with the
list of what it lacks; refused, by line and reason, only when it cannot be an item at all (no name, no
department, the same source_item_id twice). 一件事 rows (type 16) are not items: they are reported, not
imported (a bundle is defined by the items it groups, which the export does not list).

How the columns are read (the report repeats what matters):
- source_item_id -> Item.source_id: a second import of the file (or of a newer export) finds the item
  again by it and updates it; the item code is derived from it (below).
- region_code is the portal's code of the publishing unit (one per department: 40 codes for 40
  departments in the Fangchenggang file), not an administrative division: it identifies the
  department. A department unknown by that code and by name is created as `portal-<region_code>`
  under `--region` (the division the centre serves); a later export that renames the unit still finds it.
- matter_type_code -> kind: 01 licensing, 05 payment, 07 confirmation, 08 reward, 09 adjudication,
  10 other_power, 20 public_service; another code -> a draft without a kind.
- legal_days / promise_days -> limits, with the unit of a `limit_unit` column (工作日 / 自然日) when the
  file has one; otherwise working days, as the data README says to read them, and the report says so.
- case_type 即办件 -> is_immediate; blank -> a draft.
- on_site_times -> max_visits; the export gives no reason for a visit, so rows needing one are drafts.
- handle_form -> channels (窗口办理 window, 网上办理 online, 快递申请 post, 自助办理 self_service);
  快递申请 also means the result can be posted (offers_post_delivery). online_depth is inferred:
  online and zero visits -> 4 (fully online), online -> 3, otherwise 1.
- materials: `；`-separated, a leading `*` marks a required one; the export gives no condition for the
  others, so such a row is a draft (a conditional material needs its condition). On a second import
  the conditions, sources and forms the manager filled in are kept (materials matched by name).
- steps -> stages in order (收件与受理 acceptance, 审查与决定 review, 颁证与送达 delivery), all with the
  row's department; the committed limit sits on the review stage (on the first stage when there is none).
- code: the export has no 事项编码, so one of the shape of GB/T 39554.1 is derived from source_item_id:
  "00" + 16 hex digits + "-" + 12 digits, both from the SHA-1 of the id. "00" names no registering
  authority, so a generated code can never be a real implementing body's credit code.
- level main (the export has no main/sub/handling hierarchy); general_scope and source_url are not kept;
  the export has no legal basis (设定依据) at all: the report says so once.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from onewindow.orgs.divisions import level_of
from onewindow.orgs.models import Department

from .io import Entry, ParsedCatalog
from .itemdata import UNIT_ALIASES, Problem
from .models import Item, LimitUnit

HEADER = ["source_item_id", "service_name", "department", "matter_type_code", "case_type", "legal_days",
          "promise_days", "on_site_times", "is_charge", "handle_form", "materials", "steps"]
KINDS = {"01": "licensing", "05": "payment", "07": "confirmation", "08": "reward", "09": "adjudication",
         "10": "other_power", "20": "public_service"}
BUNDLE_TYPE = "16"
CHANNELS = {"窗口办理": "window", "网上办理": "online", "快递申请": "post", "自助办理": "self_service"}
UNIT_COLUMN = "limit_unit"
DEPARTMENT_PREFIX = "portal-"


def is_provincial_header(fieldnames) -> bool:
    return bool(fieldnames) and all(column in fieldnames for column in HEADER)


def generated_code(source_item_id: str) -> str:
    digest = hashlib.sha1(source_item_id.strip().encode()).hexdigest()
    return f"00{digest[:16].upper()}-{int(digest[16:32], 16) % 10**12:012d}"


def department_code(name: str, unit_code: str = "") -> str:
    """The code of a department created by the import: from the portal's unit code when the row has
    one (stable when the unit is renamed), else from its name."""
    unit_code = "".join(ch for ch in unit_code if ch.isalnum())[:24]
    if unit_code:
        return f"{DEPARTMENT_PREFIX}{unit_code}"
    return f"imp-{hashlib.sha1(name.encode()).hexdigest()[:12]}"


def _stage_kind(name: str) -> str:
    if "受理" in name or "收件" in name:
        return "acceptance"
    if "送达" in name or "颁证" in name or "发证" in name:
        return "delivery"
    if "决定" in name and "审查" not in name:
        return "decision"
    return "review"


def _stages(steps: str | None, department: str, committed) -> list[dict]:
    names = [s.strip() for s in (steps or "").split("；") if s.strip()]
    stages = [{"step": i, "kind": _stage_kind(n), "name": n[:100], "limit_days": 0, "department": department}
              for i, n in enumerate(names, start=1)]
    if stages and committed not in (None, ""):
        target = next((s for s in stages if s["kind"] in ("review", "decision")), stages[0])
        target["limit_days"] = committed
    return stages


def _materials(text: str, kept: dict[str, dict]) -> list[dict]:
    """The row's materials; a material the item already has (by name) keeps what the file does not
    say (its condition, source, form …): only its name and whether it is required come from the file."""
    out, seen = [], set()
    for part in (text or "").split("；"):
        part = part.strip()
        name = part.lstrip("*").strip()[:200]
        if not name or name in seen:
            continue
        seen.add(name)
        material = dict(kept.get(name) or {"name": name, "condition": ""})
        material["required"] = part.startswith("*")
        if material["required"]:
            material["condition"] = ""
        out.append(material)
    return out


class _Existing:
    """The items a file's rows may already be in the catalog as (by source id or generated code), with
    their materials and stage names, read in three queries."""

    def __init__(self, source_ids: list[str]):
        codes = {generated_code(s): s for s in source_ids}
        rows = Item.objects.filter(source_id__in=source_ids) | Item.objects.filter(code__in=list(codes))
        self.by_source: dict[str, Item] = {}
        for item in rows.only("id", "code", "source_id", "status", "committed_limit_days"):
            self.by_source[item.source_id or codes.get(item.code, "")] = item
        ids = [item.pk for item in self.by_source.values()]
        from .models import Material, Stage

        self.materials: dict[int, dict[str, dict]] = {}
        for m in Material.objects.filter(item_id__in=ids).values(
                "item_id", "name", "source", "required", "condition", "form", "copies", "original_required",
                "waivable", "waiver_term_days", "certificate_type", "note"):
            row: dict[str, Any] = dict(m)
            self.materials.setdefault(row.pop("item_id"), {})[row["name"]] = row
        self.stage_names: dict[int, list[str]] = {}
        for item_id, name in Stage.objects.filter(item_id__in=ids).order_by("step", "id").values_list("item_id", "name"):
            self.stage_names.setdefault(item_id, []).append(name)


def parse_provincial_csv(path: Path, *, region_code: str | None = None) -> ParsedCatalog:
    """The rows of a provincial export as catalog entries (see the module docstring). `region_code` is
    the 12-digit division under which unknown departments are created (the caller creates the region
    itself when it is missing)."""
    parsed = ParsedCatalog(format="provincial_csv")
    try:
        fh = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        parsed.errors.append(str(exc))
        return parsed
    with fh:
        reader = csv.DictReader(fh)
        if not is_provincial_header(reader.fieldnames):
            parsed.errors.append(_("%(p)s 第1行：不是可识别的 CSV：应为省级门户导出，须含列 %(cols)s")
                                 % {"p": path.name, "cols": ", ".join(HEADER)})
            return parsed
        has_unit = UNIT_COLUMN in (reader.fieldnames or [])
        rows, start = [], 2
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    parsed.notes += [
        _("时限单位：文件有 limit_unit 列，按该列读取（工作日 / 自然日）") if has_unit else
        _("时限单位：导出文件没有时限单位列，法定时限、承诺时限按工作日读取（已有事项保留原单位）"),
        _("事项层级按主项导入（导出文件没有主项、子项、办理项信息）；事项编码由 source_item_id 生成"),
        _("网办深度由办理形式推定：网上办理且零跑动为四级（全程网办），网上办理为三级，否则一级；“快递申请”视为提供结果邮寄送达"),
        _("一件事（类型 16）行不作为事项导入：一件事由它包含的事项定义，导出文件没有列出这些事项"),
        _("导出文件没有设定依据（legal_basis），导入的事项设定依据为空，请在目录中补充"),
        _("region_code 是门户的发布单位代码，用于识别部门（新建部门编码为 portal-<region_code>）；所属区划由 --region 指定"),
    ]
    existing = _Existing([s for s in ((r.get("source_item_id") or "").strip() for _n, r in rows) if s])
    by_code = {d.code: d for d in Department.objects.select_related("region")}
    by_name: dict[str, Department] = {}
    for dept in by_code.values():
        by_name.setdefault(dept.name, dept)
        if dept.short_name:
            by_name.setdefault(dept.short_name, dept)
    region_level = level_of(region_code) if region_code else 0  # used only when region_code is given
    new_departments: dict[str, dict] = {}
    seen_ids: dict[str, str] = {}
    for start, row in rows:
        name = (row.get("service_name") or "").strip()
        location = _("第%(n)s行 (%(name)s)") % {"n": start, "name": name or "—"}
        type_code = (row.get("matter_type_code") or "").strip().zfill(2)
        if type_code == BUNDLE_TYPE:
            parsed.skipped.append(_("%(l)s：一件事（集成服务）不是单个事项；导出文件没有列出它包含的事项，"
                                    "请在目录中以一件事（bundles）定义") % {"l": location})
            continue
        refusals = []
        if not name:
            refusals.append(_("service_name：事项名称为空，不能成为事项"))
        source_id = (row.get("source_item_id") or "").strip()
        if not source_id:
            refusals.append(_("source_item_id：为空，无法识别事项（再次导入时无法对应）"))
        elif source_id in seen_ids:
            refusals.append(_("source_item_id：与 %(o)s 重复，同一事项只导入一次") % {"o": seen_ids[source_id]})
        else:
            seen_ids[source_id] = location
        dept_name = (row.get("department") or "").strip()
        unit_code = (row.get("region_code") or "").strip()
        found = by_code.get(department_code(dept_name, unit_code)) if dept_name else None
        found = found or by_name.get(dept_name)
        if found is not None:
            dept_code, dept_level = found.code, found.region.level
        elif not dept_name:
            refusals.append(_("department：实施部门为空，不能成为事项"))
        elif region_code is None:
            refusals.append(_("department：部门“%(d)s”不存在（可用 --region 指定区划自动创建部门）") % {"d": dept_name})
        else:
            dept_code, dept_level = department_code(dept_name, unit_code), region_level
            new_departments.setdefault(dept_code, {"code": dept_code, "name": dept_name[:100], "region": region_code})
        if refusals:
            parsed.row_errors += [(location, p) for p in refusals]
            continue
        item = existing.by_source.get(source_id)
        data, gaps = _row_data(row, item=item, existing=existing, code=item.code if item else generated_code(source_id),
                               name=name, type_code=type_code, dept_code=dept_code, dept_level=dept_level,
                               has_unit=has_unit)
        data["source_id"] = source_id[:64]
        parsed.items.append(Entry(location=location, data=data, gaps=gaps, drafts=True))
    parsed.new_departments = list(new_departments.values())
    return parsed


def _row_data(row, *, item, existing, code, name, type_code, dept_code, dept_level, has_unit):
    """(data, gaps) of one row. For an item already in the catalog only what the row says is given
    (the rest keeps what the catalog manager filled in); a new item gets everything, and the gaps the
    file leaves."""
    cell = lambda key: (row.get(key) or "").strip()  # noqa: E731 - a local reader
    gaps: list[Problem] = []
    data = {"code": code, "name": name, "department": dept_code}
    if item is None:
        data.update(level="main", region_level=dept_level, status="active")
    if type_code in KINDS:
        data["kind"] = KINDS[type_code]
    elif item is None:
        data["kind"] = ""
        gaps.append(Problem("kind", _("事项类型代码“%(c)s”不能对应到事项类型，请选择事项类型") % {"c": type_code}))
    legal, committed = cell("legal_days"), cell("promise_days")
    if legal or item is None:
        data["legal_limit_days"] = legal
    if committed or item is None:
        data["committed_limit_days"] = committed
    unit = cell(UNIT_COLUMN) if has_unit else ""
    if unit:
        data["limit_unit"] = UNIT_ALIASES.get(unit, unit)
    elif item is None:
        data["limit_unit"] = LimitUnit.WORKING
    case_type = cell("case_type")
    if case_type in ("即办件", "承诺件"):
        data["is_immediate"] = case_type == "即办件"
    elif item is None:
        gaps.append(Problem("is_immediate", _("导出文件未注明办件类型（即办件或承诺件），请确认") if not case_type
                            else _("办件类型“%(c)s”无法识别，应为即办件或承诺件") % {"c": case_type}))
    visits = cell("on_site_times")
    if visits or item is None:
        data["max_visits"] = visits or 0
    forms = cell("handle_form")
    channels = [CHANNELS[c.strip()] for c in forms.replace("，", ",").split(",") if c.strip() in CHANNELS]
    if forms:
        online_zero = "online" in channels and visits in ("0", "")
        data.update(channels=channels, online_depth=4 if online_zero else 3 if "online" in channels else 1)
        if "post" in channels or item is None:
            data["offers_post_delivery"] = "post" in channels
    elif item is None:
        data.update(channels=[], online_depth=1, offers_post_delivery=False)
        gaps.append(Problem("channels", _("导出文件没有办理形式（窗口、网上、快递……），请填写办理渠道")))
    charge = cell("is_charge")
    if charge in ("是", "否"):
        data["has_fee"] = charge == "是"
    kept = existing.materials.get(item.pk, {}) if item is not None else {}
    if cell("materials") or item is None:
        data["materials"] = _materials(row.get("materials"), kept)
    steps = [s.strip() for s in cell("steps").split("；") if s.strip()]
    if item is None or (steps and ([s[:100] for s in steps] != existing.stage_names.get(item.pk, [])
                                   or (committed and committed != str(item.committed_limit_days)))):
        data["stages"] = _stages(cell("steps"), dept_code, committed)
    return data, gaps
