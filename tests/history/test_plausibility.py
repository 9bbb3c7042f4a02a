"""The sample history must read as a real centre's: reasons, applicants and items fit each other (issue
16: a medical-insurance payment denied for its fire-safety design, a funeral-fee waiver refused for a
planning zone, companies applying for identity cards). Checked over a history generated on the sample
catalog of 东兴市, and on the rules' tables directly."""

import random
from datetime import date

from onewindow.audit.models import AuditEvent
from onewindow.cases.models import Case, CaseMaterial, DenialFiling, SpecialProcedure, SupplementRequest
from onewindow.cases.states import CASE_MACHINE, CaseState
from onewindow.history.generator import generate_history
from onewindow.history.people import ENTERPRISE, PERSON, TRADES
from onewindow.history.plan import load_items
from onewindow.history.values import A, case_action
from tests.cases.factories import at

START, END, NOW = date(2026, 6, 1), date(2026, 9, 30), at(2026, 9, 30, 18)
ENTERPRISE_ONLY_DEFECTS = ("公章", "法定代表人", "单位")
# Words of a domain and the items (by words of their names) where a reason may use them.
DOMAIN_WORDS = {
    "消防": ("消防设计", "娱乐场所", "施工许可"),
    "规划": ("规划", "户外广告"),
    "经营场所": ("个体工商户", "食品经营", "公司设立", "互联网上网"),
    "医疗机构": ("医疗机构",),
    "养老金": ("退休",),
}


def test_the_sample_history_is_plausible(db):
    """One history of 3,000 cases on the sample catalog and organisations (as `onewindow init` loads
    them), checked against every rule below (made once: it takes a while)."""
    from onewindow.calendar.services import seed_official_calendar
    from onewindow.catalog.sample import load_sample_catalog
    from onewindow.orgs.sample import load_sample_orgs

    seed_official_calendar()
    load_sample_orgs()
    load_sample_catalog()
    summary = generate_history(size=3000, seed=16, start=START, end=END, now=NOW)
    plans = {plan.id: plan for plan in load_items(random.Random(0))}
    facts = _facts(plans)
    covers_the_catalog_and_every_state(summary, facts)
    persons_apply_for_personal_items_and_enterprises_for_theirs(facts, plans)
    businesses_apply_for_what_their_trade_does(facts)
    applicants_are_local(facts)
    every_no_has_a_reason_of_its_own_item(facts, plans)
    no_reason_from_another_domain(facts)
    supplement_defects_name_the_cases_own_documents(facts)
    special_procedures_only_where_the_item_needs_them(facts, plans)
    the_history_writes_only_the_cases_own_actions(facts)


def _facts(plans):
    """Everything the tests below read, read once (the data are gone after the module)."""
    cases = list(Case.objects.values_list("id", "item_id", "item__name", "item__department__code",
                                          "applicant__kind", "applicant__name", "applicant__address",
                                          "applicant__id_number", "bundle_application__bundle__code", "state",
                                          "decision_reason"))
    by_id = {row[0]: row for row in cases}
    return {
        "cases": cases,
        "by_id": by_id,
        "filings": list(DenialFiling.objects.values_list("case_id", "kind", "reason")),
        "supplements": list(SupplementRequest.objects.values_list("case_id", "defects")),
        "procedures": list(SpecialProcedure.objects.values_list("case_id", "kind", "reason")),
        "materials": set(CaseMaterial.objects.values_list("case_id", "material_id")),
        "actions": set(AuditEvent.objects.filter(chain__key__startswith="case:").values_list("action", flat=True)
                       .distinct()),
    }


def covers_the_catalog_and_every_state(summary, facts):
    assert summary["cases"] == 3000
    assert {row[9] for row in facts["cases"]} == set(CaseState.values)
    assert len({row[1] for row in facts["cases"]}) >= 40  # most items of the catalog have cases


def persons_apply_for_personal_items_and_enterprises_for_theirs(facts, plans):
    kinds_seen: dict[str, set[str]] = {}
    for _id, item_id, name, _dept, kind, *_rest in facts["cases"]:
        kinds_seen.setdefault(name, set()).add(kind)
        bundled = _rest[3]
        if not bundled:
            assert kind in plans[item_id].kinds, (name, kind)
    # The complaints of issue 16, by name, and their counterparts.
    for name in ("居民身份证首次申领", "居民身份证换领", "居民身份证补领", "内地居民结婚登记", "社会保障卡申领",
                 "门诊特殊慢性病待遇资格认定", "基本殡葬服务费用减免", "高龄津贴申领", "出生登记"):
        assert kinds_seen.get(name, {PERSON}) == {PERSON}, name
    for name in ("食品经营许可（新办）", "建筑工程施工许可（新办）", "商品房预售许可", "医疗机构执业登记",
                 "公共场所卫生许可", "道路货物运输经营许可", "养老机构备案", "单位社会保险登记",
                 "预算单位开立专用存款账户许可"):
        assert kinds_seen.get(name, {ENTERPRISE}) == {ENTERPRISE}, name


