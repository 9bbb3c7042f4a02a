"""The case page's action forms: one generic form per action the registry offers the signed-in person
(workflow/forms.py), and the two presentations a generic form cannot express — the acceptance form's
promised date per waivable material, and the supplement notice's reason per listed material. They
decide how a parameter looks, never whether the action is offered (cases/actions.py decides that)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from onewindow.cases.actions import registry
from onewindow.workflow.forms import ActionForm, Presentation
from onewindow.workflow.registry import Choice


class WaiverDates(Presentation):
    """容缺受理: a promised date beside each missing waivable material; a date given is a waiver."""

    fields = ("waivers",)  # a complaint about the waivers as a whole is shown above the form

    def add_fields(self, form, choices: list[Choice]) -> None:
        self.materials = choices
        for choice in choices:
            form.fields[f"promise_{choice.value}"] = forms.DateField(
                label=_("容缺：%(name)s 承诺补齐日期") % {"name": choice.label}, required=False,
                widget=forms.DateInput(attrs={"type": "date"}))

    def params(self, form) -> dict:
        dates = {c.value: form.cleaned_data.get(f"promise_{c.value}") for c in self.materials}
        return {"waivers": {key: value for key, value in dates.items() if value}}


class DefectReasons(Presentation):
    """一次性告知: tick every material that is missing or wrong, and say what is wrong with each."""

    fields = ("defects",)
    aliases = {"defects": "materials"}

    def add_fields(self, form, choices: list[Choice]) -> None:
        self.materials = choices
        form.fields["materials"] = forms.MultipleChoiceField(
            label=_("需补正的材料"), required=False, widget=forms.CheckboxSelectMultiple,
            choices=[(str(c.value), c.label) for c in choices], initial=[str(c.value) for c in choices if c.selected])
        for choice in choices:
            form.fields[f"reason_{choice.value}"] = forms.CharField(
                label=_("%(name)s：需补正的问题") % {"name": choice.label}, required=False, max_length=300,
                help_text=_("如：复印件不清晰；不填则为“材料缺少或不符合要求”"))

    def params(self, form) -> dict:
        ticked = set(form.cleaned_data.get("materials") or ())
        default = _("材料缺少或不符合要求")
        return {"defects": [{"material_id": c.value, "reason": form.cleaned_data.get(f"reason_{c.value}") or default}
                            for c in self.materials if str(c.value) in ticked]}


PRESENTATIONS = {"accept": WaiverDates, "request_supplement": DefectReasons}


def action_forms(user, case, *, data=None, posted: str | None = None) -> list[dict]:
    """The actions `user` may take on `case` now (registry.offers), each with its form (bound to `data`
    for the posted one)."""
    rows = []
    for offer in registry.offers(user, case):
        presentation = PRESENTATIONS[offer.name]() if offer.name in PRESENTATIONS else None
        form = ActionForm(offer, data if posted == offer.name else None, presentation=presentation)
        rows.append({"name": offer.name, "label": offer.action.label, "form": form})
    return rows
