import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from onewindow.audit import selectors as audit_selectors
from onewindow.core.errors import Conflict, NotFound, ValidationError
from onewindow.orgs import selectors, services
from onewindow.orgs.models import Role, StaffRole, User
from tests.factories import DepartmentFactory, ServiceCentreFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "window-pass-2026"


@pytest.fixture
def dept():
    return DepartmentFactory(code="dx-scjg", name="东兴市市场监督管理局")


@pytest.fixture
def centre():
    return ServiceCentreFactory(code="DX01", name="东兴市政务服务中心")


def test_create_staff_user_with_scoped_roles(dept, centre):
    user = services.create_staff_user(
        username="li.ming", password=PASSWORD, display_name="李明",
        roles=[("approver", None, "dx-scjg"), ("chief_representative", None, "dx-scjg"), ("agent", "DX01", None)])
    assert user.check_password(PASSWORD)
    assert user.display_name == "李明"
    assert not user.is_staff and not user.is_superuser
    assert selectors.roles_of(user) == {"approver", "chief_representative", "agent"}
    assert list(selectors.departments_of(user)) == [dept]
    assert list(selectors.centres_of(user)) == [centre]
    assert selectors.is_role(user, Role.APPROVER)
    assert not selectors.is_role(user, Role.WINDOW_CLERK)
    granted = [e.to_state for e in audit_selectors.events_for(f"user:{user.pk}")]
    assert sorted(granted) == ["agent", "approver", "chief_representative"]


def test_superuser_is_administrator_and_django_staff():
    user = services.create_staff_user(username="root", password=PASSWORD, display_name="", roles=[],
                                      is_superuser=True)
    assert user.is_superuser and user.is_staff
    assert selectors.roles_of(user) == {"administrator"}
    assert user.groups.filter(name=services.ADMINISTRATORS_GROUP).exists()


def test_administrator_role_gives_admin_site_permissions():
    user = services.create_staff_user(username="ops", password=PASSWORD, display_name="运维",
                                      roles=[("administrator", None, None)])
    user = User.objects.get(pk=user.pk)
    assert user.is_staff and not user.is_superuser
    assert user.has_perm("orgs.change_department")


@pytest.mark.parametrize("roles, field, words", [
    ([("approver", None, None)], "department", "部门"),
    ([("chief_representative", "DX01", None)], "department", "部门"),
    ([("window_clerk", None, None)], "centre", "中心"),
    ([("window_clerk", "NOPE", None)], "centre", "NOPE"),
    ([("approver", None, "dx-nope")], "department", "dx-nope"),
    ([("janitor", None, None)], "role", "janitor"),
    ([], "role", "角色"),
])
def test_bad_roles_are_refused_and_nothing_is_written(dept, centre, roles, field, words):
    with pytest.raises((ValidationError, NotFound)) as err:
        services.create_staff_user(username="x1", password=PASSWORD, display_name="", roles=roles)
    assert err.value.field == field
    assert words in err.value.message
    assert not User.objects.filter(username="x1").exists()


def test_second_role_invalid_rolls_back_the_whole_account(dept, centre):
    with pytest.raises(ValidationError):
        services.create_staff_user(username="x2", password=PASSWORD, display_name="",
                                   roles=[("window_clerk", "DX01", None), ("approver", None, None)])
    assert not User.objects.filter(username="x2").exists()
    assert not StaffRole.objects.exists()


def test_weak_password_and_existing_username_are_refused(centre):
    with pytest.raises(ValidationError) as err:
        services.create_staff_user(username="x3", password="12345678", display_name="",
                                   roles=[("window_clerk", "DX01", None)])
    assert err.value.field == "password"
    UserFactory(username="taken")
    with pytest.raises(Conflict) as err:
        services.create_staff_user(username="TAKEN", password=PASSWORD, display_name="",
                                   roles=[("window_clerk", "DX01", None)])
    assert err.value.field == "username"
    with pytest.raises(ValidationError) as err:
        services.create_staff_user(username="has space", password=PASSWORD, display_name="",
                                   roles=[("window_clerk", "DX01", None)])
    assert err.value.field == "username"
    assert User.objects.count() == 1


