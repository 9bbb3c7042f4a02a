"""Error pages: a staff page that does not exist or is not the user's answers in the workbench frame
("该页面不存在或您无权访问", back to the workbench home), never the public 404 about item codes; public
pages keep the portal's 404; the server's own errors (403, CSRF, 400, 500) are in Chinese too."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from onewindow.workbench import error_pages

from .cases import accepted_case
from .world import make_world

pytestmark = pytest.mark.django_db

STAFF_PAGE = "该页面不存在或您无权访问"
PUBLIC_404 = "事项可能已调整编码"


@pytest.fixture
def w():
    return make_world()


def _assert_staff_error(response, status):
    page = response.content.decode()
    assert response.status_code == status
    assert STAFF_PAGE in page and f'href="{reverse("workbench:home")}"' in page and "返回工作台首页" in page
    assert "一窗通办 · 工作台" in page  # the workbench's frame
    assert PUBLIC_404 not in page


def test_the_workbench_is_mounted_where_the_error_pages_look_for_it():
    assert reverse("workbench:home") == error_pages.STAFF_PREFIX


def test_an_unknown_staff_address_answers_in_the_workbench_frame(client, w):
    client.force_login(w.clerk)
    _assert_staff_error(client.get("/staff/no-such-page/"), 404)


def test_a_case_the_user_may_not_see_answers_in_the_workbench_frame(client, w):
    case = accepted_case(w)
    client.force_login(w.approver_c)  # a department with no task in this case
    _assert_staff_error(client.get(reverse("workbench:case_detail", args=[case.number])), 404)
    _assert_staff_error(client.get(reverse("workbench:case_notice", args=[case.number, "acceptance"])), 404)
    client.force_login(w.approver_a)  # not a clerk: the inbox is theirs, the window's intake is not
    _assert_staff_error(client.get(reverse("workbench:intake")), 404)


def test_an_action_the_role_may_not_take_answers_403_in_the_workbench_frame(client, w):
    case = accepted_case(w)
    client.force_login(w.approver_a)  # sees the case (a task of theirs) but may not assign an agent
    _assert_staff_error(client.post(reverse("workbench:case_assign_agent", args=[case.number])), 403)


def test_public_pages_keep_the_portal_404(client):
    response = client.get("/items/no-such-item-code/")
    page = response.content.decode()
    assert response.status_code == 404 and PUBLIC_404 in page and STAFF_PAGE not in page


def test_a_public_403_is_in_chinese():
    request = RequestFactory().get("/items/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = error_pages.permission_denied(request, Exception())
    page = response.content.decode()
    assert response.status_code == 403 and "抱歉，您无权访问该页面" in page and "Forbidden" not in page


def test_a_failed_csrf_check_explains_itself_in_chinese(w):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("workbench:login"), {"username": "clerk", "password": "x"})
    page = response.content.decode()
    assert response.status_code == 403 and "页面已过期" in page and "CSRF" not in page


def test_a_server_error_page_is_in_chinese():
    from django.views import defaults

    request = RequestFactory().get("/")
    page = defaults.server_error(request).content.decode()
    assert "系统暂时出错" in page and "Server Error" not in page
    page = defaults.bad_request(request, Exception()).content.decode()
    assert "请求无法处理" in page and "Bad Request" not in page
