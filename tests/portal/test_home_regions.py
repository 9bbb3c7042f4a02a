"""The home page's "by region / by department" section: a province's catalog (more than one region with
active items) lists its regions, each a link to the search filtered by that region, instead of every
department (~1,500 of them); a catalog of one region lists its departments as before."""

import re

import pytest

from tests.factories import RegionFactory
from tests.portal.factories import make_department, make_item

pytestmark = pytest.mark.django_db


def section(html: str) -> str:
    """The section after the life events: the regions or the departments."""
    return html.split("按主题办", 1)[1].split("改革成效", 1)[0]


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_province_lists_its_regions_linking_to_the_search_by_region(client):
    shangsi = RegionFactory(code="459000000000", name="上思县")
    fangcheng = RegionFactory(code="459001000000", name="防城区")
    market = make_department("ss-scjg", "上思县市场监督管理局", region=shangsi)
    make_item(name="个体工商户设立登记", department=market)
    make_item(name="食品经营许可", department=market)
    make_item(name="公章刻制备案", department=make_department("fc-gaj", "防城区公安局", region=fangcheng))

    html = section(home(client))
    assert "按地区办" in html and "按部门办" not in html
    chips = re.findall(r'<a class="chip" href="([^"]+)">([^<]+) <span class="count">(\d+)</span>', html)
    assert chips == [("/items/?region=459000000000", "上思县", "2"), ("/items/?region=459001000000", "防城区", "1")]
    assert "?department=" not in html and "市场监督管理局" not in html
    assert '<a href="/departments/">全部部门 ›</a>' in html  # every department is still a click away

    # The link finds that region's items.
    found = client.get("/items/?region=459000000000").content.decode()
    assert "共 2 个事项" in found and "公章刻制备案" not in found.split('id="results"', 1)[1]


def test_one_region_lists_its_departments_as_before(client):
    dongxing = RegionFactory(code="459002000000", name="东兴市")
    market = make_department("dx-scjg", "东兴市市场监督管理局", region=dongxing, short_name="市场监管局")
    make_item(name="个体工商户设立登记", department=market)
    make_item(name="公章刻制备案", department=make_department("dx-gaj", "东兴市公安局", region=dongxing))
    make_department("dx-empty", "东兴市无事项局", region=dongxing)  # no items: no chip, as before

    html = section(home(client))
    assert "按部门办" in html and "按地区办" not in html and "?region=" not in html
    assert 'href="/items/?department=dx-scjg">市场监管局 <span class="count">1</span>' in html
    assert 'href="/items/?department=dx-gaj">东兴市公安局 <span class="count">1</span>' in html
    assert "dx-empty" not in html


def test_a_region_without_active_items_does_not_count(client):
    """regions_with_counts() leaves out regions whose departments have no active items: one region left
    means the departments are listed."""
    live = RegionFactory(code="459003000000", name="有事项县")
    idle = RegionFactory(code="459004000000", name="无在用事项县")
    make_item(name="公章刻制备案", department=make_department("live-gaj", "有事项县公安局", region=live))
    make_item(name="已取消事项", department=make_department("idle-gaj", "无在用事项县公安局", region=idle),
              status="abolished")

    html = section(home(client))
    assert "按部门办" in html and "无在用事项县" not in html
    assert 'href="/items/?department=live-gaj"' in html


def test_region_codes_are_escaped_in_the_link(client):
    odd = RegionFactory(code="45&9<x>", name="<b>县</b>")
    plain = RegionFactory(code="459005000000", name="平县")
    make_item(name="甲", department=make_department("odd-a", "甲局", region=odd))
    make_item(name="乙", department=make_department("plain-b", "乙局", region=plain))

    html = section(home(client))
    assert 'href="/items/?region=45%269%3Cx%3E">&lt;b&gt;县&lt;/b&gt; <span class="count">1</span>' in html
    assert "<b>县" not in html