def businesses_apply_for_what_their_trade_does(facts):
    trade_words = {
        "食品经营": ("餐馆", "米粉店", "餐饮店", "酒家"),
        "医疗机构": ("医院", "门诊部"),
        "商品房预售": ("建设工程", "房地产开发", "建筑工程"),
        "养老机构": ("养老服务中心", "颐养院"),
        "娱乐场所": ("文化传媒", "娱乐", "网络会所", "演艺"),
    }
    checked = 0
    for _id, _item, name, _dept, kind, applicant, *_rest in facts["cases"]:
        for item_words, name_words in trade_words.items():
            if item_words in name and kind == ENTERPRISE and "测试" not in applicant:
                assert any(word in applicant for word in name_words), (name, applicant)
                checked += 1
    assert checked > 10


def applicants_are_local(facts):
    for *_head, kind, name, address, id_number, _bundle, _state, _reason in facts["cases"]:
        if kind == PERSON:
            assert 2 <= len(name) <= 3 and address.startswith("东兴市"), (name, address)
            assert id_number.startswith("450681")
        else:
            assert name.startswith(("东兴", "广西")), name
            assert id_number[2:8] == "450681" and id_number[:2] in {code for code, _names in TRADES.values()} | {"91"}


def every_no_has_a_reason_of_its_own_item(facts, plans):
    by_id = facts["by_id"]
    assert {kind for _case, kind, _reason in facts["filings"]} == {"refusal", "denial"}
    for case_id, kind, reason in facts["filings"]:
        item_id = by_id[case_id][1]
        allowed = plans[item_id].reasons.refusals if kind == "refusal" else plans[item_id].reasons.denials
        assert reason in allowed, (by_id[case_id][2], kind, reason)
    for _id, item_id, name, _dept, kind, *_rest, state, reason in facts["cases"]:
        if state == CaseState.WITHDRAWN:
            assert reason in plans[item_id].reasons.withdrawals[kind], (name, reason)


def no_reason_from_another_domain(facts):
    """No fire-safety reason outside construction and venues, no planning reason on a benefit, …"""
    by_id = facts["by_id"]
    texts = [(by_id[case_id][2], reason) for case_id, _kind, reason in facts["filings"]]
    texts += [(by_id[case_id][2], reason) for case_id, _kind, reason in facts["procedures"]]
    texts += [(row[2], row[10]) for row in facts["cases"] if row[10]]
    assert len(texts) > 100
    for item_name, reason in texts:
        for word, items in DOMAIN_WORDS.items():
            if word in reason:
                assert any(item_word in item_name for item_word in items), (item_name, reason)
    medical_insurance = [reason for (name, reason) in texts if "医保" in name or "医疗保险" in name]
    assert not any(word in reason for reason in medical_insurance for word in ("消防", "规划", "经营场所"))


def supplement_defects_name_the_cases_own_documents(facts):
    by_id = facts["by_id"]
    assert facts["supplements"]
    for case_id, defects in facts["supplements"]:
        kind = by_id[case_id][4]
        for defect in defects:
            assert (case_id, defect["material_id"]) in facts["materials"], defect
            if kind == PERSON:
                assert not any(word in defect["reason"] for word in ENTERPRISE_ONLY_DEFECTS), defect


def special_procedures_only_where_the_item_needs_them(facts, plans):
    by_id = facts["by_id"]
    assert facts["procedures"]
    for case_id, kind, _reason in facts["procedures"]:
        plan = plans[by_id[case_id][1]]
        assert kind in {procedure.kind for procedure in plan.reasons.procedures}, (plan.name, kind)


def the_history_writes_only_the_cases_own_actions(facts):
    """Transitions come from the cases' verb table; the events that keep the state must be verbs the
    cases' services record (cases has no table of those yet: their names are looked up in its code)."""
    from pathlib import Path

    import onewindow.cases as cases_package

    transitions = {case_action(name) for name in CASE_MACHINE.transitions}
    source = "\n".join(path.read_text(encoding="utf-8") for path in Path(cases_package.__file__).parent.rglob("*.py"))
    assert facts["actions"] <= set(vars(A).values())
    for action in facts["actions"] - transitions:
        verb = action.removeprefix("onewindow.case.")
        assert f'"{verb}"' in source or f'"{action}"' in source, action
