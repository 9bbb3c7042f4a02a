"""The baseline of bench.bench_workflow: SpiffWorkflow (BPMN engine, pinned in bench/constraints.txt)
running parallel_review.bpmn, the same procedure as the benchmark item, with its state in the same
PostgreSQL database.

Each step is what a web application built on SpiffWorkflow does for one request, in one transaction:
load the case's workflow row (SELECT … FOR UPDATE), restore it with SpiffWorkflow's own JSON
serializer, check the ready user task belongs to the actor's lane, complete it with the actor's
decision as task data and run the engine to the next wait state, serialize the workflow again and
save it (UPDATE), and append one audit row hash-chained like onewindow's (sha256 over the previous
hash and the event). The workflow spec is parsed once per process (not per step), as an application
would cache it. Plain psycopg, no ORM: the leanest database access the baseline could have."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.util.task import TaskState

BPMN = Path(__file__).with_name("parallel_review.bpmn")
PROCESS = "parallel_review"
# step name -> (user task, lane of the actor allowed to complete it, actor)
STEPS = {
    "accept": ("Task_accept", "综合窗口", "clerk"),
    "review_zrzy": ("Task_review_zrzy", "自然资源局", "approver.zrzy"),
    "review_swj": ("Task_review_swj", "税务局", "approver.swj"),
    "review_zjj": ("Task_review_zjj", "住建局", "approver.zjj"),
    "decide": ("Task_decide", "自然资源局", "approver.zrzy"),
    "conclude": ("Task_conclude", "综合窗口", "clerk"),
}
SCHEMA = """
CREATE TABLE IF NOT EXISTS bench_spiff_case (
    id bigserial PRIMARY KEY,
    number varchar(40) NOT NULL UNIQUE,
    state varchar(200) NOT NULL,
    workflow text NOT NULL,
    head_hash varchar(64) NOT NULL,
    length integer NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS bench_spiff_event (
    id bigserial PRIMARY KEY,
    case_id bigint NOT NULL REFERENCES bench_spiff_case (id),
    position integer NOT NULL,
    occurred_at timestamptz NOT NULL,
    actor varchar(150) NOT NULL,
    action varchar(80) NOT NULL,
    from_state varchar(200) NOT NULL,
    to_state varchar(200) NOT NULL,
    data jsonb NOT NULL,
    prev_hash varchar(64) NOT NULL,
    hash varchar(64) NOT NULL,
    UNIQUE (case_id, position)
);
"""


def _digest(prev_hash: str, position: int, occurred_at: datetime, actor: str, action: str, from_state: str,
            to_state: str, data: dict) -> str:
    payload = json.dumps([prev_hash, position, occurred_at.isoformat(timespec="microseconds"), actor, action,
                          from_state, to_state, data], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _state(workflow: BpmnWorkflow) -> str:
    if workflow.is_completed():
        return "concluded"
    return ",".join(sorted(t.task_spec.name for t in workflow.get_tasks(state=TaskState.READY, manual=True)))


class Baseline:
    def __init__(self, url: str):
        self.conn = psycopg.connect(url)
        parser = BpmnParser()
        parser.add_bpmn_file(str(BPMN))
        self.spec = parser.get_spec(PROCESS)
        self.serializer = BpmnWorkflowSerializer()
        self.statements = 0
        with self.conn.transaction():
            self.conn.execute(SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def _execute(self, sql: str, params=()):
        self.statements += 1
        return self.conn.execute(sql, params)

    def _event(self, case_id: int, position: int, prev_hash: str, actor: str, action: str, from_state: str,
               to_state: str, data: dict) -> str:
        now = datetime.now(UTC)
        digest = _digest(prev_hash, position, now, actor, action, from_state, to_state, data)
        self._execute(
            "INSERT INTO bench_spiff_event (case_id, position, occurred_at, actor, action, from_state, to_state, "
            "data, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (case_id, position, now, actor, action, from_state, to_state, json.dumps(data, ensure_ascii=False),
             prev_hash, digest))
        return digest

    def submit(self, number: str) -> int:
        """A workflow started and run to its first wait (the window's acceptance), saved. Not timed."""
        workflow = BpmnWorkflow(self.spec)
        workflow.do_engine_steps()
        state = _state(workflow)
        with self.conn.transaction():
            case_id = self._execute(
                "INSERT INTO bench_spiff_case (number, state, workflow, head_hash, length, updated_at) "
                "VALUES (%s, %s, %s, '', 0, now()) RETURNING id",
                (number, state, self.serializer.serialize_json(workflow))).fetchone()[0]
            digest = self._event(case_id, 1, "", "clerk", "submitted", "", state, {"number": number})
            self._execute("UPDATE bench_spiff_case SET head_hash = %s, length = 1 WHERE id = %s", (digest, case_id))
        return case_id

    def step(self, case_id: int, step: str) -> None:
        """One request: load, complete the actor's ready task, run the engine, save, audit."""
        task_name, lane, actor = STEPS[step]
        with self.conn.transaction():
            raw, head_hash, length = self._execute(
                "SELECT workflow, head_hash, length FROM bench_spiff_case WHERE id = %s FOR UPDATE",
                (case_id,)).fetchone()
            workflow = self.serializer.deserialize_json(raw)
            from_state = _state(workflow)
            ready = [t for t in workflow.get_tasks(state=TaskState.READY, manual=True)
                     if t.task_spec.name == task_name]
            if len(ready) != 1:
                raise RuntimeError(f"case {case_id}: no ready {task_name} (ready: {from_state})")
            task = ready[0]
            if task.task_spec.lane != lane:
                raise PermissionError(f"{actor} may not complete {task_name} (lane {task.task_spec.lane})")
            task.set_data(**{step: {"by": actor, "opinion": "审查通过", "at": datetime.now(UTC).isoformat()}})
            task.run()
            workflow.do_engine_steps()
            to_state = _state(workflow)
            digest = self._event(case_id, length + 1, head_hash, actor, step, from_state, to_state,
                                 {"task": task_name, "lane": lane})
            self._execute("UPDATE bench_spiff_case SET workflow = %s, state = %s, head_hash = %s, length = %s, "
                          "updated_at = now() WHERE id = %s",
                          (self.serializer.serialize_json(workflow), to_state, digest, length + 1, case_id))

    def check(self, case_ids: list[int]) -> dict:
        """Every workflow restored and completed, with every user task done once; every audit chain
        verifies (7 events: submitted + 6 steps)."""
        problems, events = [], 0
        rows = self.conn.execute("SELECT id, workflow, head_hash, length FROM bench_spiff_case WHERE id = ANY(%s)",
                                 (case_ids,)).fetchall()
        if len(rows) != len(case_ids):
            problems.append(f"{len(rows)} workflows for {len(case_ids)} cases")
        for case_id, raw, head_hash, length in rows:
            workflow = self.serializer.deserialize_json(raw)
            done = sorted(t.task_spec.name for t in workflow.get_tasks(state=TaskState.COMPLETED, manual=True))
            if not workflow.is_completed() or done != sorted(name for name, _lane, _a in STEPS.values()):
                problems.append(f"workflow {case_id} not completed (done: {done})")
            prev = ""
            chain = self.conn.execute(
                "SELECT position, occurred_at, actor, action, from_state, to_state, data, prev_hash, hash "
                "FROM bench_spiff_event WHERE case_id = %s ORDER BY position", (case_id,)).fetchall()
            for position, at, actor, action, from_state, to_state, data, prev_hash, digest in chain:
                events += 1
                want = _digest(prev, position, at.astimezone(UTC), actor, action, from_state, to_state, data)
                if prev_hash != prev or digest != want:
                    problems.append(f"workflow {case_id}: event #{position} does not verify")
                prev = digest
            if len(chain) != length or prev != head_hash or length != 1 + len(STEPS):
                problems.append(f"workflow {case_id}: chain head {length} events, found {len(chain)}")
        self.conn.rollback()
        return {"cases": len(rows), "events": events, "problems": problems[:5]}
