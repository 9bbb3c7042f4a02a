"""The scale-out topology, for real, on this machine's loopback (scripts/topology, docs/scaling.md): a
PostgreSQL 15 primary and its streaming replica (our own clusters under var/topology, never the shared
server), three `onewindow serve` app servers behind nginx, Redis as cache and Celery broker, a Celery
worker and beat. The end-to-end flow runs through nginx; the test asserts every check of its report:
requests spread over the three servers, the dashboard answered by the replica and counting the new
cases, the background tasks done by the worker, and the flow going on after one server is SIGKILLed.

Needs PostgreSQL 15's server programs, nginx and Redis: skipped (with the reason) when one is missing,
unless ONEWINDOW_TEST_POSTGRES=required (CI), where a missing piece fails the test."""

from __future__ import annotations

import os

import pytest
from scripts.topology.run import celery_missing, missing_requirements, print_summary, run

pytestmark = pytest.mark.fault
REQUIRED = os.environ.get("ONEWINDOW_TEST_POSTGRES", "").lower() == "required"


def test_the_topology_serves_the_whole_flow_through_nginx_with_a_replica_and_celery():
    missing = missing_requirements()
    if missing and not REQUIRED:
        pytest.skip("scale-out topology: missing " + "; ".join(missing))
    assert not missing, "scale-out topology (ONEWINDOW_TEST_POSTGRES=required): missing " + "; ".join(missing)
    if REQUIRED:
        assert not celery_missing(), celery_missing()
    lines: list[str] = []
    report = run(celery="on" if REQUIRED else "auto", say=lines.append)
    print_summary(report, say=lines.append)
    summary = "\n".join(lines)
    print(summary)
    assert report.ok, summary
    names = " | ".join(check.name for check in report.checks)
    for expected in ("spread the requests over all three app servers", "dashboard was read from the replica",
                     "counts the two new cases", "whole flow still succeeded", "refused by the dead server",
                     "every process stopped"):
        assert expected in names, f"check {expected!r} did not run:\n{summary}"
    if report.facts["celery"] == "on":
        assert "notifications" in names and "daily check" in names and "report" in names
    assert report.facts["seconds"]["total"] < 240, report.facts["seconds"]
