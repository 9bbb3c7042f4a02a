"""The consistency rules every catalog item must satisfy before it is written.

The rules are those provincial catalogs apply to their implementation lists (see shared/domain.md):
the committed limit never exceeds the legal one (Administrative Licensing Law, Art. 42 sets the
ceiling; the committed limit is the centre's promise); an "immediate" committed limit means an
immediate item and vice versa; fully online means zero visits; a visit needs a written reason; zero
visits without full online means the result can be posted; no fee means no online payment; a
conditional material names its condition; the stages fit in the committed limit; the item hierarchy
main -> sub -> handling holds (GB/T 39554.1-2020); codes have the shape of GB/T 39554.1. All limits of
an item are in its one unit (working or natural days), so they are compared like with like.

A draft may be saved with problems (it is what the catalog manager still has to fill in: `gap_kind`
groups them); only the problems that keep a row from being stored at all (`blocks_draft`: no code,
name or department, an unknown reference, a typo in a field name) refuse it.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.utils.translation import gettext as _

from onewindow.orgs.models import Department

from .itemdata import Problem, item_to_data, normalise
from .models import (
    WAIVER_MAX_TERM_DAYS,
    GapKind,
    HandlingType,
    Item,
    ItemKind,
    ItemLevel,
    ItemStatus,
    LifeEvent,
    LimitUnit,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
    StageKind,
)
from .text import unit_days

# An "immediate limit": the committed limit of an immediate item (即办件) is 0 or 1 working day.
# The provincial portal records every 即办件 with a one-day committed limit (shared/data: 241 of 241),
# and also 80 promised items (承诺件) with a one-day limit. So the rule both ways is: an immediate item
# has a limit of at most 1, and a limit of 0 (done on the spot) is only possible for an immediate item;
# a promised item may promise 1 working day.
IMMEDIATE_LIMIT_MAX_DAYS = 1

# Implementation code (实施编码) of GB/T 39554.1-2020, as we enforce it:
#   <unified social credit code of the implementing body, 18 characters, GB 32100: digits and capital
#    letters except I, O, S, V, Z> "-" <basic code (基本编码) of the directory item, 12 digits>
#   [ "-" <handling item number (业务办理项序号), 2 digits> ]
# e.g. 114506810000000000-000105001000-01. The dashes are separators for readability. Only the
# shape is checked, not the credit code's check character: sample and generated codes use
# placeholder credit codes.
CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}-\d{12}(-\d{2})?$")
CODE_SHAPE = "18位统一社会信用代码-12位基本编码[-2位业务办理项序号]，如 114506810000000000-000105001000-01"

INSTANT_OPS = {"eq", "ne", "lt", "lte", "gt", "gte", "in", "truthy", "falsy"}

# Problems on these fields keep even a draft out: the row could not be stored or found again.
_DRAFT_BLOCKERS = {"code", "name", "department", "parent", "level", "status", "region_level", "source_id"}
_GAP_KINDS = {
    "kind": GapKind.KIND,
    "legal_limit_days": GapKind.LIMITS, "committed_limit_days": GapKind.LIMITS, "limit_unit": GapKind.LIMITS,
    "extension_days": GapKind.LIMITS, "stages": GapKind.LIMITS,
    "is_immediate": GapKind.IMMEDIACY,
    "max_visits": GapKind.VISITS, "visit_reason": GapKind.VISITS, "offers_post_delivery": GapKind.VISITS,
    "online_depth": GapKind.VISITS,
    "materials": GapKind.MATERIALS,
}


def _root(field: str) -> str:
    return field.split("[")[0].split(".")[0]


def blocks_draft(problem: Problem) -> bool:
    """True when even a draft cannot be stored with this problem: no code, name or department, an
    unknown parent or stage department, a duplicate material or stage, a field name the model lacks."""
    root = _root(problem.field)
    if root in _DRAFT_BLOCKERS or problem.message == _("未知字段"):
        return True
    if root == "stages" and problem.field.endswith((".department", ".step")):
        return True
    return root == "materials" and problem.field.endswith(".name")


def gap_kind(problem: Problem) -> str:
    """The GapKind of what a draft lacks, for the review queue's filter."""
    return _GAP_KINDS.get(_root(problem.field), GapKind.OTHER)


def code_problem(code: str) -> Problem | None:
    if not code:
        return Problem("code", _("事项编码不能为空"))
    if not CODE_RE.match(code):
        return Problem("code", _("事项编码格式不符合 GB/T 39554.1：应为 %(shape)s") % {"shape": CODE_SHAPE})
    return None


