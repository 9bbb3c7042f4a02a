"""The permission matrix: every role against every page and API endpoint, on their own objects and on
others'. Pages are enumerated from the URL resolver and API operations from the OpenAPI document, so a
new endpoint fails `test_every_*_has_an_expectation` until someone states who may use it.

Outcomes: 200; 302 to the sign-in page; 401 (API without credentials); 403 ("this page is for
applicants"); 404 (a stranger's case is not there at all — existence is never revealed)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from onewindow.api.auth import create_token
from onewindow.catalog.models import Bundle, BundleItem, LifeEvent
from tests.cases.factories import snapshot

from .conftest import APPLICANTS, ROLES, SEES, STAFF, Matrix, build_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_progress_throttle(settings):
    # Every role asks every public progress door (cases' and projects', pages and API) within the
    # minute: the shared per-address budget is tested on its own (tests/security), not here.
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "progress": "off"}

LOGIN = "login"  # 302 to settings.LOGIN_URL (the staff sign-in)
APPLICANT_LOGIN = "applicant_login"  # 302 to the applicants' own sign-in on the public site
MY_CASES = "my_cases"  # 302 to the applicant's own cases
CLERKS = {"clerk", "other_clerk"}
DEPARTMENT_STAFF = {"approver_x", "approver_y", "chief"}
CASE_LIST_STAFF = {"clerk", "other_clerk", "agent", "supervisor", "administrator"}
REPORT_STAFF = {"clerk", "other_clerk", "agent", "supervisor", "administrator"}  # staff of a centre, overseers
DASHBOARD_STAFF = CLERKS | DEPARTMENT_STAFF | {"supervisor", "administrator"}  # counts scoped like the case list
PUBLIC_PAGES = {
    "portal:home", "portal:item_list", "portal:item_detail", "portal:item_notice_pdf", "portal:bundle_list",
    "portal:bundle_detail", "portal:department_list", "portal:life_event_detail", "portal:announcement_list",
    "portal:reform", "portal_cases:track", "portal_cases:certificate_verify", "workbench:login",
    "portal_account:login", "portal_account:register",
    "api:openapi-json", "api:openapi-view",
    "portal_hall:halls", "portal_hall:hall", "portal_hall:screen", "portal_projects:progress",
    "portal_complaints:file", "portal_complaints:track",
    "open311:index", "open311:discovery", "open311:services", "open311:service", "open311:requests",
    "open311:updates", "portal_ratings:statistics",
}
COMPLAINT_OFFICE = {"supervisor", "administrator"}
HALL_CLERKS = {"clerk"}  # window clerks of the centre with a hall (other_clerk's centre runs none)
KIOSK_STAFF = {"clerk", "agent"}
OVERSEERS = {"supervisor", "administrator"}  # the efficiency office (supervision, appraisal, reform)
RATINGS_OFFICE = {"supervisor"}  # ratings.access.OFFICE_ROLES: the administrator is not the ratings office
HEADS = {"chief"}
RECTIFICATION_STAFF = CLERKS | DEPARTMENT_STAFF | {"supervisor"}  # the responsible units and the ratings office  # department heads (delegations)  # the kiosk is signed in with a clerk's or agent's account of the centre


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
            yield prefix + str(pattern.pattern), name, pattern


def page_routes() -> list[tuple[str, str, list[str]]]:
    """(route, name, parameter names) of every page, without the admin site (tested on its own) and the
    API operations (enumerated from the OpenAPI document instead)."""
    routes = []
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        if route.startswith("api/") and name not in ("api:openapi-json", "api:openapi-view", "api:api-root"):
            continue
        routes.append((route, name, sorted(pattern.pattern.regex.groupindex)))
    return routes


def expected_page(name: str, role: str, target: str | None) -> set[int] | str:
    anonymous = role == "anonymous"
    if name in PUBLIC_PAGES:
        return {200}
    if name == "set_language":
        return {302}  # GET only redirects back; the switch itself is a POST
    if name == "switch_language":
        return {302}  # sets the visitor's own language cookie and goes back
    if name == "api:api-root":
        return {404}
    if name in ("workbench:logout", "portal_account:logout"):
        return {405}  # sign-out is a POST (Django 5), so a link or an <img> cannot sign anyone out
    if name == "portal_account:resend":
        return {405}  # sends a text message: never by GET
    if name == "portal_account:confirm":
        return {302}  # no registration pending in this session: back to the form
    if name == "portal_cases:certificate":
        return {404}  # an unknown certificate number
    if name == "open311:request":
        return {404}  # no such service request
    if name == "portal:material_file":
        return {404}  # public downloads of blank forms and samples; the test item has none stored
    if name in ("portal_ratings:rate", "portal_appraisal:appraisal"):
        return {404}  # public, by a rating link's token / a survey's code; the matrix holds neither
    if name == "portal_cases:track_notice":
        return {404}  # without number and query code
    if name in ("portal_cases:apply", "portal_cases:apply_bundle", "portal_cases:my_cases",
                "portal_cases:my_notifications"):
        return APPLICANT_LOGIN if anonymous else {200} if role in APPLICANTS else {403}
    if name in ("portal_hall:book", "portal_hall:my_appointments"):
        return APPLICANT_LOGIN if anonymous else {200} if role in APPLICANTS else {403}
    if name == "portal_hall:my_appointment":
        return APPLICANT_LOGIN if anonymous else {404} if role in APPLICANTS else {403}  # an unknown code
    if name == "portal_hall:cancel":
        return {405}  # a POST only
    if name in ("portal_cases:my_case", "portal_cases:withdraw"):
        if anonymous:
            return APPLICANT_LOGIN
        if role in APPLICANTS:
            return {200} if role in SEES[target] else {404}
        return {403}
    if name == "portal_cases:my_case_notice":
        if anonymous:
            return APPLICANT_LOGIN
        # the applicant's own case only; staff print notices from the workbench (a PDF has no "for
        # applicants" page to show, so they get 404 like a stranger)
        return {200} if role in APPLICANTS and role in SEES[target] else {404}
    # Staff pages: anonymous visitors sign in; applicants and the wrong roles find nothing there.
    if anonymous:
        return LOGIN
    if name == "workbench:home" and role in APPLICANTS:
        return MY_CASES  # an applicant who signs in at the staff door is sent to their own cases
    if role in APPLICANTS:
        return {404}
    if name == "workbench:home":
        return {200}
    if name in ("workbench:intake", "workbench:intake_items", "workbench:intake_applicant"):
        return {200} if role in CLERKS else {404}
    if name == "workbench:intake_checklist":
        return {302} if role in CLERKS else {404}  # an htmx fragment: a plain GET goes to the whole page
    if name == "workbench:inbox":
        return {200} if role in DEPARTMENT_STAFF else {404}
    if name == "workbench:case_list":
        return {200} if role in CASE_LIST_STAFF else {404}
    if name == "workbench:reports":
        return {200} if role in REPORT_STAFF else {404}
    if name == "workbench:report_file":
        return {404}  # no such report (who may download one: tests/jobs/test_report_pages.py)
    if name == "workbench:dashboard":
        return {200} if role in DASHBOARD_STAFF else {404}
    if name in ("workbench:case_detail", "workbench:intake_result", "workbench:case_notice"):
        return {200} if role in SEES[target] else {404}
    if name == "workbench:catalog_drafts":
        return {200} if role == "administrator" else {404}  # the catalog manager's review queue
    if name == "workbench:catalog_draft":
        return {404}  # the test item is published, so it has no draft page (tests/workbench/test_catalog_drafts.py)
    if name in ("workbench:case_action", "workbench:case_assign_agent"):
        return {404, 405}  # never by GET (the POST is checked against the case in the services)
    if name == "workbench:hall_calling":
        return {200} if role in HALL_CLERKS else {404}
    if name == "workbench:hall_kiosk":
        return {200} if role in KIOSK_STAFF else {404}
    if name == "workbench:hall_window_action":
        return {405}  # a POST only (checked against the clerk's centre)
    if name == "workbench:hall_ticket":
        return {404}  # no such ticket (who may see one: tests/hall/test_pages.py)
    if name in ("workbench:complaint_register", "workbench:complaint_suggestions", "workbench:complaint_metrics",
                "workbench:complaint_limits"):
        return {200} if role in COMPLAINT_OFFICE else {404}
    if name == "workbench:complaint_list":
        return {200} if role in COMPLAINT_OFFICE | DEPARTMENT_STAFF else {404}
    if name == "workbench:complaint_queue":
        return {200} if role in DEPARTMENT_STAFF else {404}
    if name == "workbench:complaint_detail":
        return {404}  # no such work order (who may see one: tests/complaints/test_pages.py)
    if name == "workbench:complaint_action":
        return {404, 405}  # never by GET
    if name == "workbench:project_list":
        return {200} if role in CASE_LIST_STAFF else {404}  # who sees which project: tests/projects/
    if name == "workbench:my_projects":
        return {200} if role == "agent" else {404}  # the coordinator's (帮办) key projects
    if name == "workbench:project_detail":
        return {404}  # no such project (who may see one: tests/projects/test_pages.py)
    if name in ("workbench:project_action", "workbench:project_coordinator"):
        return {404, 405}  # never by GET
    if name == "workbench:case_material_file":
        return {404}  # no such material row (who may open one, and the audit of it: tests/cases/)
    if name == "workbench:delegations":
        return {404}  # a department head's (部门负责人) page; no matrix role heads one (chief is 首席代表)
    if name in ("workbench:delegation_revoke", "workbench:rectification_action", "workbench:survey_problem_done",
                "workbench:supervision_urging_action", "workbench:supervision_rectification_action",
                "workbench:appraisal_close"):
        return {405}  # a POST only (the object and the role are checked behind it)
    if name in ("workbench:supervision_review_denial", "workbench:supervision_issue_notice"):
        return {405} if role in OVERSEERS else {404}  # the office only, and a POST only
    if name == "workbench:rectifications":
        return {200} if role in RECTIFICATION_STAFF else {404}
    if name == "workbench:rating_pad":
        return {200} if role in HALL_CLERKS else {404}  # a window clerk of a centre with windows
    if name == "workbench:rating_figures":
        return {200} if role in OVERSEERS else {404}
    if name == "workbench:surveys":
        return {200} if role in RATINGS_OFFICE else {404}
    if name in ("workbench:rectification", "workbench:survey", "workbench:supervision_urge",
                "workbench:supervision_urging", "workbench:supervision_inspection", "workbench:supervision_notice_pdf",
                "workbench:supervision_inspection_photo", "workbench:appraisal_subject", "workbench:appraisal_cases"):
        return {404}  # no such object (who may see one: the app's own page tests)
    if name in ("workbench:supervision_board", "workbench:supervision_cases", "workbench:supervision_denials",
                "workbench:supervision_inspections", "workbench:supervision_inspection_new",
                "workbench:supervision_accountability", "workbench:reform", "workbench:appraisal",
                "workbench:appraisal_export"):
        return {200} if role in OVERSEERS else {404}
    if name == "workbench:appraisal_weights":
        return {400} if role in OVERSEERS else {404}  # the office is told the period is missing (?period=)
    if name == "workbench:supervision_urgings":
        return {200} if role in OVERSEERS | DEPARTMENT_STAFF else {404}  # a unit sees the urgings sent to it
    raise KeyError(name)


def _page_kwargs(m: Matrix, name: str, params: list[str], target: str | None, extra: dict) -> dict:
    case = {"A": m.case_a, "B": m.case_b}.get(target)
    values = {}
    for param in params:
        if name.startswith("open311:") and param in ("fmt", "code"):
            values[param] = "json" if param == "fmt" else "complaint"
            continue
        if param in ("pk", "row_id", "delegation_id", "target_id", "photo_id", "subject_id"):
            values[param] = 999999  # no such object
        elif param == "year":
            values[param] = 2026
        elif param == "token":
            values[param] = "no-such-token"
        elif param == "kind" and name == "workbench:supervision_urge":
            values[param] = "case"
        elif param == "key":
            values[param] = "2026"
        elif param == "by":
            values[param] = "department"
        elif param == "code" and name == "portal_appraisal:appraisal":
            values[param] = "no-such-survey"
        elif param == "code" and name == "workbench:appraisal_cases":
            values[param] = "legal_time_used"
        elif param == "number":
            values[param] = case.number if name != "portal_cases:certificate" else "DX-NO-SUCH-CERT"
        elif param == "item_code":
            values[param] = m.world.licence.code
        elif param == "code" and name in ("portal_hall:hall", "portal_hall:screen"):
            values[param] = m.world.centre.code
        elif param == "code" and name.startswith("portal_hall:"):
            values[param] = "NOSUCH23"  # an appointment code nobody holds
        elif param in ("window_id", "ticket_id"):
            values[param] = m.world.centre.windows.first().pk if param == "window_id" else 999999
        elif param == "code":
            values[param] = extra["bundle"].code if "bundle" in name else (
                extra["life_event"].code if "life_event" in name else m.world.licence.code)
        elif param == "kind":
            values[param] = "blank_form" if name == "portal:material_file" else "acceptance"
        elif param == "material_id":
            values[param] = m.world.licence.materials.order_by("id").first().pk
        elif param == "action":
            values[param] = "call" if name.startswith("workbench:hall") else "approve"
        elif param == "fmt" and name.startswith("open311:"):
            values[param] = "json"
        elif param == "code" and name.startswith("open311:"):
            values[param] = "complaint"
        elif param == "request_id":
            values[param] = "TS000"
        elif param == "report_id":
            values[param] = 999999
        elif param == "fmt":
            values[param] = "pdf"
        else:
            raise KeyError(f"{name}: no test value for URL parameter {param!r}")
    return values


def _catalog_extras(m: Matrix) -> dict:
    from onewindow.hall.services import set_up_hall

    set_up_hall(centre=m.world.centre)  # the clerk's centre runs a hall; the other clerk's does not
    life_event = LifeEvent.objects.create(code="kaiban", name="开办企业", audience="enterprise")
    bundle = Bundle.objects.create(code="kaiban-geti", name="开个体工商户", life_event=life_event)
    BundleItem.objects.create(bundle=bundle, item=m.world.licence, order=1)
    m.world.licence.life_events.add(life_event)
    return {"life_event": life_event, "bundle": bundle}


def _client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_every_page_has_an_expectation():
    unknown = []
    for _route, name, _params in page_routes():
        for role in ROLES:
            try:
                expected_page(name, role, "A")
            except KeyError:
                unknown.append(name)
                break
    assert not unknown, f"new pages without a row in the permission matrix: {unknown}"


def test_pages_answer_every_role_as_the_matrix_says():
    m = build_matrix()
    extras = _catalog_extras(m)
    login_url = reverse(settings.LOGIN_URL)
    before = snapshot()
    failures = []
    for role in ROLES:
        client = _client_for(m.user(role))
        for _route, name, params in page_routes():
            targets = ["A", "B"] if "number" in params and name != "portal_cases:certificate" else [None]
            for target in targets:
                url = reverse(name, kwargs=_page_kwargs(m, name, params, target, extras))
                response = client.get(url)
                expected = expected_page(name, role, target)
                if expected == LOGIN:
                    ok = response.status_code == 302 and response["Location"].startswith(login_url)
                elif expected == APPLICANT_LOGIN:
                    ok = response.status_code == 302 and response["Location"].startswith(
                        reverse("portal_account:login") + "?next=")
                elif expected == MY_CASES:
                    ok = response.status_code == 302 and response["Location"] == reverse("portal_cases:my_cases")
                else:
                    ok = response.status_code in expected
                if not ok:
                    failures.append(f"{role:13} GET {url} ({target or '-'}): {response.status_code}, expected {expected}")
                if target and role not in SEES[target] and response.status_code == 200:
                    failures.append(f"{role} read {target}'s case at {url}")
                owner = (m.case_a if target == "A" else m.case_b).applicant.name if target else None
                if owner and role not in SEES[target] and owner.encode() in response.content:
                    failures.append(f"{role} saw the applicant's name of case {target} at {url}")
    assert not failures, "\n".join(failures)
    assert snapshot() == before  # reading never writes


# -- API ------------------------------------------------------------------------------------------------

def api_operations(client: Client) -> list[tuple[str, str, dict]]:
    schema = client.get("/api/v1/openapi.json").json()
    return [(method.upper(), path, operation) for path, methods in schema["paths"].items()
            for method, operation in methods.items()]


PUBLIC_API = {
    ("GET", "/api/v1/items"), ("GET", "/api/v1/items/{code}"), ("GET", "/api/v1/items/{code}/notice"),
    ("GET", "/api/v1/bundles"), ("GET", "/api/v1/bundles/{code}"), ("GET", "/api/v1/workdays/add"),
    ("GET", "/api/v1/workdays/between"), ("GET", "/api/v1/progress/{number}"),
    ("GET", "/api/v1/certificates/{number}"), ("GET", "/api/v1/ratings/statistics"),
}


def expected_api(method: str, path: str, role: str, target: str | None) -> set[int]:
    if (method, path) in PUBLIC_API:
        return {200}
    if (method, path) in (("POST", "/api/v1/complaints"), ("POST", "/api/v1/complaints/track/{number}/rating")):
        return {422, 429}  # public; the matrix's body breaks the schema (429 once the public budget is spent)
    if (method, path) == ("GET", "/api/v1/complaints/track/{number}"):
        return {404, 429}  # public; a case number is no work order
    if role == "anonymous" and path.startswith("/api/v1/complaints"):
        return {401}
    if (method, path) == ("GET", "/api/v1/complaints"):
        return {200}
    if path.startswith("/api/v1/complaints/{number}"):
        return {404, 422}  # no work order has a case's number (who sees one: tests/complaints/test_api.py)
    if (method, path) == ("GET", "/api/v1/projects/progress/{code}"):
        return {404}  # public, by number and query code; the matrix names no project (tests/projects/)
    if role == "anonymous":
        return {401}
    if (method, path) in (("POST", "/api/v1/cases"), ("POST", "/api/v1/bundles/{code}/applications")):
        return {422}  # signed in, but the body does not match the schema
    if (method, path) in (("GET", "/api/v1/cases"), ("GET", "/api/v1/tasks")):
        return {200}
    if (method, path) == ("GET", "/api/v1/cases/{number}"):
        return {200} if role in SEES[target] else {404}
    if (method, path) == ("GET", "/api/v1/cases/{number}/actions"):
        return {200} if role in SEES[target] else {404}
    if (method, path) == ("POST", "/api/v1/cases/{number}/actions"):
        # A stranger learns nothing (404) before any rule is checked; a viewer is told why the empty
        # denial cannot be done (no reason, not their task, not in this state).
        return {400, 403, 409, 422} if role in SEES[target] else {404}
    if (method, path) in (("GET", "/api/v1/projects"), ("GET", "/api/v1/projects/board")):
        return {200}  # each sees the projects of their own scope (tests/projects/test_api.py)
    if (method, path) == ("POST", "/api/v1/projects"):
        return {422}  # the body does not match the schema
    if (method, path) == ("GET", "/api/v1/projects/measured"):
        return {200} if role in ("supervisor", "administrator") else {403}
    if (method, path) in (("GET", "/api/v1/projects/{code}"), ("GET", "/api/v1/projects/{code}/actions")):
        return {404}  # no such project
    if (method, path) == ("POST", "/api/v1/projects/{code}/actions"):
        return {404, 422}  # no such project; the cases' denial is no project action
    if (method, path) == ("GET", "/api/v1/rectifications"):
        return {200}  # each sees the rectifications of their own unit, the office all (tests/ratings/)
    if path == "/api/v1/rectifications/{pk}/actions":
        return {404} if method == "GET" else {404, 422}  # no such rectification; the denial is no rectification action
    if (method, path) == ("GET", "/api/v1/appraisal/{period}"):
        return {200} if role in OVERSEERS else {403}
    raise KeyError((method, path))


def _api_call(m: Matrix, extras: dict, method: str, path: str, operation: dict, target: str | None):
    case = {"A": m.case_a, "B": m.case_b}.get(target)
    url = path
    if "{number}" in path:
        url = url.replace("{number}", case.number)
    if "{code}" in path:
        url = url.replace("{code}", extras["bundle"].code if path.startswith("/api/v1/bundles") else
                          m.world.licence.code)
    url = url.replace("{pk}", "999999").replace("{period}", "2026")
    query = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "query" or not parameter.get("required"):
            continue
        query[parameter["name"]] = {"query_code": case.query_code if case else "", "date": "2026-09-30",
                                    "days": "5", "start": "2026-09-30", "end": "2026-10-12"}.get(parameter["name"], "1")
    if path.endswith("/workdays/add"):
        query = {"date": "2026-09-30", "days": "5"}
    if path.endswith("/workdays/between"):
        query = {"start": "2026-09-30", "end": "2026-10-12"}
    body = None
    if method == "POST":
        # Submissions get a body that breaks the schema (the matrix checks the door, not the rules,
        # and must not create cases); actions get a denial without a reason.
        body = ({"action": "deny", "params": {"task_id": case.tasks.order_by("id").last().pk, "reason": ""}}
                if path.endswith("/actions") and case is not None
                else {"action": "deny", "params": {}} if path.endswith("/actions")
                else {"provided_material_ids": "not-a-list"})
    return url, query, body


def test_every_api_operation_has_an_expectation(client):
    unknown = []
    for method, path, _operation in api_operations(client):
        try:
            expected_api(method, path, "clerk", "A")
        except KeyError:
            unknown.append(f"{method} {path}")
    assert not unknown, f"new API operations without a row in the permission matrix: {unknown}"


def test_api_answers_every_role_as_the_matrix_says():
    m = build_matrix()
    extras = _catalog_extras(m)
    tokens = {role: create_token(user=user, name="matrix").raw for role, user in m.users.items() if user}
    before = snapshot()
    failures = []
    client = Client()
    for method, path, operation in api_operations(client):
        targets = ["A", "B"] if "{number}" in path and "/progress/" not in path else (
            ["A"] if "/progress/" in path else [None])
        for role in ROLES:
            headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"} if role in tokens else {}
            for target in targets:
                url, query, body = _api_call(m, extras, method, path, operation, target)
                if method == "GET":
                    response = client.get(url, query, **headers)
                else:
                    response = client.generic(method, url, data=json.dumps(body),
                                              content_type="application/json", **headers)
                expected = expected_api(method, path, role, target)
                if response.status_code not in expected:
                    failures.append(f"{role:13} {method} {url} ({target or '-'}): {response.status_code} "
                                    f"{response.content[:160]!r}, expected {expected}")
                if response.status_code >= 400:
                    assert response["Content-Type"].startswith("application/json"), url
                owner = (m.case_a if target == "A" else m.case_b).applicant.name if target else None
                if owner and role not in SEES[target] and "/progress/" not in path and owner.encode() in response.content:
                    failures.append(f"{role} saw the applicant's name of case {target} at {method} {url}")
    assert not failures, "\n".join(failures)
    assert snapshot() == before


def test_case_lists_hold_only_what_each_role_may_see():
    m = build_matrix()
    numbers = {"A": m.case_a.number, "B": m.case_b.number}
    for role in ROLES[1:]:
        token = create_token(user=m.user(role)).raw
        response = Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}")
        listed = {row["number"] for row in response.json()["results"]}
        expected = {numbers[t] for t in ("A", "B") if role in SEES[t]}
        assert listed == expected, role
        if role in STAFF and role in CASE_LIST_STAFF:
            page = _client_for(m.user(role)).get(reverse("workbench:case_list"))
            text = page.content.decode()
            for target, number in numbers.items():
                assert (number in text) == (role in SEES[target]), (role, target)
