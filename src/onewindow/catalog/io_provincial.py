"""Reading the provincial portal's CSV export (shared/data/gx_fangchenggang_service_items.csv and files
like it) into catalog entries.

How the columns are read (the report repeats what matters):
- matter_type_code -> kind: 01 licensing, 05 payment, 07 confirmation, 08 reward, 09 adjudication,
  10 other_power, 20 public_service. 16 (一件事) rows are skipped and listed: a bundle is defined by the
  items it groups (bundles in the catalog file), not as an item of its own.
- legal_days / promise_days are read as working days (the export does not say whether 工作日 or 自然日).
- case_type 即办件 -> is_immediate; blank -> the row is bad.
- on_site_times -> max_visits; the export gives no reason for a visit, so rows needing one are bad
  (visit_reason is required).
- handle_form -> channels (窗口办理 window, 网上办理 online, 快递申请 post, 自助办理 self_service);
  快递申请 also means the result can be posted (offers_post_delivery). online_depth is inferred:
  online and zero visits -> 4 (fully online), online -> 3, otherwise 1.
- materials: `；`-separated, a leading `*` marks a required one; the export gives no condition for the
  others, so a row with a non-required material is bad (a conditional material needs its condition).
- steps -> stages in order (收件与受理 acceptance, 审查与决定 review, 颁证与送达 delivery), all with the
  row's department; the committed limit sits on the review stage (on the first stage when there is none).
- department -> matched by name (or short name); an unknown one is created under `--region` when
  given (code imp-<hash of the name>), otherwise the row is bad.
- code: the export has no 事项编码, so one of the shape of GB/T 39554.1 is derived from source_item_id:
  "00" + 16 hex digits + "-" + 12 digits, both from the SHA-1 of the id. "00" names no registering
  authority, so a generated code can never be a real implementing body's credit code; the same row
  always gets the same code, so a second import updates instead of duplicating.
- level main (the export has no main/sub/handling hierarchy); general_scope and source_url are not kept.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from django.utils.translation import gettext as _

from onewindow.orgs.models import Department

from .io import Entry, ParsedCatalog

HEADER = ["source_item_id", "service_name", "department", "matter_type_code", "case_type", "legal_days",
          "promise_days", "on_site_times", "is_charge", "handle_form", "materials", "steps"]
KINDS = {"01": "licensing", "05": "payment", "07": "confirmation", "08": "reward", "09": "adjudication",
         "10": "other_power", "20": "public_service"}
BUNDLE_TYPE = "16"
CHANNELS = {"窗口办理": "window", "网上办理": "online", "快递申请": "post", "自助办理": "self_service"}


def is_provincial_header(fieldnames) -> bool:
    return bool(fieldnames) and all(column in fieldnames for column in HEADER)


def generated_code(source_item_id: str) -> str:
    digest = hashlib.sha1(source_item_id.strip().encode()).hexdigest()
    return f"00{digest[:16].upper()}-{int(digest[16:32], 16) % 10**12:012d}"


def department_code(name: str) -> str:
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


def _materials(text: str | None) -> list[dict]:
    out = []
    for part in (text or "").split("；"):
        part = part.strip()
        if not part:
            continue
        required = part.startswith("*")
        out.append({"name": part.lstrip("*").strip()[:200], "required": required, "condition": ""})
    return out


def parse_provincial_csv(path: Path, *, region=None) -> ParsedCatalog:
    parsed = ParsedCatalog(format="provincial_csv")
    parsed.notes += [
        _("法定时限、承诺时限按工作日读取（导出文件未注明是工作日还是自然日）"),
        _("事项层级按主项导入（导出文件没有主项、子项、办理项信息）；事项编码由 source_item_id 生成"),
        _("网办深度由办理形式推定：网上办理且零跑动为四级（全程网办），网上办理为三级，否则一级；“快递申请”视为提供结果邮寄送达"),
        _("一件事（类型 16）行不作为事项导入：一件事由它包含的事项在目录文件的 bundles 中定义"),
    ]
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
        by_name: dict[str, Department] = {}
        for known in Department.objects.select_related("region"):
            by_name.setdefault(known.name, known)
            if known.short_name:
                by_name.setdefault(known.short_name, known)
        new_departments: dict[str, dict] = {}
        line = 1
        for row in reader:
            start, line = line + 1, reader.line_num
            name = (row.get("service_name") or "").strip()
            location = _("第%(n)s行 (%(name)s)") % {"n": start, "name": name}
            type_code = (row.get("matter_type_code") or "").strip().zfill(2)
            if type_code == BUNDLE_TYPE:
                parsed.skipped.append(_("%(l)s：一件事行按一件事（bundles）定义，不作为事项导入") % {"l": location})
                continue
            problems = []
            if type_code not in KINDS:
                problems.append(_("matter_type_code：未知的事项类型代码“%(c)s”") % {"c": type_code})
            source_id = (row.get("source_item_id") or "").strip()
            if not source_id:
                problems.append(_("source_item_id：为空，无法生成事项编码"))
            case_type = (row.get("case_type") or "").strip()
            if case_type not in ("即办件", "承诺件"):
                problems.append(_("case_type：办件类型应为即办件或承诺件，收到“%(c)s”") % {"c": case_type})
            dept_name = (row.get("department") or "").strip()
            dept = by_name.get(dept_name)
            if dept is None and dept_name and region is not None:
                code = department_code(dept_name)
                new_departments.setdefault(code, {"code": code, "name": dept_name[:100], "region": region})
                dept_code, region_level = code, region.level
            elif dept is None:
                problems.append(_("department：部门“%(d)s”不存在（可用 --region 指定区划自动创建部门）") % {"d": dept_name})
                dept_code, region_level = "", 3
            else:
                dept_code, region_level = dept.code, dept.region.level
            if problems:
                parsed.row_errors += [(location, p) for p in problems]
                continue
            channels = [CHANNELS[c.strip()] for c in (row.get("handle_form") or "").replace("，", ",").split(",")
                        if c.strip() in CHANNELS]
            visits = (row.get("on_site_times") or "").strip()
            online_zero = "online" in channels and visits in ("0", "")
            committed = (row.get("promise_days") or "").strip()
            parsed.items.append(Entry(location=location, data={
                "code": generated_code(source_id),
                "name": name,
                "kind": KINDS[type_code],
                "level": "main",
                "department": dept_code,
                "region_level": region_level,
                "legal_limit_days": (row.get("legal_days") or "").strip(),
                "committed_limit_days": committed,
                "is_immediate": case_type == "即办件",
                "max_visits": visits,
                "online_depth": 4 if online_zero else 3 if "online" in channels else 1,
                "has_fee": (row.get("is_charge") or "").strip() == "是",
                "channels": channels,
                "offers_post_delivery": "post" in channels,
                "materials": _materials(row.get("materials")),
                "stages": _stages(row.get("steps"), dept_code, committed),
                "status": "active",
            }))
        parsed.new_departments = list(new_departments.values())
    return parsed
