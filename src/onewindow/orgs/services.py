"""Writes about organisations and people: accounts, roles, applicants, revealing identity numbers and
the upserts used to load organisations. One function per action, one transaction, DomainError on bad
input with the database unchanged."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationError

from . import identity, selectors
from .models import (
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

ADMINISTRATORS_GROUP = "管理员"
# Apps whose data administrators maintain in /admin/ (Django permissions for non-superuser admins).
ADMINISTERED_APPS = ("orgs", "catalog", "calendar")

RoleSpec = tuple[str, str | None, str | None]  # (role, centre code, department code)


# --- accounts and roles ----------------------------------------------------------------------------

def _check_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise ValidationError(_("请填写用户名"), field="username")
    try:
        UnicodeUsernameValidator()(username)
    except DjangoValidationError:
        raise ValidationError(_("用户名只能包含字母、数字和 @ . + - _ 字符"), field="username") from None
    if len(username) > 150:
        raise ValidationError(_("用户名不能超过 150 个字符"), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("用户名 %(username)s 已存在") % {"username": username}, field="username")
    return username


def _check_password(password: str, user: User) -> None:
    if not password:
        raise ValidationError(_("请设置密码"), field="password")
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(_("密码不符合要求：%(reasons)s") % {"reasons": "；".join(exc.messages)},
                              field="password") from None


def _resolve_scope(role: str, centre_code: str | None, department_code: str | None):
    """Check a role and its scope; return (role, centre, department). Clerks need a centre, approvers
    and chief representatives a department (also enforced by check constraints in the database)."""
    if role not in Role.values:
        raise ValidationError(
            _("未知角色 %(role)s，可选：%(choices)s") % {"role": role, "choices": ", ".join(Role.values)},
            field="role")
    centre = department = None
    if centre_code:
        centre = ServiceCentre.objects.filter(code=centre_code).first()
        if centre is None:
            raise NotFound(_("没有编码为 %(code)s 的政务服务中心") % {"code": centre_code}, field="centre")
    if department_code:
        department = Department.objects.filter(code=department_code).first()
        if department is None:
            raise NotFound(_("没有编码为 %(code)s 的部门") % {"code": department_code}, field="department")
    if (role in selectors.DEPARTMENT_ROLES or role == Role.DEPARTMENT_HEAD) and department is None:
        raise ValidationError(_("%(role)s 角色必须指定所属部门") % {"role": Role(role).label}, field="department")
    if role == Role.WINDOW_CLERK and centre is None:
        raise ValidationError(_("%(role)s 角色必须指定所在中心") % {"role": Role(role).label}, field="centre")
    return role, centre, department


def _administrators_group() -> Group:
    group, _created = Group.objects.get_or_create(name=ADMINISTRATORS_GROUP)
    wanted = Permission.objects.filter(content_type__app_label__in=ADMINISTERED_APPS)
    if group.permissions.count() != wanted.count():
        group.permissions.set(wanted)
    return group


def _grant(user: User, role: str, centre, department, *, granted_by=None, now=None) -> StaffRole:
    if StaffRole.objects.filter(user=user, role=role, centre=centre, department=department).exists():
        raise Conflict(_("账号 %(user)s 已有该角色") % {"user": user.username}, field="role")
    staff_role = StaffRole.objects.create(user=user, role=role, centre=centre, department=department)
    if role == Role.ADMINISTRATOR:
        # Administrators maintain the catalog, calendar and organisations in /admin/.
        user.groups.add(_administrators_group())
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    selectors.forget_roles(user)
    audit.record(chain_key=f"user:{user.pk}", action="onewindow.role.granted", actor=granted_by,
                 to_state=role, data={"role": role, "centre": centre.code if centre else None,
                                      "department": department.code if department else None}, now=now)
    return staff_role


@transaction.atomic
def create_staff_user(*, username: str, password: str, display_name: str, roles: Iterable[RoleSpec],
                      is_superuser: bool = False, phone: str = "", created_by=None,
                      now: datetime | None = None) -> User:
    """Create a staff account with its scoped roles. Every role is checked before anything is written:
    clerks belong to a centre, approvers and chief representatives to a department. Superusers are
    administrators."""
    username = _check_username(username)
    role_specs = [_resolve_scope(role, centre_code, department_code)
                  for role, centre_code, department_code in roles]
    if is_superuser and not any(role == Role.ADMINISTRATOR for role, _c, _d in role_specs):
        role_specs.append((Role.ADMINISTRATOR.value, None, None))
    if not role_specs:
        raise ValidationError(_("请至少指定一个角色"), field="role")
    user = User(username=username, display_name=(display_name or "").strip(), phone=(phone or "").strip(),
                is_superuser=is_superuser, is_staff=is_superuser)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    seen = set()
    for role, centre, department in role_specs:
        key = (role, centre and centre.pk, department and department.pk)
        if key in seen:
            continue
        seen.add(key)
        _grant(user, role, centre, department, granted_by=created_by, now=now)
    return user


@transaction.atomic
def grant_role(*, user: User, role: str, centre_code: str | None = None, department_code: str | None = None,
               granted_by=None, now: datetime | None = None) -> StaffRole:
    """Give an account one more role (audited on the account's chain)."""
    role, centre, department = _resolve_scope(role, centre_code, department_code)
    return _grant(user, role, centre, department, granted_by=granted_by, now=now)


@transaction.atomic
def revoke_role(*, user: User, role: str, centre_code: str | None = None, department_code: str | None = None,
                revoked_by=None, now: datetime | None = None) -> None:
    """Take a role away (audited). The scope must match the role held."""
    filters = {"user": user, "role": role, "centre__code": centre_code, "department__code": department_code}
    if centre_code is None:
        filters.pop("centre__code")
        filters["centre__isnull"] = True
    if department_code is None:
        filters.pop("department__code")
        filters["department__isnull"] = True
    deleted, _detail = StaffRole.objects.filter(**filters).delete()
    if not deleted:
        raise NotFound(_("账号 %(user)s 没有该角色") % {"user": user.username}, field="role")
    if role == Role.ADMINISTRATOR and not StaffRole.objects.filter(user=user, role=role).exists():
        user.groups.remove(*Group.objects.filter(name=ADMINISTRATORS_GROUP))
        if not user.is_superuser and user.is_staff:
            user.is_staff = False
            user.save(update_fields=["is_staff"])
    selectors.forget_roles(user)
    audit.record(chain_key=f"user:{user.pk}", action="onewindow.role.revoked", actor=revoked_by,
                 from_state=role, data={"role": role, "centre": centre_code, "department": department_code},
                 now=now)


# --- applicants ------------------------------------------------------------------------------------

def _clean_phone(phone: str) -> str:
    phone = "".join((phone or "").split())
    if phone and (len(phone) > 20 or not all(char.isdigit() or char in "+-" for char in phone)):
        raise ValidationError(_("联系电话只能包含数字、+ 和 -，最长 20 位"), field="phone")
    return phone


@transaction.atomic
def register_applicant(*, kind: str, name: str, id_number: str, phone: str = "", user: User | None = None,
                       address: str = "", legal_representative: str = "", bad_credit: bool = False,
                       today=None) -> Applicant:
    """Register a person (resident ID number, GB 11643-1999) or an enterprise (unified social credit
    code, GB 32100-2015). One applicant per number and per account."""
    if kind not in ApplicantKind.values:
        raise ValidationError(_("申请人类型须为 person（自然人）或 enterprise（法人及其他组织）"), field="kind")
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写姓名或名称"), field="name")
    if len(name) > 200:
        raise ValidationError(_("姓名或名称不能超过 200 个字符"), field="name")
    number = identity.validate_id_number(kind, id_number, today=today)
    phone = _clean_phone(phone)
    existing = Applicant.objects.filter(id_number=number).first()
    if existing is not None:
        raise Conflict(_("证件号码 %(number)s 已登记（%(name)s）")
                       % {"number": identity.mask_id_number(number), "name": existing.name}, field="id_number")
    if user is not None and Applicant.objects.filter(user=user).exists():
        raise Conflict(_("账号 %(user)s 已关联申请人") % {"user": user.username}, field="user")
    try:
        with transaction.atomic():
            return Applicant.objects.create(
                kind=kind, name=name, id_number=number, phone=phone, user=user, address=(address or "").strip(),
                legal_representative=(legal_representative or "").strip(), bad_credit=bad_credit)
    except IntegrityError:  # a concurrent registration of the same number won the race
        raise Conflict(_("证件号码 %(number)s 已登记") % {"number": identity.mask_id_number(number)},
                       field="id_number") from None


@transaction.atomic
def create_applicant_user(*, username: str, password: str, kind: str, name: str, id_number: str,
                          phone: str = "", today=None) -> User:
    """An online account for an applicant (person or enterprise), with its Applicant row."""
    username = _check_username(username)
    user = User(username=username, display_name=(name or "").strip()[:100], phone=_clean_phone(phone))
    # Validate the identity before the password so the most specific error is reported first.
    identity.validate_id_number(kind, id_number, today=today)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    register_applicant(kind=kind, name=name, id_number=id_number, phone=phone, user=user, today=today)
    return user


def reveal_identity(*, viewer: User, applicant: Applicant, handling: bool = False, reason: str = "",
                    now: datetime | None = None) -> str:
    """Return the full identity number to a viewer allowed to see it (orgs.selectors.can_see_full_identity)
    and append `onewindow.identity.revealed` to the applicant's audit chain. A refused attempt is
    recorded as `onewindow.identity.reveal_refused` and then PermissionDenied is raised (the record is
    kept unless the caller's own transaction rolls back). Personal Information Protection Law Art. 51:
    access to sensitive personal information is controlled and recorded."""
    allowed = selectors.can_see_full_identity(viewer, applicant, handling=handling)
    actor = viewer if getattr(viewer, "pk", None) else None
    # The audit data carries the masked number only: the trail must not become a copy of the secret.
    data = {"applicant": applicant.pk, "kind": applicant.kind,
            "id_number": identity.mask_id_number(applicant.id_number), "handling": handling}
    with transaction.atomic():
        audit.record(chain_key=f"applicant:{applicant.pk}",
                     action="onewindow.identity.revealed" if allowed else "onewindow.identity.reveal_refused",
                     actor=actor, reason=reason, data=data, now=now)
    if not allowed:
        raise PermissionDenied(_("无权查看该申请人的完整证件号码"), field="id_number")
    return applicant.id_number


def record_lookup(*, viewer: User, applicant: Applicant, now: datetime | None = None) -> None:
    """A window clerk typed an identity number and was told whose it is (the name, the masked number):
    that too discloses personal information, so it is appended to the applicant's audit chain as
    `onewindow.identity.looked_up` (masked number only), like a full reveal."""
    data = {"applicant": applicant.pk, "kind": applicant.kind, "id_number": identity.mask_id_number(applicant.id_number)}
    with transaction.atomic():
        audit.record(chain_key=f"applicant:{applicant.pk}", action="onewindow.identity.looked_up",
                     actor=viewer if getattr(viewer, "pk", None) else None, data=data, now=now)


def add_applicant_phone(*, clerk: User, applicant: Applicant, phone: str, now: datetime | None = None) -> bool:
    """The window adds a contact number an applicant on record lacks (so notices can reach them); a
    number already on record is kept (the applicant changes their own). Recorded on the applicant's
    chain (`onewindow.applicant.phone_added`, the number masked). True when it was added."""
    phone = _clean_phone(phone)
    if not phone:
        return False
    with transaction.atomic():
        locked = Applicant.objects.select_for_update().get(pk=applicant.pk)
        if locked.phone:
            return False
        locked.phone = phone
        locked.save(update_fields=["phone"])
        applicant.phone = phone
        audit.record(chain_key=f"applicant:{applicant.pk}", action="onewindow.applicant.phone_added",
                     actor=clerk if getattr(clerk, "pk", None) else None,
                     data={"phone": f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"}, now=now)
    return True


# --- organisation upserts (sample loading, imports) -------------------------------------------------

def _apply(obj, values: dict) -> bool:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    return bool(changed)


@transaction.atomic
def upsert_region(*, code: str, name: str, level: int, parent_code: str | None = None) -> tuple[Region, str]:
    """Create or update a region by its code. Returns (region, "created" | "updated" | "unchanged")."""
    if level not in RegionLevel.values:
        raise ValidationError(_("区划层级须为 1—5"), field="level")
    if not (code and code.isdigit() and len(code) <= 12):
        raise ValidationError(_("区划代码须为最多 12 位数字"), field="code")
    parent = None
    if parent_code:
        parent = Region.objects.filter(code=parent_code).first()
        if parent is None:
            raise NotFound(_("没有区划代码为 %(code)s 的上级区划") % {"code": parent_code}, field="parent")
        if parent.level >= level:
            raise ValidationError(_("上级区划的层级须高于本区划"), field="parent")
    values = {"name": name, "level": level, "parent": parent}
    region = Region.objects.filter(code=code).first()
    if region is None:
        return Region.objects.create(code=code, **values), "created"
    return region, "updated" if _apply(region, values) else "unchanged"


@transaction.atomic
def upsert_department(*, code: str, name: str, region_code: str, short_name: str = "",
                      is_active: bool = True) -> tuple[Department, str]:
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise NotFound(_("没有区划代码为 %(code)s 的区划") % {"code": region_code}, field="region")
    values = {"name": name, "region": region, "short_name": short_name, "is_active": is_active}
    department = Department.objects.filter(code=code).first()
    if department is None:
        return Department.objects.create(code=code, **values), "created"
    return department, "updated" if _apply(department, values) else "unchanged"


@transaction.atomic
def upsert_centre(*, code: str, name: str, level: int, region_code: str, weekend_service: bool = False,
                  address: str = "", phone: str = "", opening_hours: str = "",
                  windows: list[tuple[str, str, bool]] | None = None) -> tuple[ServiceCentre, str]:
    """Create or update a service centre by code; `windows` (number, name, comprehensive) are upserted
    by number (windows not listed are kept: cases may refer to them)."""
    if level not in CentreLevel.values:
        raise ValidationError(_("中心层级须为 2—5"), field="level")
    if not code or not code.isalnum():
        raise ValidationError(_("中心编码只能包含字母和数字"), field="code")
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise NotFound(_("没有区划代码为 %(code)s 的区划") % {"code": region_code}, field="region")
    values = {"name": name, "level": level, "region": region, "weekend_service": weekend_service,
              "address": address, "phone": phone, "opening_hours": opening_hours}
    centre = ServiceCentre.objects.filter(code=code).first()
    if centre is None:
        centre, outcome = ServiceCentre.objects.create(code=code, **values), "created"
    else:
        outcome = "updated" if _apply(centre, values) else "unchanged"
    for number, window_name, comprehensive in windows or []:
        window = Window.objects.filter(centre=centre, number=number).first()
        if window is None:
            Window.objects.create(centre=centre, number=number, name=window_name, is_comprehensive=comprehensive)
            outcome = "updated" if outcome == "unchanged" else outcome
        elif _apply(window, {"name": window_name, "is_comprehensive": comprehensive}):
            outcome = "updated" if outcome == "unchanged" else outcome
    return centre, outcome
