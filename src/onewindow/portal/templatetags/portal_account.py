"""{% signed_in_as user as account %}: who is signed in, for the header of every page (name, and
whether the account is staff, whose pages are the workbench's)."""

from __future__ import annotations

from django import template

from onewindow.orgs import selectors as org_selectors

register = template.Library()


@register.simple_tag
def signed_in_as(user) -> dict | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return {"name": user.display_name or user.get_username(), "staff": org_selectors.is_staff_member(user)}
