"""What the fault suite's clients do over HTTP (submit with an Idempotency-Key, accept, approve), what
they were told (the ledger), and the check that compares the ledger with what the database holds."""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from .live import APPLICANT, APPROVERS, CLERK, ITEM_CODE, FaultDatabase, NoAnswer, connect, request

ACKNOWLEDGED_SUBMIT = (200, 201)
REVIEW_KINDS = ("review", "decision")


@dataclass
class Op:
    kind: str  # submit | accept | approve
    key: str = ""  # submit: the idempotency key
    number: str = ""  # accept / approve: the case
    actor: str = ""  # approve: the approver's username
    stage: str = "review"  # approve: which of the approver's tasks (review or decision)


@dataclass
class Ledger:
    """What the clients were told. Thread-safe."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    submitted: dict[str, str] = field(default_factory=dict)  # idempotency key -> case number (a 200/201)
    created: int = 0  # 201s
    accepted: set[str] = field(default_factory=set)  # numbers whose acceptance was acknowledged
    approvals: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # number -> approvers
    task_ids: dict[str, dict[tuple[str, str], int]] = field(default_factory=dict)  # number -> (dept, kind) -> id
    unanswered: list[tuple[Op, str]] = field(default_factory=list)  # no answer, or a 5xx: retry later
    unexpected: list[tuple[Op, int, object]] = field(default_factory=list)  # answers that are bugs
    timeouts: list[Op] = field(default_factory=list)
    in_flight: int = 0

    def acks(self) -> int:
        with self.lock:
            return len(self.submitted) + len(self.accepted) + sum(len(v) for v in self.approvals.values())


class Client:
    """One client of the API, calling as the applicant, the window clerk and the two approvers."""

    def __init__(self, db: FaultDatabase, ledger: Ledger, *, port: int, timeout: float = 10.0):
        self.db, self.ledger, self.port, self.timeout = db, ledger, port, timeout

    def body(self, key: str) -> dict:
        return {"item": ITEM_CODE, "channel": "online", "provided_material_ids": self.db.materials,
                "form_data": {"client_key": key, "设置地点": "东兴市北仑大道 88 号"}}

    def _call(self, op: Op, method: str, path: str, *, token: str, body=None, key: str | None = None):
        ledger = self.ledger
        with ledger.lock:
            ledger.in_flight += 1
        try:
            answer = request(self.port, method, path, body=body, token=token, idempotency_key=key,
                             timeout=self.timeout)
        except NoAnswer as exc:
            with ledger.lock:
                ledger.unanswered.append((op, str(exc)))
                if exc.timed_out:
                    ledger.timeouts.append(op)
            return None
        finally:
            with ledger.lock:
                ledger.in_flight -= 1
        if answer.status >= 500:
            with ledger.lock:
                ledger.unanswered.append((op, f"HTTP {answer.status}"))
            return None
        return answer

    def run(self, op: Op, *, retry: bool = False) -> bool:
        """Perform `op`; True when it was acknowledged. On a retry, 409 for accept/approve means the
        first attempt did commit (the case or task moved on): also acknowledged, the database check
        confirms it."""
        if op.kind == "submit":
            answer = self._call(op, "POST", "/api/v1/cases", token=self.db.tokens[APPLICANT], body=self.body(op.key),
                                key=op.key)
            if answer is None:
                return False
            if answer.status in ACKNOWLEDGED_SUBMIT and isinstance(answer.body, dict):
                with self.ledger.lock:
                    previous = self.ledger.submitted.setdefault(op.key, answer.body["number"])
                    self.ledger.created += answer.status == 201
                if previous != answer.body["number"]:
                    self._unexpected(op, answer.status, f"key answered {previous} then {answer.body['number']}")
                return True
        else:
            actor = CLERK if op.kind == "accept" else op.actor
            params = {}
            if op.kind == "approve":
                # Name the task, as the workbench does: a repeated press then meets "already approved"
                # (409) instead of acting on whatever task of the approver happens to be open next.
                task_id = self._task_id(op)
                if task_id is None:
                    return False
                params["task_id"] = task_id
            answer = self._call(op, "POST", f"/api/v1/cases/{op.number}/actions", token=self.db.tokens[actor],
                                body={"action": op.kind, "params": params})
            if answer is None:
                return False
            if answer.status == 200 and op.kind == "accept":
                self._remember_tasks(op.number, answer.body)
            if answer.status == 200 or (retry and answer.status == 409):
                with self.ledger.lock:
                    if op.kind == "accept":
                        self.ledger.accepted.add(op.number)
                    elif answer.status == 200:
                        self.ledger.approvals[op.number].append(op.actor)
                return True
        self._unexpected(op, answer.status, answer.body)
        return False

    def _remember_tasks(self, number: str, case: dict) -> None:
        with self.ledger.lock:
            self.ledger.task_ids[number] = {(t["department"], t["kind"]): t["id"] for t in case["tasks"]}

    def _task_id(self, op: Op) -> int | None:
        if op.number not in self.ledger.task_ids:  # e.g. the acceptance was answered only on a retry (409)
            answer = self._call(op, "GET", f"/api/v1/cases/{op.number}", token=self.db.tokens[CLERK])
            if answer is None:
                return None
            if answer.status != 200:
                self._unexpected(op, answer.status, answer.body)
                return None
            self._remember_tasks(op.number, answer.body)
        task_id = self.ledger.task_ids[op.number].get((APPROVERS[op.actor], op.stage))
        if task_id is None:
            self._unexpected(op, 0, f"the case has no {op.stage} task of {APPROVERS[op.actor]}")
        return task_id

    def _unexpected(self, op: Op, status: int, body) -> None:
        with self.ledger.lock:
            self.ledger.unexpected.append((op, status, body))

    def case_flow(self, key: str, *, decide: bool) -> list[Op]:
        """Submit, accept, both parallel reviews, and (when `decide`) the decision. Stops at the first
        operation without an acknowledgement and returns it (to retry), with the ones after it."""
        ops = [Op("submit", key=key)]
        if not self.run(ops[0]):
            return ops
        number = self.ledger.submitted[key]
        rest = [Op("accept", number=number), *(Op("approve", number=number, actor=a) for a in APPROVERS)]
        if decide:
            rest.append(Op("approve", number=number, actor="approver.cgj", stage="decision"))
        for i, op in enumerate(rest):
            if not self.run(op):
                return rest[i:]
        return []


def check_database(db: FaultDatabase, ledger: Ledger, *, keys: set[str]) -> list[str]:
    """Compare what clients were told with what the database holds. Every problem is one line."""
    problems: list[str] = []
    with connect(db.name) as conn:
        q = conn.execute
        cases = {number: (pk, state, item_id) for pk, number, state, item_id in
                 q("SELECT id, number, state, item_id FROM cases_case").fetchall()}
        by_pk = {pk: number for number, (pk, _s, _i) in cases.items()}
        records = {key: case_id for key, case_id in
                   q("SELECT key, case_id FROM cases_idempotencyrecord").fetchall()}
        materials = dict(q("SELECT case_id, COUNT(*) FROM cases_casematerial GROUP BY case_id").fetchall())
        expected_materials = dict(q("SELECT item_id, COUNT(*) FROM catalog_material GROUP BY item_id").fetchall())
        stages = dict(q("SELECT item_id, COUNT(*) FROM catalog_stage GROUP BY item_id").fetchall())
        tasks = defaultdict(list)
        for case_id, task_id, state, dept, kind in q(
                "SELECT t.case_id, t.id, t.state, d.code, t.kind FROM cases_task t "
                "JOIN orgs_department d ON d.id = t.department_id").fetchall():
            tasks[case_id].append((task_id, state, dept, kind))
        events = defaultdict(list)
        for key, position, action, data in q(
                "SELECT c.key, e.position, e.action, e.data FROM audit_auditevent e "
                "JOIN audit_auditchain c ON c.id = e.chain_id WHERE c.key LIKE 'case:%' "
                "ORDER BY c.key, e.position").fetchall():
            events[key.removeprefix("case:")].append((position, action, data))

    # Every acknowledged submission is there, under its key, as the case the client was told.
    for key, number in ledger.submitted.items():
        if number not in cases:
            problems.append(f"acknowledged case {number} (key {key}) is missing")
        elif by_pk.get(records.get(key)) != number:
            problems.append(f"key {key}: client was told {number}, the key's record points to "
                            f"{by_pk.get(records.get(key))}")
    for key in sorted(keys - set(ledger.submitted)):
        problems.append(f"key {key} was never acknowledged, even after retries")
    # One case per key, and no case without a key (every submission in this database used one).
    if len(cases) != len(records):
        problems.append(f"{len(cases)} cases but {len(records)} idempotency keys: a duplicate or an orphan case")
    unkeyed = set(by_pk) - set(records.values())
    problems += [f"case {by_pk[pk]} has no idempotency record" for pk in sorted(unkeyed)]

    for number, (pk, state, item_id) in cases.items():
        trail = events.get(number, [])
        actions = [a for _p, a, _d in trail]
        if not trail or actions[0] != "onewindow.case.submitted":
            problems.append(f"case {number} has no submission event: half-written")
        if materials.get(pk, 0) != expected_materials.get(item_id, 0):
            problems.append(f"case {number} has {materials.get(pk, 0)} materials, its item lists "
                            f"{expected_materials.get(item_id, 0)}: half-written")
        accepted_events = actions.count("onewindow.case.accepted")
        if state == "submitted":
            if accepted_events or tasks.get(pk):
                problems.append(f"case {number} is submitted but has tasks or an acceptance event")
        else:
            if accepted_events != 1:
                problems.append(f"case {number} ({state}) has {accepted_events} acceptance events")
            if len(tasks.get(pk, [])) != stages.get(item_id, 0):
                problems.append(f"case {number} ({state}) has {len(tasks.get(pk, []))} tasks, "
                                f"its item has {stages.get(item_id, 0)} stages")
        approved_task_events = {(d or {}).get("task") for _p, a, d in trail if a == "onewindow.case.task_approved"}
        for task_id, task_state, dept, kind in tasks.get(pk, []):
            has_event = task_id in approved_task_events
            # Acceptance-stage tasks are approved by the acceptance itself (its event), not one of their own.
            if kind in REVIEW_KINDS and task_state == "approved" and not has_event:
                problems.append(f"case {number}: task {task_id} ({dept}) approved without its audit event")
            if has_event and task_state != "approved":
                problems.append(f"case {number}: task {task_id} has an approval event but is {task_state}")
        if state == "approved" and actions.count("onewindow.case.approved") != 1:
            problems.append(f"case {number} is approved with {actions.count('onewindow.case.approved')} "
                            "approval events")
    for number in ledger.accepted:
        if number in cases and cases[number][1] == "submitted":
            problems.append(f"case {number}: acceptance was acknowledged but the case is still submitted")
    for number, approvers in ledger.approvals.items():
        pk = cases.get(number, (None,))[0]
        with_event = {(d or {}).get("task") for _p, a, d in events.get(number, [])
                      if a == "onewindow.case.task_approved"}
        for approver in set(approvers):
            dept = APPROVERS[approver]
            done = sum(1 for t, s, d, k in tasks.get(pk, [])
                       if d == dept and s == "approved" and k in REVIEW_KINDS and t in with_event)
            if done < approvers.count(approver):
                problems.append(f"case {number}: {approvers.count(approver)} approvals by {approver} "
                                f"acknowledged, {done} in the database")
    return problems
