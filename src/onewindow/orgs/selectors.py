"""Reads about organisations and people: who holds which role where, who may see a full identity
number, and finding applicants."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onewindow.core import fastsql

from . import identity
from .models import (
    Applicant,
    Department,
    PhoneConfirmation,
    RegionLevel,
    Role,
    ServiceCentre,
    StaffRole,
    User,
)

DEPARTMENT_ROLES = frozenset({Role.APPROVER, Role.CHIEF_REPRESENTATIVE})
CENTRE_ROLES = frozenset({Role.WINDOW_CLERK, Role.AGENT})
_ROLE_CACHE = "_onewindow_roles"
# Read on every staff request and every submission: compiled once (core/fastsql.py).
# The role rows come with their centres (a clerk's submission needs both): one statement.
_ROLE_ROWS = fastsql.Select(StaffRole, "{user} = %s", related=("centre",))
_APPLICANT_BY_NUMBER = fastsql.Select(Applicant, "{id_number} = %s", order_by=("id",), limit=1)


def _staff_roles(user) -> tuple[frozenset[str], frozenset[tuple[str, int | None, int | None]], list[ServiceCentre]]:
    """(role values, (role, centre id, department id) of every StaffRole row, the centres of those rows
    by id) in one query, cached on the user object for the request (grant_role/revoke_role clear it);
    nothing for anonymous and inactive accounts."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset(), frozenset(), []
    cached = getattr(user, _ROLE_CACHE, None)
    if cached is None:
        rows = _ROLE_ROWS.all([user.pk])
        scopes = frozenset((row.role, row.centre_id, row.department_id) for row in rows)
        roles = frozenset(role for role, _centre, _department in scopes)
        if user.is_superuser:
            roles = roles | {Role.ADMINISTRATOR.value}
        centres = sorted({row.centre.pk: row.centre for row in rows if row.centre is not None}.values(),
                         key=lambda centre: centre.pk)
        cached = (roles, scopes, centres)
        setattr(user, _ROLE_CACHE, cached)
    return cached


def roles_of(user) -> set[str]:
    """The role values the account holds (see orgs.models.Role). A superuser also counts as an
    administrator. Anonymous and inactive accounts hold none. Cached on the user object for the request
    with where each role is held (role_scopes); grant_role/revoke_role clear the cache."""
    return set(_staff_roles(user)[0])


def role_scopes(user, roles) -> tuple[set[int], set[int]]:
    """(centre ids, department ids) where the account holds any of `roles`, from roles_of's cache: no
    query once the roles are known."""
    wanted = {str(role) for role in roles}
    held = [(centre, department) for role, centre, department in _staff_roles(user)[1] if role in wanted]
    return ({c for c, _d in held if c is not None}, {d for _c, d in held if d is not None})


def forget_roles(user) -> None:
    if user is not None and hasattr(user, _ROLE_CACHE):
        delattr(user, _ROLE_CACHE)


def is_role(user, role: str) -> bool:
    return str(role) in roles_of(user)


def is_staff_member(user) -> bool:
    """Any staff role at all (the workbench is for these accounts)."""
    return bool(roles_of(user))


def departments_of(user, *, roles=DEPARTMENT_ROLES) -> QuerySet[Department]:
    """Departments the account acts for as approver or chief representative."""
    if not roles_of(user):
        return Department.objects.none()
    return Department.objects.filter(staff_roles__user=user, staff_roles__role__in=list(roles)).distinct()


def centres_of(user) -> QuerySet[ServiceCentre]:
    """Centres the account works at (clerks, agents and any other role scoped to a centre)."""
    if not roles_of(user):
        return ServiceCentre.objects.none()
    return ServiceCentre.objects.filter(staff_roles__user=user).distinct()


def centres_held(user) -> list[ServiceCentre]:
    """centres_of as a list ordered by id, from the roles' cache: read with the role rows, no query of
    its own (the submission path)."""
    return list(_staff_roles(user)[2])


def users_with_role(role: str, *, department: Department | None = None,
                    centre: ServiceCentre | None = None) -> QuerySet[User]:
    """Active accounts holding `role`, optionally at one department or centre (e.g. to route a stage)."""
    filters = {"staff_roles__role": role, "is_active": True}
    if department is not None:
        filters["staff_roles__department"] = department
    if centre is not None:
        filters["staff_roles__centre"] = centre
    return User.objects.filter(**filters).distinct().order_by("username")


