"""Small helpers for Django forms shared by the pages of several apps."""

from __future__ import annotations

from django import forms


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's choice input `name`, for setting its choices per request (the open tasks, the fees
    of this case). `form.fields` holds plain `Field`s; this checks the input really offers choices."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a choice field")
    return field
