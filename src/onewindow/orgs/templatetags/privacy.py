"""Template filters that mask personal data: `{% load privacy %}` then `{{ applicant.id_number|mask_id }}`
and `{{ applicant.phone|mask_phone }}`. Rules in onewindow.orgs.identity."""

from django import template

from onewindow.orgs import identity

register = template.Library()


@register.filter
def mask_id(value):
    """Resident ID: 1101**********7578; unified social credit code: 914506********144M."""
    return identity.mask_id_number("" if value is None else str(value))


@register.filter
def mask_phone(value):
    """Mobile: 138****5678."""
    return identity.mask_phone("" if value is None else str(value))
