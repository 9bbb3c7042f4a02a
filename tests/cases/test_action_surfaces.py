"""The case actions are declared once (cases/actions.py): the API, the workbench's case page and the CLI
offer exactly what the registry allows each person in each state, every action works through each of
them, and a wrong state, a wrong person or bad parameters are refused the same way with nothing changed."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.api.auth import create_token
from onewindow.calendar import selectors as calendar
from onewindow.cases import services
from onewindow.cases.actions import registry
from onewindow.cases.models import Case, CaseMaterialStatus, Fee, SpecialProcedure
from onewindow.cases.states import CaseState
from onewindow.catalog.models import Delegation
from onewindow.cli import main

from .factories import accepted_case, at, snapshot, submit_online, task_of

PERSONAS = ("clerk", "approver_scj", "approver_gaj", "chief_zrzy", "applicant_user", "supervisor", "agent")


@pytest.fixture
def world(world):
    # The chief representative of natural resources holds the licence item by delegation: a persona that
    # reaches tasks of other departments.
    from onewindow.orgs.models import StaffRole

    StaffRole.objects.create(user=world.chief_zrzy, role="chief_representative", department=world.gaj)
    Delegation.objects.create(department=world.gaj, item=world.licence, representative=world.chief_zrzy,
                              granted_on=date(2026, 1, 1))
    return world


def _token_client(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_token(user=user).raw}"})


def _api_offers(user, case) -> dict | None:
    response = _token_client(user).get(f"/api/v1/cases/{case.number}/actions")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.content
    return {row["action"]: row for row in response.json()}


def _page_offers(user, case) -> dict | None:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("workbench:case_detail", args=[case.number]))
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    body = response.content.decode()
    names = re.findall(r'<details id="action-([a-z_]+)"', body)
    assert names == [row["name"] for row in response.context["actions"]]
    forms = {row["name"]: row["form"] for row in response.context["actions"]}
    for name in names:  # every offered form posts to its own action, and every input of it is on the page
        assert reverse("workbench:case_action", args=[case.number, name]) in body
        for field in forms[name]:
            assert f'name="{field.html_name}"' in body, (name, field.html_name)
    return forms


def _cli_offers(user, case, capsys) -> dict | None:
    capsys.readouterr()  # what the other surfaces logged
    code = main(["cases", "actions", case.number, "--as", user.username, "--json"])
    out, err = capsys.readouterr()
    if code == 2:
        assert len(err.strip().splitlines()) == 1
        return None
    assert code == 0, err
    return {row["action"]: row for row in json.loads(out)}


def _registry_rows(user, case) -> dict:
    return {offer.name: offer.as_dict() for offer in registry.offers(user, case)}


def _cases_in_every_state(w) -> dict[str, Case]:
    now = at(2026, 9, 30, 10)
    site = w.ids(w.licence, "经营场所证明")[0]
    cases = {"submitted": submit_online(w, provided=w.ids(w.licence, "设立登记申请书", "消防安全承诺书"), now=now)}
    review = accepted_case(w, now=now)
    cases["in_review"] = review
    half = accepted_case(w, now=now)
    services.approve_task(approver=w.approver_scj, task=task_of(half, w.scjg, 2), now=now)
    cases["one_department_done"] = half
    suspended = accepted_case(w, now=now)
    services.start_special_procedure(approver=w.approver_gaj, task=task_of(suspended, w.gaj, 2), kind="hearing",
                                     limit_days=5, reason="听证", now=now)
    cases["suspended"] = suspended
    supplement = accepted_case(w, now=now)
    services.request_supplement(actor=w.approver_gaj, case=supplement, now=now,
                                defects=[{"material_id": site, "reason": "未盖章"}])
    cases["supplement_in_review"] = supplement
    intake_supplement = submit_online(w, provided=[], now=now)
    services.request_supplement(actor=w.clerk, case=intake_supplement, now=now,
                                defects=[{"material_id": site, "reason": "未提交"}])
    cases["supplement_at_intake"] = intake_supplement
    approved = services.accept_case(clerk=w.clerk, case=submit_online(w, provided=w.ids(
        w.licence, "设立登记申请书", "消防安全承诺书"), now=now), waivers={site: date(2026, 10, 9)}, now=now)
    for department, step in ((w.scjg, 2), (w.gaj, 2), (w.scjg, 3)):
        approver = w.approver_scj if department == w.scjg else w.approver_gaj
        services.approve_task(approver=approver, task=task_of(approved, department, step), now=now)
    cases["approved_owing_a_material"] = approved
    cases["paid_item_in_review"] = accepted_case(w, w.paid, now=now)
    concluded = accepted_case(w, w.immediate, now=now)
    services.conclude_case(actor=w.clerk, case=concluded, delivery_method="electronic", now=now)
    cases["concluded"] = concluded
    return {name: Case.objects.get(pk=case.pk) for name, case in cases.items()}


def test_the_api_the_workbench_and_the_cli_offer_exactly_what_the_registry_allows(world, capsys):
    cases = _cases_in_every_state(world)
    assert {case.state for case in cases.values()} >= {
        CaseState.SUBMITTED, CaseState.IN_PROGRESS, CaseState.SUSPENDED, CaseState.SUPPLEMENT_REQUESTED,
        CaseState.APPROVED, CaseState.CONCLUDED}
    offered_somewhere = set()
    for persona in PERSONAS:
        user = getattr(world, persona)
        for label, case in cases.items():
            case = Case.objects.select_related("item", "applicant", "centre").get(pk=case.pk)
            expected = _registry_rows(user, case)
            offered_somewhere |= set(expected)
            api, cli = _api_offers(user, case), _cli_offers(user, case, capsys)
            page = _page_offers(user, case)
            where = f"{persona} on {label}"
            if api is None:  # a case the person may not see: 404 everywhere, nothing offered
                assert cli is None and page is None and not expected, where
                continue
            assert api == expected, where
            assert cli == expected, where
            if persona == "applicant_user":
                assert page is None, where  # the workbench is for staff; applicants act through the API
                continue
            assert set(page) == set(expected), where
            for name, form in page.items():  # each form offers the registry's options, no more
                for param, options in expected[name]["choices"].items():
                    if param in form.fields and hasattr(form.fields[param], "choices"):
                        assert {str(value) for value, _label in form.fields[param].choices} == {
                            str(option["value"]) for option in options}, f"{where}: {name}.{param}"
    # Every action is offered to someone in these states (the walk below performs each one).
    assert offered_somewhere == set(registry.names())


def test_what_is_offered_follows_the_state_and_the_person(world):
    cases = _cases_in_every_state(world)

    def names(persona, label):
        case = Case.objects.select_related("item", "applicant", "centre").get(pk=cases[label].pk)
        return {a.name for a in registry.available(getattr(world, persona), case)}

    assert names("clerk", "submitted") == {"accept", "request_supplement", "refuse", "withdraw"}
    assert names("approver_scj", "submitted") == set()
    assert names("approver_scj", "in_review") == {"approve", "deny", "start_special_procedure",
                                                   "request_supplement", "extend"}
    # scjg's review is done and its decision waits for gaj: nothing left for scjg to approve
    assert names("approver_scj", "one_department_done") == set()
    assert "approve" in names("approver_gaj", "one_department_done")
    assert names("approver_gaj", "suspended") == {"end_special_procedure", "extend"}
    assert names("approver_scj", "suspended") == {"extend"}
    assert names("clerk", "supplement_in_review") == {"supply", "withdraw"}  # refusal is for intake only
    assert names("clerk", "supplement_at_intake") == {"supply", "refuse", "withdraw"}
    assert names("applicant_user", "supplement_in_review") == {"supply", "withdraw"}
    assert names("clerk", "approved_owing_a_material") == {"supply_waived", "conclude"}
    assert names("approver_gaj", "approved_owing_a_material") == {"conclude"}
    assert names("applicant_user", "paid_item_in_review") == {"pay", "withdraw"}
    assert names("chief_zrzy", "in_review") >= {"approve", "deny"}  # by delegation
    assert names("supervisor", "in_review") == set() and names("clerk", "concluded") == set()


# -- every action through every surface ------------------------------------------------------------------

class Api:
    name = "api"

    def __init__(self):
        self.clients = {}

    def ready(self, *users):
        """Tokens made beforehand: making one is an audit event of its own."""
        for user in users:
            self.clients[user.pk] = _token_client(user)

    def act(self, user, case, action, params):
        if user.pk not in self.clients:
            self.ready(user)
        response = self.clients[user.pk].post(f"/api/v1/cases/{case.number}/actions",
                                            data=json.dumps({"action": action, "params": params}),
                                            content_type="application/json")
        return response.status_code, response.json()


class Page:
    name = "workbench"

    def ready(self, *users):
        pass

    def act(self, user, case, action, params):
        client = Client()
        client.force_login(user)
        data = {}
        for key, value in params.items():
            if action == "accept" and key == "waivers":
                data.update({f"accept-promise_{k}": v for k, v in value.items()})
            elif action == "request_supplement" and key == "defects":
                data["request_supplement-materials"] = [str(d["material_id"]) for d in value]
                data.update({f"request_supplement-reason_{d['material_id']}": d["reason"] for d in value})
            else:
                data[f"{action}-{key}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
        response = client.post(reverse("workbench:case_action", args=[case.number, action]), data)
        if response.status_code == 302:
            messages = [str(m) for m in response.wsgi_request._messages]
            return (200 if not any("不能进行此操作" in m for m in messages) else 403), messages
        return response.status_code, response.content.decode()


class Cli:
    name = "cli"

    def __init__(self, capsys):
        self.capsys = capsys

    def ready(self, *users):
        pass

    def act(self, user, case, action, params):
        self.capsys.readouterr()
        code = main(["cases", "act", case.number, action, "--as", user.username, "--json", json.dumps(params)])
        out, err = self.capsys.readouterr()
        return (200 if code == 0 else 400), out + err


def _surface(name, capsys):
    return {"api": Api(), "workbench": Page(), "cli": Cli(capsys)}[name]


def _ok(surface, user, case, action, params) -> Case:
    status, body = surface.act(user, case, action, params)
    assert status == 200, (surface.name, action, body)
    return Case.objects.select_related("item", "applicant", "centre").get(pk=case.pk)


@pytest.mark.parametrize("surface_name", ["api", "workbench", "cli"])
def test_every_action_works_through_each_surface(world, capsys, surface_name):
    s, w = _surface(surface_name, capsys), world
    now = timezone.now()
    today = timezone.localdate()
    site, fire = w.ids(w.licence, "经营场所证明")[0], w.ids(w.licence, "消防安全承诺书")[0]
    promised = calendar.add_working_days(today, 2).due_on
    # a whole case: waiver acceptance, supplement in review, special procedure, extension, parallel review,
    # the waived material caught up, conclusion
    case = submit_online(w, provided=w.ids(w.licence, "设立登记申请书", "消防安全承诺书"), now=now)
    case = _ok(s, w.clerk, case, "accept", {"waivers": {str(site): promised.isoformat()}})
    assert case.state == CaseState.IN_PROGRESS
    case = _ok(s, w.approver_gaj, case, "request_supplement", {"defects": [{"material_id": fire, "reason": "未签字"}]})
    assert case.state == CaseState.SUPPLEMENT_REQUESTED
    assert case.supplement_requests.get().defects[0]["reason"] == "未签字"
    case = _ok(s, w.clerk, case, "supply", {"provided_material_ids": [fire]})
    assert case.state == CaseState.IN_PROGRESS
    case = _ok(s, w.approver_scj, case, "start_special_procedure", {
        "task_id": task_of(case, w.scjg, 2).pk, "kind": "site_inspection", "limit_days": 3, "reason": "现场核查"})
    assert case.state == CaseState.SUSPENDED
    procedure = SpecialProcedure.objects.get(case=case)
    case = _ok(s, w.approver_scj, case, "end_special_procedure", {"procedure_id": procedure.pk, "outcome": "符合"})
    case = _ok(s, w.approver_gaj, case, "extend", {"days": 2, "reason": "征求意见"})
    assert case.extension_days == 2
    for approver, department, step in ((w.approver_gaj, w.gaj, 2), (w.approver_scj, w.scjg, 2),
                                       (w.approver_scj, w.scjg, 3)):
        case = _ok(s, approver, case, "approve", {"task_id": task_of(case, department, step).pk, "opinion": "同意"})
    assert case.state == CaseState.APPROVED
    case = _ok(s, w.clerk, case, "supply_waived", {"material_id": site})
    case = _ok(s, w.clerk, case, "conclude", {"delivery_method": "pickup"})
    assert case.state == CaseState.CONCLUDED
    # a fee paid, then withdrawn
    paid = accepted_case(w, w.paid, now=now)
    fee = Fee.objects.get(case=paid)
    _ok(s, w.clerk, paid, "pay", {"fee_id": fee.pk, "receipt_number": "R-001"})
    assert Fee.objects.get(pk=fee.pk).receipt_number == "R-001"
    paid = _ok(s, w.clerk, paid, "withdraw", {"reason": "申请人书面撤回"})
    assert paid.state == CaseState.WITHDRAWN
    # a denial and a refusal
    review = accepted_case(w, now=now)
    denied = _ok(s, w.approver_gaj, review, "deny", {"task_id": task_of(review, w.gaj, 2).pk, "reason": "不符合条件"})
    assert denied.state == CaseState.DENIED
    refused = _ok(s, w.clerk, submit_online(w, now=now), "refuse", {"reason": "不属于本中心受理范围"})
    assert refused.state == CaseState.REFUSED


@pytest.mark.parametrize("surface_name", ["api", "workbench", "cli"])
def test_wrong_state_wrong_person_and_bad_params_are_refused_and_change_nothing(world, capsys, surface_name):
    s, w = _surface(surface_name, capsys), world
    case = accepted_case(w, now=timezone.now())
    review = task_of(case, w.scjg, 2)
    s.ready(w.clerk, w.approver_gaj, w.approver_scj)
    before = snapshot(case)
    wrong_state = s.act(w.clerk, case, "accept", {})  # already accepted
    wrong_person = s.act(w.approver_gaj, case, "approve", {"task_id": review.pk})  # scjg's task
    bad_params = s.act(w.approver_scj, case, "start_special_procedure",
                       {"task_id": review.pk, "kind": "hearing", "limit_days": 0, "reason": "听证"})
    missing = s.act(w.approver_scj, case, "deny", {"task_id": review.pk, "reason": ""})
    assert snapshot(case) == before
    if surface_name == "api":
        assert wrong_state[0] == 409 and wrong_person[0] == 403
        assert bad_params[0] == 422 and bad_params[1]["field"] == "params.limit_days"
        assert missing[0] == 400 and missing[1]["field"] == "params.reason"
    elif surface_name == "cli":
        assert all(status == 400 for status, _out in (wrong_state, wrong_person, bad_params, missing))
        assert "params.limit_days" in bad_params[1] and "params.reason" in missing[1]
        assert "不能受理" in wrong_state[1]
    else:
        assert wrong_state[0] == 403  # not offered: back to the page with a message
        assert wrong_person[0] == 400  # gaj's form offers only gaj's task
        assert bad_params[0] == 400 and missing[0] == 400 and "不予许可必须写明理由" in missing[1]


def test_a_repeated_approve_through_the_api_is_a_409_and_approves_nothing_else(world):
    case = accepted_case(world, now=timezone.now())
    client = _token_client(world.approver_scj)
    services.approve_task(approver=world.approver_gaj, task=task_of(case, world.gaj, 2))
    review = task_of(case, world.scjg, 2)
    body = json.dumps({"action": "approve", "params": {"task_id": review.pk}})
    first = client.post(f"/api/v1/cases/{case.number}/actions", data=body, content_type="application/json")
    assert first.status_code == 200
    decision = task_of(case, world.scjg, 3)
    assert decision.state == "open"
    again = client.post(f"/api/v1/cases/{case.number}/actions", data=body, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert task_of(case, world.scjg, 3).state == "open"


def test_the_openapi_document_names_every_actions_parameters(client):
    """The cases endpoint's body is the discriminated union of the cases registry; each variant points at
    its own action's parameters (other registries' actions of the same name, e.g. accept, have schemas
    of their own names and do not overwrite these)."""
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    body = document["paths"]["/api/v1/cases/{number}/actions"]["post"]["requestBody"]["content"]["application/json"]
    mapping = body["schema"]["discriminator"]["mapping"]
    assert set(mapping) == set(registry.names())
    for action in registry:
        variant = schemas[mapping[action.name].rsplit("/", 1)[-1]]
        assert variant["properties"]["action"]["const"] == action.name
        assert f'"#/components/schemas/{action.params.__name__}"' in json.dumps(variant["properties"]["params"])
        params = schemas[action.params.__name__]
        assert set(params["properties"]) == set(action.params.model_fields), action.name
        assert set(params.get("required", [])) == set(action.required_fields()), action.name
    assert set(schemas["ApproveParams"]["required"]) == {"task_id"}
    assert set(schemas["AcceptParams"]["properties"]) == {"promise_note", "provided_material_ids", "waivers"}


def test_the_cli_lists_and_acts_and_says_what_is_wrong_in_one_line(world, capsys):
    case = accepted_case(world, now=timezone.now())
    assert main(["cases", "actions", case.number, "--as", "approver.scj"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("approve\t审批通过\t(task_id, opinion?)\n") and f"task_id: {task_of(case, world.scjg, 2).pk}=" in out
    for argv in (["cases", "act", case.number, "approve", "--as", "approver.scj"],
                 ["cases", "act", case.number, "approve", "--as", "approver.scj", "--param", "task_id=abc"],
                 ["cases", "act", case.number, "approve", "--as", "approver.scj", "--param", "tsk=1"],
                 ["cases", "act", case.number, "approve", "--as", "approver.scj", "--json", "{nope"],
                 ["cases", "act", case.number, "dance", "--as", "approver.scj"],
                 ["cases", "act", case.number, "approve", "--as", "nobody"],
                 ["cases", "act", case.number, "accept", "--as", "lisi"]):
        before = snapshot(case)
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "error" in err, (argv, err)
        assert snapshot(case) == before
    task = task_of(case, world.scjg, 2)
    assert main(["cases", "act", case.number, "approve", "--as", "approver.scj", "--param", f"task_id={task.pk}",
                 "--param", "opinion=同意"]) == 0
    assert "已审批通过" in capsys.readouterr().out
    assert task_of(case, world.scjg, 2).state == "approved"


def test_a_material_waived_at_acceptance_is_offered_to_the_clerk_by_id(world):
    site = world.ids(world.licence, "经营场所证明")[0]
    case = services.accept_case(clerk=world.clerk, case=submit_online(world, provided=world.ids(
        world.licence, "设立登记申请书", "消防安全承诺书")), waivers={site: date(2026, 10, 9)}, now=at(2026, 9, 30))
    case = Case.objects.select_related("item", "applicant", "centre").get(pk=case.pk)
    offer = next(o for o in registry.offers(world.clerk, case) if o.name == "supply_waived")
    assert [c.value for c in offer.choices["material_id"]] == [site]
    assert case.materials.get(material_id=site).status == CaseMaterialStatus.WAIVED
