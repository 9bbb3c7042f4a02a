"""Shared factories for every app's tests: organisations, staff accounts and applicants.

    from tests.factories import ApplicantFactory, make_staff
    clerk = make_staff("window_clerk")                 # with a new centre
    approver = make_staff("approver", department=dept)  # scoped to a department
    person = ApplicantFactory()                         # valid resident ID number
    company = ApplicantFactory(enterprise=True)         # valid unified social credit code

Every account's password is TEST_PASSWORD (hashed once per test run: PBKDF2 is slow on purpose).
Importing `tests.factories` needs the project root on sys.path (pytest `pythonpath = ["."]`).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import factory
from django.contrib.auth.hashers import make_password

from onewindow.orgs import identity
from onewindow.orgs.models import (
    Applicant,
    ApplicantKind,
    CentreLevel,
    Department,
    Region,
    RegionLevel,
    Role,
    ServiceCentre,
    StaffRole,
    User,
    Window,
)

TEST_PASSWORD = "test-pass-2026"


@cache
def _hash_with(hasher: str) -> str:
    return make_password(TEST_PASSWORD, hasher=hasher)


def _password_hash() -> str:
    # Cached per hasher: a test module may switch PASSWORD_HASHERS to a fast one.
    from django.contrib.auth.hashers import get_hasher

    return _hash_with(get_hasher("default").algorithm)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    # 459xxx is not a real prefecture, so factory regions never collide with the sample setting.
    code = factory.Sequence(lambda n: f"459{n:09d}")
    name = factory.Sequence(lambda n: f"测试区划{n}")
    level = RegionLevel.COUNTY
    parent = None


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-dept-{n}")
    name = factory.Sequence(lambda n: f"测试局{n}")
    short_name = factory.LazyAttribute(lambda o: o.name[:30])
    region = factory.SubFactory(RegionFactory)


class ServiceCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCentre
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"测试政务服务中心{n}")
    level = CentreLevel.COUNTY
    region = factory.SubFactory(RegionFactory)
    weekend_service = False


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Window

    centre = factory.SubFactory(ServiceCentreFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    name = "综合受理窗口"
    is_comprehensive = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.LazyFunction(_password_hash)
    is_active = True


class StaffRoleFactory(factory.django.DjangoModelFactory):
    """A role with the scope it needs: a department for approvers and chief representatives, a centre
    for clerks and agents, none for the others (override as needed)."""

    class Meta:
        model = StaffRole

    user = factory.SubFactory(UserFactory)
    role = Role.WINDOW_CLERK
    centre = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role in (Role.WINDOW_CLERK, Role.AGENT)),
        yes_declaration=factory.SubFactory(ServiceCentreFactory),
        no_declaration=None,
    )
    department = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role in (Role.APPROVER, Role.CHIEF_REPRESENTATIVE)),
        yes_declaration=factory.SubFactory(DepartmentFactory),
        no_declaration=None,
    )


def _person_id(n: int) -> str:
    # Distinct birth dates (one a day from 1960) and sequence numbers keep generated numbers unique.
    return identity.generate_resident_id(region="450681", birth_date=date(1960, 1, 1) + timedelta(days=n % 20000),
                                         sequence=(n // 20000) % 1000)


def _enterprise_id(n: int) -> str:
    return identity.generate_uscc(region="450681", body=f"{70000000 + n:08d}")


class ApplicantFactory(factory.django.DjangoModelFactory):
    """A person with a valid resident ID number; `ApplicantFactory(enterprise=True)` for an enterprise
    with a valid unified social credit code."""

    class Meta:
        model = Applicant

    class Params:
        enterprise = factory.Trait(
            kind=ApplicantKind.ENTERPRISE,
            name=factory.Sequence(lambda n: f"东兴市测试{n}商贸有限公司"),
            legal_representative="王五",
        )

    kind = ApplicantKind.PERSON
    name = factory.Sequence(lambda n: f"申请人{n}")
    id_number = factory.LazyAttributeSequence(
        lambda o, n: _enterprise_id(n) if o.kind == ApplicantKind.ENTERPRISE else _person_id(n))
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    user = None


def make_staff(role: str, department: Department | None = None, centre: ServiceCentre | None = None,
               username: str | None = None, **user_fields) -> User:
    """A staff account holding `role`, scoped where the role needs it (a new department or centre is
    made when none is given). Administrators are also Django staff, as orgs.services makes them."""
    role = Role(role).value
    if role in (Role.APPROVER, Role.CHIEF_REPRESENTATIVE) and department is None:
        department = DepartmentFactory()
    if role in (Role.WINDOW_CLERK, Role.AGENT) and centre is None:
        centre = ServiceCentreFactory()
    if role == Role.ADMINISTRATOR:
        user_fields.setdefault("is_staff", True)
    user = UserFactory(**({"username": username} if username else {}), **user_fields)
    StaffRole.objects.get_or_create(user=user, role=role, centre=centre, department=department)
    return user


def make_applicant_user(*, enterprise: bool = False, username: str | None = None) -> User:
    """An online applicant account with its Applicant row."""
    user = UserFactory(**({"username": username} if username else {}))
    ApplicantFactory(user=user, name=user.display_name, **({"enterprise": True} if enterprise else {}))
    return user
