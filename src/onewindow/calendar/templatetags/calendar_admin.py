from django import template

from onewindow.calendar import selectors

register = template.Library()


@register.simple_tag
def calendar_missing_year_warning():
    """The December reminder that next year's official schedule is missing (or "")."""
    return selectors.missing_next_year_warning() or ""
