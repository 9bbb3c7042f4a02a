"""目录草稿: the catalog manager's review queue. Administrators filter the drafts by what they lack and
by department, a page at a time, open one, fill in what is missing, save it and publish it; publishing
checks every rule (each problem shown beside its field, nothing written) and announces the item. To
anyone else the pages do not exist."""

import pytest

from onewindow.catalog import services
from onewindow.catalog.models import Announcement, Item, ItemStatus
from tests.catalog.factories import item_data
from tests.factories import TEST_PASSWORD, DepartmentFactory, make_applicant_user, make_staff

pytestmark = pytest.mark.django_db

LIST = "/staff/catalog/drafts/"


def draft(department=None, **overrides):
    """A draft as a provincial import leaves it: a visit without its reason, a conditional material
    without its condition."""
    values = {"status": "draft", "max_visits": 1, "online_depth": 3, "visit_reason": "",
              "materials": [{"name": "申请书", "required": True}, {"name": "船舶检验证书", "required": False}]}
    values.update(overrides)
    return services.create_item(data=item_data(department, **values), reason="目录导入")


@pytest.fixture
def manager(client):
    user = make_staff("administrator", username="catalog.manager")
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def _form(response):
    form = response.context["form"]
    shown = {**form.initial, **{name: field.initial for name, field in form.fields.items()
                                if name.startswith(("material_", "stage_", "reason"))}}
    return {key: value for key, value in shown.items() if value is not None and value is not False}


def test_the_queue_lists_drafts_with_what_they_lack_and_filters_them(manager):
    port = DepartmentFactory(code="hsc", name="防城港海事局")
    ship = draft(port, name="船舶国籍证书核发")
    other = draft(name="护照签发", materials=[{"name": "申请表", "required": True}])
    services.create_item(data=item_data(name="已发布事项"), reason="新增")
    page = manager.get(LIST).content.decode()
    assert "共 2 项草稿" in page and "船舶国籍证书核发" in page and "已发布事项" not in page
    assert "到现场次数为 1，必须写明需到现场的理由" in page and "非必要材料“船舶检验证书”必须写明适用情形" in page
    assert "申请材料 <span class=\"badge\">1</span>" in page and "到现场与送达 <span class=\"badge\">2</span>" in page
    only = manager.get(LIST, {"gap": "materials"}).content.decode()
    assert "船舶国籍证书核发" in only and "护照签发" not in only
    assert other.name in manager.get(LIST, {"department": other.department.code}).content.decode()
    assert ship.name not in manager.get(LIST, {"department": other.department.code}).content.decode()
    assert "共 1 项草稿" in manager.get(LIST, {"q": "国籍 证书"}).content.decode()
    assert "没有符合条件的草稿" in manager.get(LIST, {"q": "不存在"}).content.decode()
    assert manager.get(LIST, {"gap": "nonsense", "page": "x"}).status_code == 200  # bad filters are ignored


def test_the_queue_is_paged(manager):
    department = DepartmentFactory()
    for n in range(27):
        draft(department, name=f"草稿事项{n:02d}")
    first = manager.get(LIST).content.decode()
    assert "第 1 / 2 页" in first and "草稿事项24" in first and "草稿事项25" not in first
    assert "草稿事项26" in manager.get(LIST, {"page": 2}).content.decode()


def test_only_administrators_see_the_queue(client):
    item = draft()
    assert client.get(LIST).status_code == 302  # to the sign-in page
    for user in (make_staff("window_clerk"), make_staff("supervisor"), make_applicant_user()):
        client.force_login(user)
        assert client.get(LIST).status_code == 404
        assert client.get(f"{LIST}{item.code}/").status_code == 404
        assert "目录草稿" not in client.get("/staff/").content.decode()
    client.force_login(make_staff("administrator"))
    assert "目录草稿" in client.get("/staff/").content.decode()


def test_a_published_or_unknown_item_has_no_draft_page(manager):
    published = services.create_item(data=item_data(), reason="新增")
    assert manager.get(f"{LIST}{published.code}/").status_code == 404
    assert manager.get(f"{LIST}no-such-code/").status_code == 404


def test_publishing_an_incomplete_draft_shows_each_problem_beside_its_field(manager):
    item = draft()
    url = f"{LIST}{item.code}/"
    post = _form(manager.get(url))
    response = manager.post(url, {**post, "publish": "1"})
    assert response.status_code == 400
    form = response.context["form"]
    assert "必须写明需到现场的理由" in form.errors["visit_reason"][0]
    assert "适用情形" in form.errors["material_1_condition"][0]
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT and item.version == 1 and not Announcement.objects.filter(item=item).exists()

    response = manager.post(url, {**post, "reason": "", "publish": "1"})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    response = manager.post(url, {**post, "legal_limit_days": "-1", "publish": "1"})
    assert response.status_code == 400 and "legal_limit_days" in response.context["form"].errors


def test_saving_a_draft_keeps_it_a_draft_with_what_it_still_lacks(manager):
    item = draft()
    url = f"{LIST}{item.code}/"
    post = {**_form(manager.get(url)), "visit_reason": "须到现场核验原件", "save": "1"}
    response = manager.post(url, post)
    assert response.status_code == 302 and response["Location"] == url
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT and item.visit_reason == "须到现场核验原件"
    assert [g["field"] for g in item.review_gaps] == ["materials[1].condition"]
    assert item.review_gap_kinds == " materials "


def test_publishing_a_completed_draft_announces_it(manager):
    item = draft()
    url = f"{LIST}{item.code}/"
    post = {**_form(manager.get(url)), "visit_reason": "须到现场核验原件",
            "material_1_condition": "船舶已经检验的", "limit_unit": "natural", "publish": "1"}
    response = manager.post(url, post)
    assert response.status_code == 302 and response["Location"] == LIST
    item = Item.objects.get(pk=item.pk)
    assert item.status == ItemStatus.ACTIVE and item.limit_unit == "natural" and item.review_gaps == []
    assert item.materials.get(name="船舶检验证书").condition == "船舶已经检验的"
    announcement = Announcement.objects.get(item=item)
    assert announcement.kind == "added" and "3 个自然日" in announcement.summary
    assert "已发布" in manager.get(LIST).content.decode()