def validate_item(data_or_item, *, parents: dict[str, str] | None = None, departments: set[str] | None = None,
                  life_events: set[str] | None = None) -> list[Problem]:
    """Every problem that keeps this item out of the catalog (empty list: the item is consistent).

    Accepts an Item or catalog-file data (loose values are normalised first). `parents` maps item
    codes to levels, `departments` and `life_events` are sets of codes: pass them when the references
    may be defined in the same import file; by default the database is asked."""
    problems: list[Problem]
    if isinstance(data_or_item, Item):
        data, problems = item_to_data(data_or_item), []
    else:
        data, problems = normalise(data_or_item)
    problems = list(problems)
    add = problems.append
    if departments is None:  # one query for the item's and its stages' departments
        wanted = {data["department"], *(s.get("department") for s in data["stages"])}
        departments = set(Department.objects.filter(code__in=wanted).values_list("code", flat=True))

    if (p := code_problem(data["code"])) is not None:
        add(p)
    if not data["name"]:
        add(Problem("name", _("事项名称不能为空")))
    elif len(data["name"]) > 200:
        add(Problem("name", _("事项名称不能超过 200 字")))
    if data["kind"] not in ItemKind.values:
        add(Problem("kind", _("事项类型“%(v)s”无效，可选：%(all)s") % {"v": data["kind"], "all": ", ".join(ItemKind.values)}))
    if data["status"] not in ItemStatus.values:
        add(Problem("status", _("状态“%(v)s”无效，可选：%(all)s") % {"v": data["status"], "all": ", ".join(ItemStatus.values)}))
    if data["limit_unit"] not in LimitUnit.values:
        add(Problem("limit_unit", _("时限单位“%(v)s”无效，可选：working（工作日）、natural（自然日）") % {"v": data["limit_unit"]}))
    if data["source_id"] and Item.objects.filter(source_id=data["source_id"]).exclude(code=data["code"]).exists():
        add(Problem("source_id", _("来源编号“%(v)s”已被另一个事项使用") % {"v": data["source_id"]}))
    if data["region_level"] not in (1, 2, 3, 4, 5):
        add(Problem("region_level", _("行使层级应为 1（省）至 5（村）")))
    if data.get("delegated_down_to", 3) not in (2, 3, 4, 5):
        add(Problem("delegated_down_to", _("就近办层级应为 2（市级中心）至 5（村代办点）")))

    _check_hierarchy(data, parents, add)
    _check_department(data["department"], "department", departments, add)
    _check_limits(data, add)
    _check_visits_and_fees(data, add)

    known_events = life_events if life_events is not None else set(LifeEvent.objects.values_list("code", flat=True))
    for code in data["life_events"]:
        if code not in known_events:
            add(Problem("life_events", _("主题“%(c)s”不存在") % {"c": code}))
    _check_instant_rules(data["instant_approval_rules"], add)
    _check_materials(data["materials"], add)
    _check_stages(data, departments, add)
    return problems


def _check_hierarchy(data, parents, add):
    level, handling_type, parent = data["level"], data["handling_type"], data["parent"]
    if level not in ItemLevel.values:
        add(Problem("level", _("事项层级“%(v)s”无效，可选：main, sub, handling") % {"v": level}))
        return
    if level == ItemLevel.HANDLING:
        if not handling_type:
            add(Problem("handling_type", _("办理项必须注明业务办理项类型（新办、变更、延续、注销、其他）")))
        elif handling_type not in HandlingType.values:
            add(Problem("handling_type", _("业务办理项类型“%(v)s”无效") % {"v": handling_type}))
    elif handling_type:
        add(Problem("handling_type", _("只有办理项才有业务办理项类型")))
    if level == ItemLevel.MAIN:
        if parent:
            add(Problem("parent", _("主项不能有上级事项")))
        return
    if not parent:
        add(Problem("parent", _("子项须属于一个主项，办理项须属于一个主项或子项")))
        return
    if parent == data["code"]:
        add(Problem("parent", _("上级事项不能是事项本身")))
        return
    if parents is not None and parent in parents:
        parent_level = parents[parent]
    else:
        parent_level = Item.objects.filter(code=parent).values_list("level", flat=True).first()
    if parent_level is None:
        add(Problem("parent", _("上级事项“%(c)s”不存在") % {"c": parent}))
    elif level == ItemLevel.SUB and parent_level != ItemLevel.MAIN:
        add(Problem("parent", _("子项的上级事项必须是主项")))
    elif level == ItemLevel.HANDLING and parent_level not in (ItemLevel.MAIN, ItemLevel.SUB):
        add(Problem("parent", _("办理项的上级事项必须是主项或子项")))


def _check_department(code, field, departments, add):
    if not code:
        add(Problem(field, _("必须指定部门")))
        return
    known = code in departments if departments is not None else Department.objects.filter(code=code).exists()
    if not known:
        add(Problem(field, _("部门“%(c)s”不存在") % {"c": code}))


def _check_limits(data, add):
    # Both limits are in the item's one unit (limit_unit), so they compare like with like.
    legal, committed, unit = data["legal_limit_days"], data["committed_limit_days"], data["limit_unit"]
    if legal is None:
        add(Problem("legal_limit_days", _("法定办结时限不能为空")))
    if committed is None:
        add(Problem("committed_limit_days", _("承诺办结时限不能为空")))
    if legal is None or committed is None:
        return
    if committed > legal:
        add(Problem("committed_limit_days", _("承诺办结时限（%(c)s）不能超过法定办结时限（%(l)s）")
                    % {"c": unit_days(committed, unit), "l": unit_days(legal, unit)}))
    if data["is_immediate"] and committed > IMMEDIATE_LIMIT_MAX_DAYS:
        add(Problem("is_immediate", _("即办件的承诺时限应为 0 或 1 天，现为 %(c)s") % {"c": unit_days(committed, unit)}))
    if committed == 0 and not data["is_immediate"]:
        add(Problem("is_immediate", _("承诺时限为 0（当场办结），应标为即办件；承诺件的承诺时限至少 1 天")))


