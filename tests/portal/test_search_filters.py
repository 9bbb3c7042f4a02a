"""The catalog search's filter menus in a province's catalog: the region (county) comes first and the
department menu lists that region's departments only; a one-county catalog keeps one department menu.
Filtering works by URL parameter with or without JavaScript, and the live search swaps the menus when
the region changes."""

import pytest

from onewindow.catalog import selectors
from tests.factories import RegionFactory
from tests.portal.factories import make_department, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    """Two counties with the same two departments each, one item per department."""
    shangsi = RegionFactory(code="459000000000", name="上思县")
    fangcheng = RegionFactory(code="459001000000", name="防城区")
    rows = {}
    for region, prefix in ((shangsi, "ss"), (fangcheng, "fc")):
        market = make_department(f"{prefix}-scjg", f"{region.name}市场监督管理局", region=region,
                                 short_name="市场监管局")
        police = make_department(f"{prefix}-gaj", f"{region.name}公安局", region=region, short_name="公安局")
        rows[prefix] = {
            "licence": make_item(name=f"个体工商户设立登记（{region.name}）", department=market, max_visits=0,
                                 online_depth=4, visit_reason=""),
            "seal": make_item(name=f"公章刻制备案（{region.name}）", department=police),
        }
    return rows


def get_text(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def results(html: str) -> str:
    return html.split('id="results"', 1)[1]


def menu(html: str, name: str) -> str:
    return html.split(f'<select id="{name}"', 1)[1].split("</select>", 1)[0]


def test_without_a_region_the_department_menu_asks_for_one(client, province):
    html = get_text(client, "/items/")
    regions = menu(html, "region")
    assert "上思县（2）" in regions and "防城区（2）" in regions
    departments = menu(html, "department")
    assert "disabled" in departments and "请先选择地区" in departments
    assert "上思县公安局" not in departments and "防城区公安局" not in departments
    assert "共 4 个事项" in html


def test_a_region_lists_its_own_departments_and_filters_the_results(client, province):
    html = get_text(client, "/items/?region=459000000000")
    departments = menu(html, "department")
    assert "上思县公安局（1）" in departments and "上思县市场监督管理局（1）" in departments
    assert "防城区" not in departments and "disabled" not in departments
    assert 'value="459000000000" selected' in menu(html, "region")
    assert "共 2 个事项" in html
    assert "（上思县）" in results(html) and "（防城区）" not in results(html)
    assert "共找到 1 个事项" in get_text(client, "/items/?region=459001000000&q=gzkzba")


def test_a_department_alone_in_the_url_selects_its_region(client, province):
    # Links from the departments page and the home page name the department only.
    html = get_text(client, "/items/?department=fc-gaj")
    assert 'value="459001000000" selected' in menu(html, "region")
    assert 'value="fc-gaj" selected' in menu(html, "department")
    assert "共 1 个事项" in html and "公章刻制备案（防城区）" in results(html)


def test_a_department_of_another_region_is_dropped_and_the_region_kept(client, province):
    # The region was changed after a department was chosen: the form still sends the old department.
    html = get_text(client, "/items/?region=459000000000&department=fc-gaj")
    assert "共 2 个事项" in html and "（防城区）" not in results(html)
    assert "selected" not in menu(html, "department")


def test_unknown_region_or_department_finds_nothing_rather_than_failing(client, province):
    assert "没有找到符合条件的事项" in get_text(client, "/items/?region=999999999999")
    assert "没有找到符合条件的事项" in get_text(client, "/items/?department=no-such-dept")
    assert "没有找到符合条件的事项" in get_text(client, "/items/?region=459000000000&department=no-such-dept")
    long = "4" * 500
    assert get_text(client, f"/items/?region={long}&department={long}").count("<html") == 1


def test_live_search_from_the_region_menu_swaps_the_menus_too(client, province):
    response = client.get("/items/?region=459001000000&department=ss-gaj&q=", HTTP_HX_REQUEST="true",
                          HTTP_HX_TRIGGER_NAME="region")
    assert response["HX-Push-Url"] == "/items/?region=459001000000"  # the dropped department is not kept
    html = response.content.decode()
    assert "<html" not in html and html.lstrip().startswith('<div id="results"')
    assert "共 2 个事项" in html and "（上思县）" not in html
    swapped = html.split('<div class="filters" id="filters" hx-swap-oob="true">', 1)[1]
    assert "防城区公安局" in menu(swapped, "department") and "上思县公安局" not in swapped
    # Typing in the search box or another menu swaps the results only.
    for trigger in ("q", "department", "kind"):
        fragment = get_text(client, "/items/?region=459001000000&q=gzkzba", HTTP_HX_REQUEST="true",
                            HTTP_HX_TRIGGER_NAME=trigger)
        assert "hx-swap-oob" not in fragment and 'id="filters"' not in fragment
        assert "共找到 1 个事项" in fragment


def test_the_whole_page_never_carries_an_out_of_band_menu(client, province):
    html = get_text(client, "/items/?region=459001000000")
    assert "hx-swap-oob" not in html and html.count('id="filters"') == 1


def test_a_one_county_catalog_keeps_a_single_department_menu(client):
    county = RegionFactory(code="450681000000", name="东兴市")
    police = make_department("dx-gaj", "东兴市公安局", region=county)
    market = make_department("dx-scjg", "东兴市市场监督管理局", region=county)
    make_item(name="公章刻制备案", department=police)
    make_item(name="个体工商户设立登记", department=market)
    html = get_text(client, "/items/")
    assert '<select id="region"' not in html
    departments = menu(html, "department")
    assert "东兴市公安局（1）" in departments and "东兴市市场监督管理局（1）" in departments
    assert "disabled" not in departments


def test_a_renamed_region_shows_on_the_next_page(client, province):
    assert "上思县（2）" in menu(get_text(client, "/items/"), "region")
    region = province["ss"]["seal"].department.region
    region.name = "上思县（改）"
    region.save()
    assert "上思县（改）（2）" in menu(get_text(client, "/items/"), "region")


def test_search_region_and_department_rule():
    county = RegionFactory(code="459000000000", name="上思县")
    make_department("ss-gaj", "上思县公安局", region=county)
    rule = selectors.search_region_and_department
    assert rule("", "ss-gaj") == ("459000000000", "ss-gaj")
    assert rule("459000000000", "ss-gaj") == ("459000000000", "ss-gaj")
    assert rule("459001000000", "ss-gaj") == ("459001000000", "")
    assert rule("459001000000", "") == ("459001000000", "")
    assert rule("", "unknown") == ("", "unknown")
    assert rule("", "") == ("", "")


def test_regions_count_active_items_of_active_departments_only(province):
    province["ss"]["seal"].status = "suspended"
    province["ss"]["seal"].save()
    counts = {r.name: r.item_count for r in selectors.regions_with_counts()}
    assert counts == {"上思县": 1, "防城区": 2}
    assert [i.name for i in selectors.search_items(region_code="459000000000")] == ["个体工商户设立登记（上思县）"]


def test_the_search_columns_have_trigram_indexes_on_postgresql(province):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's; SQLite scans (tested by every search test)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'catalog_item'"
                       " AND indexdef LIKE '%%gin_trgm_ops%%'")
        indexes = dict(cursor.fetchall())
    for column in ("name", "code", "search_initials", "search_pinyin", "result_name"):
        assert f"upper(({column})::text) gin_trgm_ops" in indexes[f"catalog_item_{column}_trgm"]
    # Still the same answers through the index (a Chinese word, initials, a code fragment).
    assert selectors.search_items(query="工商户").count() == 2
    assert selectors.search_items(query="GTGSH").count() == 2
    code = province["fc"]["seal"].code
    assert [i.code for i in selectors.search_items(query=code[-8:])] == [code]
