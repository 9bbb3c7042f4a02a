"""The rating form shared by the public rating page and the window's pad: the overall level and the
dimensions of the service's mode (online or in person), as radio buttons, and an optional comment. It
parses and nothing more: every rule is ratings.services.rate's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import COMMENT_CHARS
from .states import DIMENSIONS, Dimension, Level

LEVELS = [(str(value), label) for value, label in Level.choices]


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(label=_("总体评价"), choices=LEVELS, coerce=int, widget=forms.RadioSelect,
                                   error_messages={"required": _("请选择总体评价")})
    comment = forms.CharField(label=_("意见建议（可不填）"), required=False, max_length=COMMENT_CHARS,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, mode: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.dimension_names = [str(d) for d in DIMENSIONS[mode]]
        for name in self.dimension_names:
            self.fields[name] = forms.TypedChoiceField(
                label=Dimension(name).label, choices=LEVELS, coerce=int, required=False, empty_value=None,
                widget=forms.RadioSelect)
        self.order_fields(["level", *self.dimension_names, "comment"])

    def dimensions(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in self.dimension_names
                if self.cleaned_data.get(name) is not None}
