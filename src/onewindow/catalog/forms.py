"""Admin forms of the catalog: the item form validates the item together with its materials and
stages inlines against the catalog rules, so a problem is shown on the form instead of failing on
save, and carries the reason that the announcement publishes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .itemdata import CHANNELS, ITEM_FIELDS, MATERIAL_FIELDS, ItemData, defaults, item_to_data, normalise
from .models import Item, ItemStatus
from .validation import blocks_draft, validate_item


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由（随公告公开）"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


def _formset_rows(formset, fields) -> list[dict]:
    rows = []
    for index, form in enumerate(formset.forms):
        cleaned = getattr(form, "cleaned_data", None) or {}
        if not cleaned or cleaned.get("DELETE"):
            continue
        rows.append((cleaned.get("order") or 0, index, {f: cleaned.get(f) for f in fields}))
    return [row for _o, _i, row in sorted(rows, key=lambda r: (r[0], r[1]))]


def data_from_admin(cleaned: dict[str, Any], formsets: list[forms.BaseModelFormSet[Any, Any]]) -> ItemData:
    """The item's data (catalog-file shape) from the admin form and its inlines."""
    data: ItemData = {}
    for name in ITEM_FIELDS:
        if name == "channels":
            data[name] = [c for c in CHANNELS if cleaned.get(f"channel_{c}")]
        elif name == "department":
            if cleaned.get("department") is not None:
                data[name] = cleaned["department"].code
        elif name == "parent":
            data[name] = cleaned["parent"].code if cleaned.get("parent") is not None else None
        elif name == "life_events":
            data[name] = [e.code for e in cleaned.get("life_events") or []]
        elif name in cleaned:
            data[name] = cleaned[name]
    for formset in formsets:
        model = formset.model._meta.model_name
        if model == "material":
            data["materials"] = _formset_rows(formset, MATERIAL_FIELDS)
        elif model == "stage":
            stages = _formset_rows(formset, ["step", "kind", "name", "limit_days", "department"])
            for s in stages:
                s["department"] = s["department"].code if s["department"] is not None else ""
            data["stages"] = stages
    return data


class ItemAdminForm(forms.ModelForm):
    change_reason = forms.CharField(label=_("修改理由（随公告公开）"), widget=forms.Textarea(attrs={"rows": 2}),
                                    max_length=1000)

    class Meta:
        model = Item
        fields = [
            "code", "name", "kind", "level", "handling_type", "parent", "department", "region_level", "legal_basis",
            "legal_limit_days", "committed_limit_days", "limit_unit", "is_immediate", "is_joint", "extension_days", "max_visits",
            "visit_reason", "online_depth", "has_fee", "fee_description", "fee_amount", "online_payment",
            "channel_window", "channel_online", "channel_post", "channel_self_service", "offers_post_delivery",
            "location", "opening_hours", "phone", "conditions", "result_name", "result_certificate_type",
            "instant_approval_rules", "life_events", "weekend_service", "delegated_down_to", "status", "source_id",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left empty (a form posted without it): the item keeps its level (就近办, catalog/centres.py).
        self.fields["delegated_down_to"].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("delegated_down_to") in (None, ""):
            cleaned.pop("delegated_down_to", None)
        formsets = getattr(self.instance, "_admin_formsets", [])
        if self.errors or not all(fs.is_valid() for fs in formsets):
            return cleaned
        base = item_to_data(self.instance) if self.instance.pk else defaults()
        data, problems = normalise(data_from_admin(cleaned, formsets), base=base)
        self.item_data = data
        problems = problems + validate_item(data)
        if data["status"] == ItemStatus.DRAFT:  # a draft is saved with what it still lacks
            problems = [p for p in problems if blocks_draft(p)]
        for problem in problems:
            if problem.field in self.fields and problem.field not in ("change_reason",):
                self.add_error(problem.field, problem.message)
            else:
                self.add_error(None, f"{problem.field}：{problem.message}")
        return cleaned
