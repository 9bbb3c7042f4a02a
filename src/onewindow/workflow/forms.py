"""A page's form for an action, built from the action's params model and the options the registry offers
(registry.Offer): text → a text input (a text area for long text), int → a number, date → a date input,
a Literal → a select, a list of ids with options → checkboxes, an id with options → a select (hidden
when there is one option). A `Presentation` takes over the few parameters a generic form cannot show
(a date per waived material, a reason per listed material); it is presentation only — whether the action
is offered is the registry's answer alone.

The form parses (types, options) and nothing more: every rule is the service's, and its error is shown
beside the field it names."""

from __future__ import annotations

import typing
from datetime import date
from typing import Any

import annotated_types
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from .registry import Choice, Labels, Multiline, Offer


class Presentation:
    """Per-action presentation override: the parameters in `fields` are shown by `add_fields` and
    collected by `params`; `aliases` maps a service's field name to one of this form's fields."""

    fields: tuple[str, ...] = ()
    aliases: dict[str, str] = {}

    def add_fields(self, form: ActionForm, choices: list[Choice]) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def params(self, form: ActionForm) -> dict:  # pragma: no cover - interface
        raise NotImplementedError


def _meta(info, kind):
    return next((m for m in info.metadata if isinstance(m, kind)), None)


def _bound(info, kind, attribute):
    found = _meta(info, kind)
    return getattr(found, attribute) if found is not None else None


def _choice_list(choices: list[Choice]) -> list[tuple[str, str]]:
    return [(str(c.value), str(c.label)) for c in choices]


class ActionForm(forms.Form):
    """The form of one offered action; `params()` gives the dict registry.perform validates."""

    def __init__(self, offer: Offer, data=None, *, presentation: Presentation | None = None, **kwargs):
        super().__init__(data, prefix=offer.name, **kwargs)
        self.offer, self.presentation = offer, presentation
        self._convert: dict[str, Any] = {}
        taken = set(presentation.fields) if presentation else set()
        for name, info in offer.action.params.model_fields.items():
            if name in taken:
                if presentation is not None:
                    presentation.add_fields(self, offer.choices.get(name, []))
                continue
            field = self._field(name, info, offer.choices.get(name))
            if field is not None:
                field.label = _(info.title) if info.title else name
                self.fields[name] = field

    def _field(self, name: str, info, choices: list[Choice] | None) -> forms.Field | None:
        annotation = info.annotation
        origin = typing.get_origin(annotation)
        if choices is not None:
            values = {str(c.value): c.value for c in choices}
            if origin is list:
                if not choices:
                    return None
                self._convert[name] = lambda picked, values=values: [values[v] for v in picked]
                return forms.MultipleChoiceField(
                    choices=_choice_list(choices), required=False, widget=forms.CheckboxSelectMultiple,
                    initial=[str(c.value) for c in choices if c.selected])
            self._convert[name] = lambda picked, values=values: values[picked]
            selected = next((str(c.value) for c in choices if c.selected), None)
            if len(choices) == 1:
                return forms.ChoiceField(choices=_choice_list(choices), initial=str(choices[0].value),
                                         widget=forms.HiddenInput)
            return forms.ChoiceField(choices=_choice_list(choices), initial=selected)
        if origin is typing.Literal:
            labels = dict(_meta(info, Labels).choices) if _meta(info, Labels) else {}
            return forms.ChoiceField(choices=[(v, labels.get(v, v)) for v in typing.get_args(annotation)],
                                     initial=info.default if isinstance(info.default, str) else None)
        if annotation is int:
            return forms.IntegerField(required=info.is_required(), min_value=_bound(info, annotated_types.Ge, "ge"),
                                      max_value=_bound(info, annotated_types.Le, "le"))
        if annotation is date:
            return forms.DateField(required=info.is_required(), widget=forms.DateInput(attrs={"type": "date"}))
        if annotation is bool:
            return forms.BooleanField(required=False)
        if annotation is str:
            # Required text is checked by the service, whose message says what is missing and why.
            widget = forms.Textarea(attrs={"rows": 2}) if _meta(info, Multiline) else forms.TextInput
            return forms.CharField(required=False, max_length=_bound(info, annotated_types.MaxLen, "max_length"),
                                   widget=widget, strip=True)
        raise ImproperlyConfigured(f"action {self.offer.name}: parameter {name} ({annotation}) needs a Presentation")

    def params(self) -> dict:
        params = {}
        for name, value in self.cleaned_data.items():
            if name not in self.offer.action.params.model_fields or value is None:
                continue  # a presentation's own inputs, or an optional number left empty
            convert = self._convert.get(name)
            params[name] = convert(value) if convert else value
        if self.presentation is not None:
            params.update(self.presentation.params(self))
        return params

    def error_field(self, field: str | None) -> str | None:
        """The field of this form a service's error belongs beside (None: above the form)."""
        if field and self.presentation is not None:
            field = self.presentation.aliases.get(field.split(".")[0], field)
        if field and field not in self.fields:
            field = field.split(".")[0]
        return field if field in self.fields else None
