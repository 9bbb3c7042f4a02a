"""The public catalog pages are kept in process per catalog version (catalog.selectors.remember):
a change to what they show is on the next page, whatever wrote it, and nothing that depends on
the visitor is kept."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.catalog import selectors, services
from tests.catalog import factories as catalog_factories
from tests.portal.factories import business_licence_item, make_department, make_item

pytestmark = pytest.mark.django_db


def text(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_a_repeated_search_or_notice_is_served_without_computing_it_again(client):
    licence = business_licence_item()
    for url in ("/items/?q=yyzz", f"/items/{licence.code}/"):
        first = text(client, url)
        with CaptureQueriesContext(connection) as queries:
            again = text(client, url)
        # Only the catalog's version is read (inside the test's transaction it is read every time).
        assert len(queries.captured_queries) <= 1, [q["sql"] for q in queries.captured_queries]
        assert again.split("<main")[1] == first.split("<main")[1]


def test_an_item_changed_through_the_catalog_service_shows_on_the_next_pages(client):
    item = catalog_factories.make_item(reason="新增", name="个体工商户设立登记", phone="0770-7688000")
    assert "0770-7688000" in text(client, f"/items/{item.code}/")
    assert "共找到 1 个事项" in text(client, "/items/?q=gtgshsldj")
    services.update_item(item=item, data={"phone": "0770-1234567"}, reason="更新咨询电话")
    assert "0770-1234567" in text(client, f"/items/{item.code}/")
    services.abolish_item(item=item, reason="国务院决定取消")
    assert "本事项已取消" in text(client, f"/items/{item.code}/")
    assert "没有找到符合条件的事项" in text(client, "/items/?q=gtgshsldj")


def test_new_items_materials_and_renamed_departments_show_on_the_next_pages(client):
    dept = make_department("dx-mzj", "东兴市民政局")
    item = make_item(name="婚姻登记", department=dept, materials=[{"name": "居民户口簿"}])
    assert "共找到 1 个事项" in text(client, "/items/?q=hydj")
    make_item(name="婚姻登记补证", department=dept)
    assert "共找到 2 个事项" in text(client, "/items/?q=hydj")
    assert "结婚证" not in text(client, f"/items/{item.code}/")
    item.materials.create(order=2, name="结婚证")
    assert "结婚证" in text(client, f"/items/{item.code}/")
    dept.name = "东兴市民政和社会事务局"
    dept.save()
    assert "东兴市民政和社会事务局" in text(client, f"/items/{item.code}/")
    assert "东兴市民政和社会事务局" in text(client, "/items/")


def test_a_version_published_by_another_server_replaces_what_this_one_kept(client):
    licence = business_licence_item()
    text(client, f"/items/{licence.code}/")
    # Another app server wrote the catalog: only the shared version token tells this process.
    type(licence).objects.filter(pk=licence.pk).update(phone="0770-7654321")  # no signal here
    assert "0770-7654321" not in text(client, f"/items/{licence.code}/")
    cache.set(selectors.VERSION_KEY, "published-elsewhere", timeout=None)
    assert "0770-7654321" in text(client, f"/items/{licence.code}/")


def test_pages_are_kept_per_language_and_the_csrf_token_is_never_kept(client, django_user_model):
    licence = business_licence_item()
    chinese = text(client, f"/items/{licence.code}/")
    english = text(client, f"/items/{licence.code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "必要材料" in chinese and "必要材料" not in english
    assert client_class_token(chinese) == ""  # an anonymous visitor's page carries no token at all
    # Signed-in visitors each get their own token around the same kept page.
    tokens = []
    for name in ("staff.a", "staff.b"):
        visitor = client.__class__()
        visitor.force_login(django_user_model.objects.create_user(username=name, password="x-Long-enough-1"))
        page = text(visitor, f"/items/{licence.code}/")
        assert "必要材料" in page
        tokens.append(client_class_token(page))
    assert all(tokens) and tokens[0] != tokens[1]


def client_class_token(html: str) -> str:
    return html.split('"X-CSRFToken": "', 1)[1].split('"', 1)[0] if '"X-CSRFToken": "' in html else ""
