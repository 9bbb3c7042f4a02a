"""Open311 GeoReport v2, checked against the specification's examples (wiki.open311.org/GeoReport_v2):
the shapes of discovery, services, a service definition, POST/GET requests and one request in JSON and
XML, the error format, API keys, jurisdiction_id, and the servicerequestupdates extension."""

from xml.etree import ElementTree

import pytest

from onewindow.api.auth import create_token
from onewindow.complaints import services
from onewindow.complaints.models import WorkOrder
from tests.complaints.orders import build_centre

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]


@pytest.fixture
def centre(db):
    return build_centre()


@pytest.fixture
def api_key(centre):
    return create_token(user=centre.office, name="Open311 client").raw


def _xml(response):
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)


def _file(client, api_key, fmt="json", **extra):
    data = {"api_key": api_key, "service_code": "complaint", "lat": "21.547", "long": "107.971",
            "address_string": "东兴市政务服务中心", "description": "窗口要求提供法律没有规定的证明",
            "first_name": "小红", "last_name": "陈", "phone": "13977001111", "email": "chen@example.com",
            "attribute[subkind]": "passing_the_buck", **extra}
    return client.post(f"{BASE}/requests.{fmt}", data)


def test_discovery_names_the_georeport_v2_endpoint(client):
    doc = client.get(f"{BASE}/discovery.json").json()
    endpoint = doc["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/") and set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = _xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery" and root.find("endpoints/endpoint/formats/format") is not None


def test_services_list_every_kind_in_json_and_xml(client, centre):
    services_json = client.get(f"{BASE}/services.json").json()
    assert [s["service_code"] for s in services_json][:2] == ["complaint", "cannot_get_done"]
    assert set(services_json[0]) == {"service_code", "service_name", "description", "metadata", "type", "keywords",
                                     "group"}
    assert services_json[0]["metadata"] is True and services_json[0]["type"] == "realtime"
    root = _xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and root.find("service/metadata").text == "true"
    assert len(root.findall("service")) == 6


def test_a_service_definition_lists_its_attributes(client, centre):
    definition = client.get(f"{BASE}/services/complaint.json").json()
    assert definition["service_code"] == "complaint"
    subkind = definition["attributes"][0]
    assert {"variable", "code", "datatype", "required", "datatype_description", "order", "description",
            "values"} <= set(subkind)
    assert subkind["datatype"] == "singlevaluelist" and {"key": "favours", "name": "吃拿卡要"} in subkind["values"]
    root = _xml(client.get(f"{BASE}/services/complaint.xml"))
    assert root.tag == "service_definition" and root.find("attributes/attribute/values/value/key") is not None
    missing = client.get(f"{BASE}/services/pothole.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_posting_needs_a_valid_api_key_and_answers_in_the_standard_error_format(client, centre):
    refused = _file(client, "ow_wrong_key")
    assert refused.status_code == 403
    assert refused.json() == [{"code": 403,
                               "description": "Invalid api_key received -- can't proceed with create_request."}]
    refused = client.post(f"{BASE}/requests.xml", {"service_code": "complaint", "address_string": "x"})
    root = _xml(refused)
    assert refused.status_code == 403 and root.tag == "errors" and root.find("error/code").text == "403"
    assert not WorkOrder.objects.exists()


def test_a_posted_request_becomes_a_work_order(client, api_key, centre):
    response = _file(client, api_key)
    assert response.status_code == 200
    [created] = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    order = WorkOrder.objects.get(number=created["service_request_id"])
    assert order.channel == "open311" and order.subkind == "passing_the_buck" and order.complainant_name == "陈小红"
    assert str(order.latitude) == "21.547000" and order.query_code in created["service_notice"]
    root = _xml(_file(client, api_key, fmt="xml"))
    assert root.tag == "service_requests" and root.find("request/service_request_id").text.startswith("TS")


def test_bad_posts_name_the_parameter(client, api_key, centre):
    assert _file(client, api_key, service_code="").json()[0]["description"] == "service_code was not provided"
    assert _file(client, api_key, service_code="pothole").status_code == 404
    no_place = _file(client, api_key, lat="", long="", address_string="")
    assert no_place.status_code == 400 and "location" in no_place.json()[0]["description"]
    bad = _file(client, api_key, **{"attribute[subkind]": "bribery"})
    assert bad.status_code == 400 and bad.json()[0]["description"].startswith("attribute[subkind]")
    assert _file(client, api_key, lat="91").status_code == 400
    assert not WorkOrder.objects.exists()


def test_jurisdiction_id_must_be_ours(client, api_key, centre):
    assert _file(client, api_key, jurisdiction_id="dongxing.gov.cn").status_code == 200
    wrong = client.get(f"{BASE}/services.json", {"jurisdiction_id": "sf.gov"})
    assert wrong.status_code == 404 and wrong.json()[0]["code"] == 404


def test_get_requests_and_one_request_follow_each_step(client, api_key, centre):
    number = _file(client, api_key).json()[0]["service_request_id"]
    services.register_order(actor=centre.office, kind="complaint", channel="hotline", text="热线来电，不公开")
    listed = client.get(f"{BASE}/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [number]  # hotline orders are not public
    assert list(listed[0]) == REQUEST_FIELDS and listed[0]["status"] == "open"
    order = WorkOrder.objects.get(number=number)
    order = services.dispatch_order(actor=centre.office, order=order, department_id=centre.unit_a.pk)
    order = services.sign_order(actor=centre.staff_a, order=order)
    services.reply_order(actor=centre.staff_a, order=order, reply="经查属实，已责令改正", substantiated=True)
    one = client.get(f"{BASE}/requests/{number}.json").json()[0]
    assert one["agency_responsible"] == centre.unit_a.name and "已责令改正" in one["status_notes"]
    assert one["expected_datetime"].endswith("+08:00")
    root = _xml(client.get(f"{BASE}/requests/{number}.xml"))
    assert [child.tag for child in root.find("request")] == REQUEST_FIELDS
    assert client.get(f"{BASE}/requests.json", {"status": "closed"}).json() == []
    # service_request_id "overrides all other arguments"
    assert client.get(f"{BASE}/requests.json", {"status": "closed", "service_request_id": number}).json()
    assert listed[0]["lat"] == 21.547 and listed[0]["long"] == 107.971
    assert client.get(f"{BASE}/requests/TS000.json").status_code == 404
    assert client.get(f"{BASE}/requests.json", {"start_date": "yesterday"}).status_code == 400
    updates = client.get(f"{BASE}/servicerequestupdates.json").json()
    assert [u["description"].split("：")[0] for u in updates] == ["已登记", "已派单", "承办单位已签收", "已答复"]
    assert set(updates[0]) == {"update_id", "service_request_id", "status", "updated_datetime", "description",
                               "media_url"}
    root = _xml(client.get(f"{BASE}/servicerequestupdates.xml"))
    assert root.tag == "service_request_updates" and len(root.findall("request_update")) == 4
