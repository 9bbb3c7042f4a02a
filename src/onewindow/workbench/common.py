"""What every staff page shares: who may enter the workbench, paging, and turning a DomainError from a
service into a message beside the form field it names."""

from __future__ import annotations

from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import cached_property

from onewindow.core.errors import DomainError
from onewindow.orgs import selectors as org_selectors

PAGE_SIZE = 25


def staff_required(view):
    """Staff pages: anonymous visitors go to the login page; signed-in accounts without a staff role
    (applicants) get a 404, as if the page did not exist for them."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not org_selectors.is_staff_member(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def page(request, rows, *, per_page: int = PAGE_SIZE):
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


LIST_COUNT_CAP = 1000


class BoundedPaginator(Paginator):
    """Counts at most `cap` rows (SELECT COUNT(*) over a subquery with LIMIT): a list of a million
    cases is not counted to show its first page, and its pages end at the cap ("more than …": the
    user narrows the filters). `more` says whether rows lie beyond."""

    def __init__(self, object_list, per_page, *, cap: int = LIST_COUNT_CAP):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def counted(self) -> int:
        rows: QuerySet[Any] = self.object_list  # type: ignore[assignment]  # a queryset (bounded_page's)
        # Unordered: the database finds any cap + 1 matching rows the cheapest way it knows.
        return rows.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)

    @property
    def more(self) -> bool:
        return self.counted > self.cap


def bounded_page(request, rows, *, per_page: int = PAGE_SIZE, cap: int = LIST_COUNT_CAP):
    """A page of `rows` (a queryset in list order) counting at most `cap` of them (BoundedPaginator)."""
    return BoundedPaginator(rows, per_page, cap=cap).get_page(request.GET.get("page"))


def querystring(params: dict) -> str:
    """The current filters without the page number, for pagination links."""
    return urlencode(
        {key: value for key, value in params.items() if value not in (None, "") and key != "page"}
    )


def add_domain_error(form, exc: DomainError, *, aliases: dict[str, str] | None = None) -> None:
    """Show the service's message next to the field it names (or above the form when the field is not
    on this form). `aliases` maps a service's field name to this form's field name."""
    field = (aliases or {}).get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def roles(user) -> set[str]:
    return org_selectors.roles_of(user)
