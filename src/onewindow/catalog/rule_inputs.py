"""Form inputs for an item's instant-approval rules (秒批: the catalog states which data decide an
application at once, `Item.instant_approval_rules`). The window's checklist (workbench) and the online
application (portal) both ask for them, so the inputs are built here, beside the rules' definition,
and the cases services evaluate what they collect (cases/rules.py)."""

from __future__ import annotations

from decimal import Decimal

from django import forms


def _rule_field(rule: dict) -> forms.Field:
    """An input for one instant-approval rule's datum: a checkbox for yes/no rules, a number for
    comparisons, text otherwise."""
    label = rule.get("label") or rule.get("field")
    op = rule.get("op")
    if op in ("truthy", "falsy"):
        return forms.BooleanField(label=label, required=False)
    if op in ("lt", "lte", "gt", "gte") or isinstance(rule.get("value"), int | float):
        return forms.DecimalField(label=label, required=False)
    return forms.CharField(label=label, required=False, max_length=200)


def _json_value(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class FormDataMixin(forms.Form):
    """Adds one input per instant-approval rule of an item (`form_<field>`) and collects them."""

    def add_form_data_fields(self, item) -> None:
        self.rule_fields = []
        for rule in item.instant_approval_rules or []:
            if isinstance(rule, dict) and rule.get("field"):
                name = f"form_{rule['field']}"
                if name not in self.fields:
                    self.fields[name] = _rule_field(rule)
                    self.rule_fields.append(name)

    def form_data(self) -> dict:
        data = {}
        for name in self.rule_fields:
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                data[name.removeprefix("form_")] = _json_value(value)
        return data

    def form_data_rows(self):
        return [self[name] for name in self.rule_fields]