def _check_visits_and_fees(data, add):
    depth, visits = data["online_depth"], data["max_visits"]
    if depth not in OnlineDepth.values:
        add(Problem("online_depth", _("网办深度应为 1 至 4")))
    elif depth == OnlineDepth.FULLY_ONLINE and visits:
        add(Problem("max_visits", _("全程网办（网办深度四级）的事项到现场次数必须为 0")))
    if visits and not data["visit_reason"]:
        add(Problem("visit_reason", _("到现场次数为 %(n)s，必须写明需到现场的理由") % {"n": visits}))
    if visits == 0 and depth in OnlineDepth.values and depth < OnlineDepth.FULLY_ONLINE \
            and not data["offers_post_delivery"]:
        add(Problem("offers_post_delivery", _("零跑动但非全程网办的事项，必须提供结果邮寄送达")))
    if data["online_payment"] and not data["has_fee"]:
        add(Problem("online_payment", _("不收费的事项不能设置网上支付")))
    if not data["has_fee"] and data["fee_amount"] not in ("0.00", "0", None):
        add(Problem("fee_amount", _("不收费的事项收费金额应为 0")))


def _check_instant_rules(rules, add):
    if not isinstance(rules, list):
        add(Problem("instant_approval_rules", _("秒批规则应为列表")))
        return
    for i, rule in enumerate(rules):
        path = f"instant_approval_rules[{i}]"
        if not isinstance(rule, dict) or not rule.get("field") or not rule.get("label"):
            add(Problem(path, _("每条秒批规则须有 field 和 label")))
        elif rule.get("op") not in INSTANT_OPS:
            add(Problem(f"{path}.op", _("比较方式“%(op)s”无效，可选：%(all)s")
                        % {"op": rule.get("op"), "all": ", ".join(sorted(INSTANT_OPS))}))


def _check_materials(materials, add):
    seen = set()
    for i, m in enumerate(materials):
        path = f"materials[{i}]"
        if not m["name"]:
            add(Problem(f"{path}.name", _("材料名称不能为空")))
        elif m["name"] in seen:
            add(Problem(f"{path}.name", _("材料“%(n)s”重复") % {"n": m["name"]}))
        seen.add(m["name"])
        if m["source"] not in MaterialSource.values:
            add(Problem(f"{path}.source", _("来源渠道“%(v)s”无效") % {"v": m["source"]}))
        if m["form"] not in MaterialForm.values:
            add(Problem(f"{path}.form", _("材料形式“%(v)s”无效") % {"v": m["form"]}))
        if not m["required"] and not m["condition"]:
            add(Problem(f"{path}.condition", _("非必要材料“%(n)s”必须写明适用情形") % {"n": m["name"]}))
        if m["copies"] is not None and m["copies"] < 1:
            add(Problem(f"{path}.copies", _("份数至少为 1")))
        term = m.get("waiver_term_days")
        if term is not None and not 1 <= term <= WAIVER_MAX_TERM_DAYS:
            add(Problem(f"{path}.waiver_term_days", _("容缺补齐时限应为 1—%(max)s 个工作日") % {"max": WAIVER_MAX_TERM_DAYS}))


def _check_stages(data, departments, add):
    per_step: dict[int, int] = defaultdict(int)
    seen = set()
    for i, s in enumerate(data["stages"]):
        path = f"stages[{i}]"
        if not s["step"]:
            add(Problem(f"{path}.step", _("环节序号须为正整数")))
            continue
        if s["kind"] not in StageKind.values:
            add(Problem(f"{path}.kind", _("环节类型“%(v)s”无效，可选：%(all)s") % {"v": s["kind"], "all": ", ".join(StageKind.values)}))
        if not s["name"]:
            add(Problem(f"{path}.name", _("环节名称不能为空")))
        _check_department(s["department"], f"{path}.department", departments, add)
        if (s["step"], s["department"]) in seen:
            add(Problem(f"{path}.department", _("同一环节序号下每个部门只能有一个环节")))
        seen.add((s["step"], s["department"]))
        # Stages of one step run in parallel: the step takes as long as its longest stage.
        per_step[s["step"]] = max(per_step[s["step"]], s["limit_days"] or 0)
    total, committed = sum(per_step.values()), data["committed_limit_days"]
    if committed is not None and total > committed:
        add(Problem("stages", _("各环节时限合计 %(t)s（并联环节取最长），超过承诺办结时限 %(c)s")
                    % {"t": unit_days(total, data["limit_unit"]), "c": unit_days(committed, data["limit_unit"])}))