def test_database_refuses_approver_without_department():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffRole.objects.create(user=user, role="approver")
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffRole.objects.create(user=user, role="chief_representative")
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffRole.objects.create(user=user, role="window_clerk")
    assert not StaffRole.objects.exists()


def test_the_roles_and_their_centres_are_read_in_one_statement(dept, centre):
    other = ServiceCentreFactory(code="DX02", name="东兴市第二政务服务中心")
    user = services.create_staff_user(
        username="wang.fang", password=PASSWORD, display_name="王芳",
        roles=[("window_clerk", "DX02", None), ("agent", "DX01", None), ("approver", None, "dx-scjg")])
    user = User.objects.get(pk=user.pk)  # nothing cached yet

    with CaptureQueriesContext(connection) as queries:
        held = selectors.centres_held(user)
        roles = selectors.roles_of(user)

    assert len(queries) == 1
    assert [c.pk for c in held] == sorted([centre.pk, other.pk])
    assert {c.code: c.name for c in held} == {"DX01": centre.name, "DX02": other.name}
    assert roles == {"window_clerk", "agent", "approver"}
    assert selectors.centres_held(make_staff("supervisor")) == []


def test_grant_and_revoke_role(dept):
    user = make_staff("supervisor")
    services.grant_role(user=user, role="approver", department_code="dx-scjg")
    assert selectors.roles_of(user) == {"supervisor", "approver"}
    with pytest.raises(Conflict):
        services.grant_role(user=user, role="approver", department_code="dx-scjg")
    with pytest.raises(NotFound):
        services.revoke_role(user=user, role="approver")  # scope must match the role held
    services.revoke_role(user=user, role="approver", department_code="dx-scjg")
    assert selectors.roles_of(user) == {"supervisor"}
    actions = [e.action for e in audit_selectors.events_for(f"user:{user.pk}")]
    assert actions == ["onewindow.role.granted", "onewindow.role.revoked"]


def test_revoking_administrator_removes_admin_site_access():
    user = services.create_staff_user(username="ops", password=PASSWORD, display_name="",
                                      roles=[("administrator", None, None)])
    services.revoke_role(user=user, role="administrator")
    user.refresh_from_db()
    assert not user.is_staff
    assert not user.groups.exists()


def test_inactive_and_anonymous_accounts_hold_no_roles():
    from django.contrib.auth.models import AnonymousUser

    user = make_staff("window_clerk")
    user.is_active = False
    assert selectors.roles_of(user) == set()
    assert selectors.roles_of(AnonymousUser()) == set()
    assert selectors.roles_of(None) == set()
    assert not selectors.centres_of(AnonymousUser()).exists()


def test_users_with_role_filters_by_scope():
    dept_a, dept_b = DepartmentFactory(), DepartmentFactory()
    a = make_staff("approver", department=dept_a, username="a")
    make_staff("approver", department=dept_b, username="b")
    assert list(selectors.users_with_role("approver", department=dept_a)) == [a]
    assert selectors.users_with_role("approver").count() == 2


def test_make_staff_scopes_roles_it_needs():
    clerk = make_staff("window_clerk")
    approver = make_staff("approver")
    assert clerk.staff_roles.get().centre is not None
    assert approver.staff_roles.get().department is not None
    assert clerk.check_password("test-pass-2026")


def test_staff_role_and_window_factories_give_the_scope_each_role_needs():
    from tests.factories import StaffRoleFactory, WindowFactory

    assert StaffRoleFactory(role="approver").department is not None
    assert StaffRoleFactory(role="window_clerk").centre is not None
    supervisor = StaffRoleFactory(role="supervisor")
    assert supervisor.centre is None and supervisor.department is None
    window = WindowFactory()
    assert window.centre.windows.get() == window