def applicant_for_user(user) -> Applicant | None:
    """The applicant (person or enterprise) behind an online account, or None for staff."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Applicant.objects.filter(user=user).first()


def find_applicant_by_id_number(id_number: str) -> Applicant | None:
    """Look up by resident ID number or unified social credit code (spaces and case ignored)."""
    number = identity.normalize(id_number)
    if not number:
        return None
    return _APPLICANT_BY_NUMBER.first([number])


def search_applicants(query: str, *, limit: int = 20) -> QuerySet[Applicant]:
    """Applicants whose name contains `query` or whose number equals it (window look-up)."""
    query = (query or "").strip()
    if not query:
        return Applicant.objects.none()
    number = identity.normalize(query)
    if len(number) == 18:
        return Applicant.objects.filter(id_number=number)[:limit]
    return Applicant.objects.filter(name__icontains=query).order_by("name", "pk")[:limit]


def can_see_full_identity(user, applicant: Applicant, *, handling: bool = False) -> bool:
    """Who may see an applicant's full identity number (everyone else sees it masked):

    - the applicant's own account;
    - administrators (and superusers), who maintain accounts;
    - window clerks of any centre: one-window intake accepts any applicant anywhere and the clerk
      checks the number against the ID card or licence presented;
    - approvers, chief representatives and agents only while handling a case of this applicant
      (`handling=True`, asserted by the caller that checked the case assignment);
    - supervisors never: supervision works on masked data.

    Personal Information Protection Law Art. 28 and 51: sensitive personal information is accessible
    only to those who need it; every reveal is audited (services.reveal_identity).
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if applicant.user_id is not None and applicant.user_id == user.pk:
        return True
    roles = roles_of(user)
    if Role.ADMINISTRATOR in roles or Role.WINDOW_CLERK in roles:
        return True
    if handling and roles & {Role.APPROVER, Role.CHIEF_REPRESENTATIVE, Role.AGENT}:
        return True
    return False


def displayed_id_number(user, applicant: Applicant, *, handling: bool = False) -> str:
    """The number as this viewer may see it without an audited reveal: full only for the applicant
    themself, masked for everyone else (staff reveal it through services.reveal_identity)."""
    if applicant.user_id is not None and user is not None and applicant.user_id == getattr(user, "pk", None):
        return applicant.id_number
    return identity.mask_id_number(applicant.id_number)


def online_centre(region=None) -> ServiceCentre | None:
    """The centre that receives online and API applications: the highest-level centre of `region`
    (the county centre of the item's region), or failing that the highest-level centre of the
    installation."""
    centres = ServiceCentre.objects.order_by("level", "code")
    return (centres.filter(region=region).first() if region is not None else None) or centres.first()


def active_department_ids() -> list[int]:
    return list(Department.objects.filter(is_active=True).order_by("id").values_list("id", flat=True))


def departments() -> list[Department]:
    """The active departments, by code (a list's department filter)."""
    return list(Department.objects.filter(is_active=True).order_by("code", "id"))


def centres() -> list[ServiceCentre]:
    return list(ServiceCentre.objects.order_by("code"))


def centre_by_code(code: str) -> ServiceCentre | None:
    return ServiceCentre.objects.filter(code=(code or "").strip()).first()


def username_for_sign_in(login: str) -> str:
    """Applicants sign in with their user name or their identity number: the user name to authenticate
    (the input itself when it names an account or matches no linked number)."""
    login = (login or "").strip()
    if not login or User.objects.filter(username=login).exists():
        return login
    number = identity.normalize(login)
    if len(number) == 18:
        username = (Applicant.objects.filter(id_number=number, user__isnull=False)
                    .values_list("user__username", flat=True).first())
        if username:
            return username
    return login


def pending_registration(confirmation_id) -> PhoneConfirmation | None:
    """The registration waiting for its phone code (its id is kept in the applicant's session), or None."""
    if not confirmation_id:
        return None
    return PhoneConfirmation.objects.filter(pk=confirmation_id).first()


def reconsideration_body(department: Department) -> str:
    """The body that hears an administrative reconsideration of ``department``'s acts, as printed on its
    decisions: the department's own entry when set (vertically led bodies — customs, finance, foreign
    exchange, tax, state security — go to the competent department one level up, Administrative
    Reconsideration Law 2023 Art. 27); else the people's government of the department's region, going up
    to the first county-level region or above (Art. 24: county-level and higher governments hear the
    cases of their own departments)."""
    if department.reconsideration_body.strip():
        return department.reconsideration_body.strip()
    region = department.region
    while region.level > RegionLevel.COUNTY and region.parent is not None:
        region = region.parent
    return _("%(region)s人民政府") % {"region": region.name}
