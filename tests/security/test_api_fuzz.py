"""The API fuzzed from its own OpenAPI document (schemathesis): whatever a caller sends, the answer is
never a server error and always matches the documented schema (status, content type, body).

Bounded (MAX_EXAMPLES per operation) so the run stays well under a minute on either engine; raise
ONEWINDOW_FUZZ_EXAMPLES for a deeper run: `ONEWINDOW_FUZZ_EXAMPLES=200 pytest tests/security/test_api_fuzz.py`."""

from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from onewindow.api.auth import create_token
from onewindow.calendar.services import seed_official_calendar
from onewindow.catalog.models import StageKind
from tests.cases.factories import make_item
from tests.factories import ApplicantFactory, DepartmentFactory, ServiceCentreFactory, make_staff

MAX_EXAMPLES = int(os.environ.get("ONEWINDOW_FUZZ_EXAMPLES", "10"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance,
          negative_data_rejection]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# NUL characters are left out of the random data: every one is refused before any endpoint by
# core.security.RejectNulMiddleware (test_input_hygiene.py), so they would only test that one gate.
schema.config.generation.update(allow_x00=False)


@dataclass
class Target:
    token: str
    item_code: str
    case_number: str
    query_code: str


@pytest.fixture
def _keep_test_connection():
    # The WSGI app runs in this thread, inside the test's transaction: the end of each request must not
    # close the connection (Django's own test client unhooks the same handler while it runs).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def target(db, settings, _keep_test_connection) -> Target:
    """A clerk's token and real objects for the fuzzer to aim at (random codes alone never get past
    the first lookup)."""
    from onewindow.cases import services

    # Throttles would turn a fuzzing run into a wall of 429s: switch them off here (tested elsewhere).
    settings.THROTTLE_RATES = {scope: "off" for scope in settings.THROTTLE_RATES}
    seed_official_calendar()
    centre = ServiceCentreFactory(code="DX01", name="东兴市政务服务中心")
    department = DepartmentFactory(code="dx-scjg")
    item = make_item(department=department, code="FUZZ-ITEM-1", materials=[{"name": "申请表"}],
                     stages=[(1, StageKind.REVIEW, department, 5)])
    clerk = make_staff("window_clerk", centre=centre, username="fuzz.clerk")
    case = services.submit_case(item=item, applicant=ApplicantFactory(), channel="online", centre=centre,
                                provided_material_ids=list(item.materials.values_list("id", flat=True)))
    return Target(create_token(user=clerk, name="fuzz").raw, item.code, case.number, case.query_code)


def _aim(case, target: Target) -> None:
    """Point about half of the generated requests at real objects, keeping the rest of the data random."""
    if zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode()) % 2:
        return
    parameters = case.path_parameters or {}
    if "number" in parameters:
        parameters["number"] = target.case_number
    if "code" in parameters and "/bundles/" not in case.path:
        parameters["code"] = target.item_code
    if isinstance(case.query, dict) and "query_code" in case.query:
        case.query["query_code"] = target.query_code
    if isinstance(case.body, dict) and "item" in case.body:
        case.body["item"] = target.item_code


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_never_fails_and_keeps_to_its_schema(case, target):
    _aim(case, target)
    case.call_and_validate(headers={"Authorization": f"Bearer {target.token}"}, checks=CHECKS)



@pytest.mark.django_db
def test_nul_character_in_an_identity_number_is_a_clear_error_not_a_server_error(target):
    """Found by this fuzzer on PostgreSQL: a NUL in applicant.id_number reached the database (DataError,
    500). core.security.RejectNulMiddleware now refuses it first."""
    from django.test import Client

    body = {"item": target.item_code,
            "applicant": {"kind": "person", "name": "张三", "id_number": "45068119900101\u00001234"}}
    response = Client().post("/api/v1/cases", data=json.dumps(body), content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {target.token}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
