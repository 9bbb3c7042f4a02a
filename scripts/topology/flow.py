"""The end-to-end flow through nginx, and the evidence it leaves (a Report of named checks).

1. The supervisor and the window clerk sign in (sessions live in PostgreSQL: any server knows them).
2. The applicant (enterprise `qiye`) submits case A through the API with a token and an
   Idempotency-Key; the same request again answers the same case (on another server).
3. The clerk accepts A on its case page, and takes case B at the window form
   (营业性演出审批 for the same enterprise).
4. The departments approve their parallel reviews and the decision through the API; the clerk
   concludes both cases; the applicant's public progress query shows them concluded.
5. The supervisor's dashboard is answered from the replica (X-Onewindow-Read-DB: replica) and, once
   the replica has replayed the primary's WAL, counts the new cases; the clerk, who has just written,
   is kept on the primary.
6. (With Celery) the worker delivered the applicants' notifications, stored today's daily snapshot
   and built this month's report — all through the Redis broker.
7. One app server is SIGKILLed; another case goes through the whole flow via nginx, which passes the
   requests the dead server refuses to the live ones.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from .client import Api, Browser, FlowError, Journal, forms_of

ITEM_CODE = "114506810076011160-010020000000-00"  # 户外广告设施设置审批: cgj and zrzy review in parallel
# 营业性演出审批 (dx-whl): every material is handed in at the window. (The item above also asks for the
# business licence as an e-certificate, which a freshly initialised database holds for nobody: the
# window would have to ask for a supplement.)
WINDOW_ITEM_CODE = "11450681007601124T-010020000000-00"
PASSWORD = "demo-pass-2026"  # the demo accounts' published password (ops.bootstrap.DEMO_PASSWORD)
APPROVER_OF = {"dx-cgj": "approver.cgj", "dx-zrzy": "approver.zrzy", "dx-whl": "approver.whl"}
TOKEN_ACCOUNTS = ["qiye", "clerk", *APPROVER_OF.values()]


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, bool(ok), detail))
        return bool(ok)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]


def _expect(answer, *statuses: int, what: str):
    if answer.status not in statuses:
        text = answer.text
        if "<html" in text[:200]:  # a page: the words of its main part, not its markup
            main = text[text.find("<main"):] if "<main" in text else text
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).strip()
        raise FlowError(f"{what}: {answer.method} {answer.path} -> {answer.status} {text[:1500]}")
    return answer


class Flow:
    def __init__(self, base_url: str, prepared: dict, journal: Journal | None = None):
        self.base, self.materials = base_url, prepared["materials"]
        self.window_applicant = prepared["window_applicant"]
        tokens = prepared["tokens"]
        self.journal = journal or Journal()
        self.api = {name: Api(base_url, self.journal, token) for name, token in tokens.items()}
        self.public = Api(base_url, self.journal, token="")
        self.supervisor = Browser(base_url, self.journal)
        self.clerk = Browser(base_url, self.journal)
        self.cases: list[dict] = []  # {"number", "query_code", "channel"}

    # -- the steps ---------------------------------------------------------------------------------

    def sign_in(self) -> None:
        self.supervisor.sign_in("supervisor", PASSWORD)
        self.clerk.sign_in("clerk", PASSWORD)

    def submit_by_api(self, report: Report, *, label: str) -> str:
        key = f"topology-{uuid.uuid4()}"
        body = {"item": ITEM_CODE, "channel": "online", "provided_material_ids": self.materials,
                "form_data": {"设置地点": "东兴市北仑大道 88 号", "topology": label}}
        first = _expect(self.api["qiye"].call("POST", "/cases", body, key=key), 201, what="API submission")
        again = self.api["qiye"].call("POST", "/cases", body, key=key)
        number = first.json()["number"]
        report.check(f"{label}: a repeated submission (same Idempotency-Key) answers the same case",
                     again.status == 200 and again.json().get("number") == number,
                     f"{number}: first on {first.server}, repeat on {again.server} -> {again.status}")
        self.cases.append({"number": number, "query_code": first.json()["query_code"], "channel": "api"})
        return number

    def accept_on_case_page(self, number: str) -> None:
        page = self.clerk.get(f"/staff/cases/{number}/")
        _expect(page, 200, what="the clerk's case page")
        form = next((f for f in forms_of(page.text) if f["action"].endswith("/actions/accept/")), None)
        if form is None:
            raise FlowError(f"the case page of {number} offers the clerk no accept form")
        _expect(self.clerk.post_form(form["action"], form["fields"]), 302, what="accepting on the case page")

    def intake_at_window(self) -> str:
        _page, form = self.clerk.form_on(f"/staff/intake/?item={WINDOW_ITEM_CODE}", having="decision")
        kind, id_number = self.window_applicant
        fields = {**form["fields"], "applicant_kind": kind, "applicant_id_number": id_number, "decision": "accept",
                  "channel": "window"}
        answer = _expect(self.clerk.post_form("/staff/intake/", fields), 302, what="the window intake form")
        match = re.search(r"/staff/cases/([^/]+)/intake/", answer.headers.get("location", ""))
        if not match:
            raise FlowError(f"the window intake did not lead to the intake result: {answer.headers.get('location')}")
        number = match.group(1)
        case = _expect(self.api["clerk"].call("GET", f"/cases/{number}"), 200, what="the window case by API").json()
        self.cases.append({"number": number, "query_code": case["query_code"], "channel": "window"})
        return number

    def approve_all(self, number: str) -> dict:
        """Each open task approved by its department's approver (parallel reviews, then the decision),
        until the case is approved. Bounded: a few rounds at most."""
        for _round in range(6):
            case = _expect(self.api["clerk"].call("GET", f"/cases/{number}"), 200, what="reading the case").json()
            open_tasks = [t for t in case["tasks"] if t["state"] == "open"]
            if case["state"] != "in_progress" or not open_tasks:
                return case
            for task in open_tasks:
                approver = APPROVER_OF.get(task["department"])
                if approver is None:
                    raise FlowError(f"{number}: no approver account for {task['department']}")
                _expect(self.api[approver].call("POST", f"/cases/{number}/actions",
                                                {"action": "approve", "params": {"task_id": task["id"],
                                                                                 "opinion": "同意"}}),
                        200, what=f"{approver} approving task {task['id']}")
        raise FlowError(f"{number} still in progress after six rounds of approvals")

    def conclude(self, number: str) -> None:
        _expect(self.api["clerk"].call("POST", f"/cases/{number}/actions",
                                       {"action": "conclude", "params": {"delivery_method": "electronic"}}),
                200, what="concluding")

    def progress(self, case: dict) -> dict:
        answer = self.public.call("GET", f"/progress/{case['number']}?query_code={case['query_code']}")
        return _expect(answer, 200, what="the applicant's progress query").json()

    def whole_case(self, report: Report, *, label: str, window: bool) -> str:
        number = self.intake_at_window() if window else self.submit_by_api(report, label=label)
        if not window:
            self.accept_on_case_page(number)
        approved = self.approve_all(number)
        report.check(f"{label}: the departments' approvals made the case approved", approved["state"] == "approved",
                     f"{number}: {approved['state']}")
        self.conclude(number)
        progress = self.progress(next(c for c in self.cases if c["number"] == number))
        report.check(f"{label}: the applicant's progress query shows it concluded", progress["state"] == "concluded",
                     f"{number}: {progress['state']} — {progress.get('summary', '')}")
        return number

    def dashboard(self, browser: Browser):
        answer = _expect(browser.get("/staff/dashboard/"), 200, what="the dashboard")
        counts = {name: int(value) for name, value in re.findall(r'data-count="(\w+)">(\d+)<', answer.text)}
        return answer, counts
