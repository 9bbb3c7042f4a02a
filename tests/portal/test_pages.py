"""The public site's pages: every page renders in Chinese, search and filters, paging, the htmx
fragment, the one-time notice, abolished items, bundles and friendly 404s."""

from datetime import date

import pytest
from django.urls import NoReverseMatch, reverse

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
def catalog():
    event = make_life_event()
    licence = business_licence_item(life_events=[event])
    police = make_department("dx-gaj", "东兴市公安局")
    seal = make_item(name="公章刻制备案", department=police, committed_limit_days=1, max_visits=0,
                     online_depth=4, visit_reason="", offers_post_delivery=True, life_events=[event],
                     materials=[{"name": "营业执照", "source": "e_certificate",
                                 "certificate_type": "business_licence"}])
    bundle = make_bundle(items=[licence, seal], life_event=event, description="营业执照、公章一次办")
    make_announcement(licence, kind="added", published_on=date(2026, 1, 10), reason="依法新增")
    return {"event": event, "licence": licence, "seal": seal, "bundle": bundle}


def get_text(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def test_home_shows_search_life_events_departments_bundles_reform_and_announcements(client, catalog):
    html = get_text(client, "/")
    assert 'lang="zh-hans"' in html
    assert 'name="q"' in html and 'hx-get="/items/?suggest=1"' in html
    assert "开办企业" in html and reverse("portal:life_event_detail", args=["kaiban-qiye"]) in html
    assert "东兴市市场监督管理局" in html
    assert "企业开办“一件事”" in html
    assert "依法新增" not in html and "营业执照" in html  # latest announcements list the item
    assert "<svg" in html and "最多跑一次" in html  # the reform chart drawn on the server
    assert "改革成效" in html


def test_public_navigation_links_every_section_and_hides_missing_track_page(client, catalog):
    html = get_text(client, "/")
    for url in ("/items/", "/bundles/", "/departments/", "/announcements/", "/reform/", "/staff/"):
        assert f'href="{url}"' in html
    track = None
    for name in ("portal_cases:track", "portal:track"):
        try:
            track = reverse(name)
            break
        except NoReverseMatch:
            continue
    if track is None:
        assert "办件查询" not in html
    else:
        assert "办件查询" in html and f'href="{track}"' in html


def test_item_list_searches_by_pinyin_initials(client, catalog):
    html = get_text(client, "/items/?q=yyzz")
    assert "营业执照" in html
    assert "公章刻制备案" not in html
    assert "共找到 1 个事项" in html
    assert 'hx-trigger="keyup changed delay:300ms, search"' in html
    assert "<form" in html and 'method="get"' in html  # works without JS


def test_item_list_filters_by_department_life_event_kind_and_zero_run(client, catalog):
    assert "公章刻制备案" in get_text(client, "/items/?department=dx-gaj")
    assert "营业执照" not in get_text(client, "/items/?department=dx-gaj").split('id="results"')[1]
    assert "公章刻制备案" in get_text(client, "/items/?zero_run=1")
    results = get_text(client, "/items/?zero_run=0").split('id="results"')[1]
    assert "营业执照" in results and "公章刻制备案" not in results
    assert "共 2 个事项" in get_text(client, "/items/?life_event=kaiban-qiye")
    assert "没有找到符合条件的事项" in get_text(client, "/items/?kind=reward")


def test_htmx_request_gets_only_the_results_fragment(client, catalog):
    html = get_text(client, "/items/?q=yyzz", HTTP_HX_REQUEST="true")
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html and "营业执照" in html
    suggest = get_text(client, "/items/?q=yyzz&suggest=1", HTTP_HX_REQUEST="true")
    assert "<html" not in suggest and "营业执照" in suggest and "查看全部 1 个结果" in suggest
    assert get_text(client, "/items/?q=&suggest=1", HTTP_HX_REQUEST="true").strip() == ""
    # htmx's history restore (back button, cache miss) needs the whole page.
    full = get_text(client, "/items/?q=yyzz", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in full


def test_item_list_pages_twenty_at_a_time(client):
    dept = make_department("dx-mzj", "东兴市民政局")
    for n in range(45):
        make_item(name=f"婚姻登记{n:02d}", department=dept)
    first = get_text(client, "/items/?q=hydj")
    assert first.count('class="result"') == 20
    assert "第 1 / 3 页" in first and "q=hydj&amp;page=2" in first
    last = get_text(client, "/items/?q=hydj&page=3")
    assert last.count('class="result"') == 5
    # A bad page number shows a valid page rather than an error.
    assert get_text(client, "/items/?q=hydj&page=abc").count('class="result"') == 20
    assert get_text(client, "/items/?q=hydj&page=99").count('class="result"') == 5


def test_item_page_is_the_one_time_notice(client, catalog):
    licence = catalog["licence"]
    html = get_text(client, f"/items/{licence.code}/")
    for text in ("一次性告知", "营业执照", "东兴市市场监督管理局", "《中华人民共和国市场主体登记管理条例》第十九条",
                 "申请人具有完全民事行为能力", "必要材料（3 项）", "市场主体登记申请书", "情形材料",
                 "委托他人办理的", "已有电子证照的系统自动调取", "可容缺，5 个工作日内补齐", "1 个工作日", "15 个工作日",
                 "经批准可延长 10 个工作日", "最多跑一次", "需现场核验原件", "窗口办理、网上办理",
                 "东兴市政务服务中心一楼综合窗口", "0770-7688000", "并联办理", "税务信息确认",
                 "国家税务总局东兴市税务局", "目录版本 v1", "不收费", "打印告知单"):
        assert text in html, text
    assert reverse("portal:item_notice_pdf", args=[licence.code]) in html
    assert "print.css" in html and 'media="print"' in html


def test_abolished_item_is_not_listed_but_its_page_says_so(client, catalog):
    gone = make_item(name="营业执照年检", status=ItemStatus.ABOLISHED)
    make_announcement(gone, kind="abolished", published_on=date(2026, 2, 1), reason="改为年度报告公示制度")
    assert "营业执照年检" not in get_text(client, "/items/?q=yyzz")
    html = get_text(client, f"/items/{gone.code}/")
    assert "本事项已取消，不再受理" in html
    assert "改为年度报告公示制度" in html and "2026-02-01" in html


def test_suspended_item_page_says_suspended(client):
    item = make_item(name="临时占道审批", status=ItemStatus.SUSPENDED)
    assert "本事项已暂停受理" in get_text(client, f"/items/{item.code}/")


def test_unknown_or_draft_item_gets_a_friendly_404(client):
    draft = make_item(name="草稿事项", status=ItemStatus.DRAFT)
    for url in ("/items/no-such-item/", f"/items/{draft.code}/", "/items/no-such-item/notice.pdf",
                "/bundles/nope/", "/life-events/nope/"):
        html = get_text(client, url, status=404)
        assert "抱歉，没有找到您要的页面" in html and "搜索办事指南" in html
    assert "no-such-item" in get_text(client, "/items/no-such-item/", status=404)
    assert "草稿事项" not in get_text(client, f"/items/{draft.code}/", status=404)


def test_notice_pdf_is_served_as_pdf(client, catalog):
    response = client.get(f"/items/{catalog['licence'].code}/notice.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 3000
    assert b"/FontFile2" in response.content  # the CJK font is embedded


def test_bundle_pages_show_merged_materials_and_combined_limit(client, catalog):
    html = get_text(client, "/bundles/")
    assert "企业开办“一件事”" in html and "2 个事项" in html
    html = get_text(client, "/bundles/company-startup/")
    for text in ("一件事一次告知", "营业执照", "公章刻制备案", "合并办理时限", "一套材料", "市场主体登记申请书",
                 "用于：", "逐项办理合计 2 个工作日"):
        assert text in html, text


def test_departments_page_lists_counts(client, catalog):
    html = get_text(client, "/departments/")
    assert "东兴市公安局" in html and "/items/?department=dx-gaj" in html
    assert "零跑动事项" in html


def test_life_event_page_lists_its_items_and_bundles(client, catalog):
    html = get_text(client, "/life-events/kaiban-qiye/")
    assert "开办企业" in html and "营业执照" in html and "公章刻制备案" in html
    assert "企业开办“一件事”" in html and "共 2 个事项" in html


def test_announcements_page_pages_and_filters_by_kind(client, catalog):
    item = catalog["seal"]
    for n in range(22):
        make_announcement(item, kind="changed", published_on=date(2026, 3, 1 + n % 28), reason=f"调整理由{n}")
    html = get_text(client, "/announcements/")
    assert "事项公告" in html and "第 1 / 2 页" in html and "调整" in html
    added = get_text(client, "/announcements/?kind=added")
    assert "依法新增" in added and "调整理由" not in added
    assert "依法新增" in get_text(client, "/announcements/?page=2")


def test_reform_page_has_numbers_and_svg_charts(client, catalog):
    html = get_text(client, "/reform/")
    assert "改革成效" in html and "承诺时限比法定时限压缩" in html
    assert html.count("<svg") == 4  # planned and measured, days, months, levels (drawn on the server)
    region = catalog["licence"].department.region
    html = get_text(client, f"/reform/?region={region.code}")  # departments are listed for a chosen region
    assert "按部门" in html and "东兴市市场监督管理局" in html


def test_pages_are_phone_ready(client, catalog):
    html = get_text(client, f"/items/{catalog['licence'].code}/")
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert 'class="stack-table materials"' in html and 'data-label="形式与份数"' in html


def test_main_item_page_lists_its_handling_items_and_they_link_back(client):
    main = make_item(name="个体工商户登记", level="main")
    new = make_item(name="个体工商户设立登记", parent=main, handling_type="new")
    make_item(name="个体工商户注销登记", parent=main, handling_type="cancellation", status=ItemStatus.ABOLISHED)
    html = get_text(client, f"/items/{main.code}/")
    assert "具体办理项" in html and f"/items/{new.code}/" in html
    assert "个体工商户注销登记" not in html
    child = get_text(client, f"/items/{new.code}/")
    assert "上级事项" in child and f"/items/{main.code}/" in child
