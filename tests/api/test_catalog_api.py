"""The catalog API: search with paging, one item, its one-time notice, bundles, and the errors."""

from datetime import date

import pytest

from onewindow.catalog.models import ItemStatus
from tests.portal.factories import (
    business_licence_item,
    make_announcement,
    make_bundle,
    make_department,
    make_item,
    make_life_event,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence():
    return business_licence_item(life_events=[make_life_event()])


def test_search_by_pinyin_initials_returns_a_page(client, licence):
    make_item(name="居民身份证换领")
    body = client.get("/api/v1/items", {"q": "yyzz"}).json()
    assert body["count"] == 1 and body["page"] == 1 and body["page_size"] == 20
    result = body["results"][0]
    assert result["code"] == licence.code and result["name"] == "营业执照"
    assert result["department_code"] == "dx-scjg" and result["department_name"] == "东兴市市场监督管理局"
    assert result["url"] == f"/items/{licence.code}/"
    assert (result["legal_limit_days"], result["committed_limit_days"]) == (15, 1)


def test_search_filters_by_department_and_life_event(client, licence):
    make_item(name="普通护照签发", department=make_department("dx-gaj", "东兴市公安局"))
    assert [r["name"] for r in client.get("/api/v1/items", {"department": "dx-gaj"}).json()["results"]] == \
        ["普通护照签发"]
    assert [r["name"] for r in client.get("/api/v1/items", {"life_event": "kaiban-qiye"}).json()["results"]] == \
        ["营业执照"]
    assert client.get("/api/v1/items").json()["count"] == 2


def test_search_hides_inactive_items(client, licence):
    make_item(name="营业执照年检", status=ItemStatus.ABOLISHED)
    make_item(name="营业执照草稿", status=ItemStatus.DRAFT)
    assert [r["name"] for r in client.get("/api/v1/items", {"q": "yyzz"}).json()["results"]] == ["营业执照"]


def test_search_pages_twenty_at_a_time(client):
    dept = make_department("dx-mzj", "东兴市民政局")
    for n in range(25):
        make_item(name=f"婚姻登记{n:02d}", department=dept)
    first = client.get("/api/v1/items", {"q": "hydj"}).json()
    second = client.get("/api/v1/items", {"q": "hydj", "page": 2}).json()
    assert first["count"] == second["count"] == 25
    assert len(first["results"]) == 20 and len(second["results"]) == 5
    assert not {r["code"] for r in first["results"]} & {r["code"] for r in second["results"]}


@pytest.mark.parametrize("page", ["0", "-1", "abc", "3"])
def test_bad_page_is_422_naming_the_field(client, licence, page):
    response = client.get("/api/v1/items", {"page": page})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == "page" and body["message"]


def test_empty_result_has_page_one(client):
    body = client.get("/api/v1/items", {"q": "nothing-matches"}).json()
    assert body == {"count": 0, "page": 1, "page_size": 20, "results": []}


def test_item_detail_has_materials_and_stages(client, licence):
    body = client.get(f"/api/v1/items/{licence.code}").json()
    assert body["name"] == "营业执照" and body["version"] == 1
    assert body["legal_basis"].startswith("《中华人民共和国市场主体登记管理条例》")
    assert [m["name"] for m in body["materials"]] == ["市场主体登记申请书", "居民身份证", "住所使用证明", "委托书"]
    id_card = body["materials"][1]
    assert id_card["auto_obtained"] and id_card["submission_text"].startswith("已有电子证照的系统自动调取；没有的提交")
    assert [s["name"] for s in body["stages"]] == ["收件与受理", "登记审查", "税务信息确认", "颁证与送达"]
    assert body["stages"][2]["department_code"] == "dx-swj"


def test_notice_groups_materials_and_parallel_steps(client, licence):
    body = client.get(f"/api/v1/items/{licence.code}/notice").json()
    assert [m["name"] for m in body["required_materials"]] == ["市场主体登记申请书", "居民身份证", "住所使用证明"]
    assert body["conditional_materials"][0]["condition"] == "委托他人办理的"
    assert body["committed_limit_text"] == "1 个工作日" and body["visits_text"] == "最多跑一次"
    assert body["channels"] == ["窗口办理", "网上办理"]
    steps = {s["step"]: s for s in body["steps"]}
    assert steps[2]["parallel"] and len(steps[2]["stages"]) == 2 and not steps[1]["parallel"]
    assert body["catalog_version"] == 1 and body["catalog_date"]
    assert body["status_announcement"] is None


def test_notice_of_abolished_item_carries_the_announcement(client):
    item = make_item(name="印章刻制审批", status=ItemStatus.ABOLISHED)
    make_announcement(item, kind="abolished", published_on=date(2026, 2, 1), reason="国务院决定取消")
    body = client.get(f"/api/v1/items/{item.code}/notice").json()
    assert body["status"] == "abolished"
    assert body["status_announcement"] == {"kind": "abolished", "kind_label": "取消", "published_on": "2026-02-01",
                                           "reason": "国务院决定取消", "summary": ""}


@pytest.mark.parametrize("url", ["/api/v1/items/nope", "/api/v1/items/nope/notice", "/api/v1/bundles/nope"])
def test_unknown_code_is_404_json(client, url):
    response = client.get(url)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found" and body["field"] == "code" and "nope" in body["message"]


def test_draft_item_is_not_found(client):
    draft = make_item(name="草稿事项", status=ItemStatus.DRAFT)
    assert client.get(f"/api/v1/items/{draft.code}").status_code == 404


def test_bundles_list_and_one_bundle_with_merged_materials(client, licence):
    seal = make_item(name="公章刻制备案", committed_limit_days=2, materials=[
        {"name": "居民身份证", "source": "e_certificate", "certificate_type": "resident_id"}])
    make_bundle(items=[licence, seal], life_event=make_life_event(), description="一次办")
    assert client.get("/api/v1/bundles").json() == [{
        "code": "company-startup", "name": "企业开办“一件事”", "description": "一次办", "life_event": "kaiban-qiye",
        "item_count": 2}]
    body = client.get("/api/v1/bundles/company-startup").json()
    assert body["combined_limit_days"] == 2 and body["sum_of_limits_days"] == 3
    assert [i["name"] for i in body["items"]] == ["营业执照", "公章刻制备案"]
    id_card = next(m for m in body["required_materials"] if m["name"] == "居民身份证")
    assert id_card["item_names"] == ["营业执照", "公章刻制备案"]
    assert body["materials_before_merge"] == 5
    assert len(body["required_materials"]) + len(body["conditional_materials"]) == 4


def test_openapi_documents_the_catalog_endpoints(client):
    doc = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/items", "/api/v1/items/{code}", "/api/v1/items/{code}/notice", "/api/v1/bundles",
                 "/api/v1/bundles/{code}"):
        assert path in doc["paths"], path
    q = next(p for p in doc["paths"]["/api/v1/items"]["get"]["parameters"] if p["name"] == "q")
    assert "拼音首字母" in q["description"]
    assert "auto_obtained" in doc["components"]["schemas"]["MaterialOut"]["properties"]
