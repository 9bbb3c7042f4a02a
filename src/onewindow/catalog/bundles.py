"""Pure computations on a bundle (一件事): one merged set of materials and one combined limit.

A bundle is applied for once with one set of documents ("one form, one set of materials"), so a
document several of its items ask for is asked for once; the items are handled in parallel, so the
bundle takes as long as its slowest item, not the sum of all."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Max

from .models import Bundle, ItemStatus, Material, MaterialForm
from .text import normalise_name

_FORM_STRICTNESS = {"paper": 2, "electronic": 1, "both": 0}  # "both" accepts either: the loosest


@dataclass
class MergedMaterial:
    """One document of a bundle's merged list, with the strictest requirement of the items asking it."""

    name: str
    required: bool
    condition: str
    source: str
    form: str
    copies: int
    original_required: bool
    waivable: bool
    certificate_type: str
    note: str
    item_codes: list[str] = field(default_factory=list)
    materials: list[Material] = field(default_factory=list)
    waiver_term_days: int = 0  # the shortest term of the items asking it

    def get_source_display(self):
        return self.materials[0].get_source_display() if self.materials else self.source

    def get_form_display(self):
        return dict(MaterialForm.choices).get(self.form, self.form)


def _key(material: Material) -> str:
    return f"cert:{material.certificate_type}" if material.certificate_type else f"name:{normalise_name(material.name)}"


def bundle_materials(bundle: Bundle) -> list[MergedMaterial]:
    """The bundle's materials, duplicates removed. Two materials are the same document when they share
    a certificate type, or failing that the same normalised name. The merged entry keeps the strictest
    requirement: required if any item requires it (otherwise the conditions joined), original if any
    asks for the original, the most copies, waivable only if every item allows it."""
    merged: dict[str, MergedMaterial] = {}
    by_name: dict[str, str] = {}
    materials = (Material.objects.filter(item__bundle_items__bundle=bundle)
                 .exclude(item__status=ItemStatus.ABOLISHED)
                 .select_related("item").order_by("item__bundle_items__order", "order", "id"))
    for m in materials:
        key = _key(m)
        # A certificate-typed material also matches an untyped one of the same name.
        key = by_name.get(normalise_name(m.name), key) if not m.certificate_type else key
        entry = merged.get(key)
        if entry is None:
            entry = merged[key] = MergedMaterial(
                name=m.name, required=m.required, condition=m.condition, source=m.source, form=m.form,
                copies=m.copies, original_required=m.original_required, waivable=m.waivable,
                certificate_type=m.certificate_type, note=m.note, waiver_term_days=m.waiver_term_days)
            by_name.setdefault(normalise_name(m.name), key)
        else:
            if m.required and not entry.required:
                entry.required, entry.condition = True, ""
            elif not m.required and not entry.required and m.condition and m.condition not in entry.condition:
                entry.condition = f"{entry.condition}；{m.condition}" if entry.condition else m.condition
            entry.original_required = entry.original_required or m.original_required
            entry.copies = max(entry.copies, m.copies)
            entry.waivable = entry.waivable and m.waivable
            entry.waiver_term_days = min(entry.waiver_term_days, m.waiver_term_days)
            if _FORM_STRICTNESS.get(m.form, 0) > _FORM_STRICTNESS.get(entry.form, 0):
                entry.form = m.form
            if m.note and m.note not in entry.note:
                entry.note = f"{entry.note}；{m.note}" if entry.note else m.note
        if m.item.code not in entry.item_codes:
            entry.item_codes.append(m.item.code)
        entry.materials.append(m)
    return list(merged.values())


def bundle_limits(bundle: Bundle) -> dict[str, int]:
    """{limit unit: the longest committed limit of the bundle's (not abolished) items in that unit}:
    its items run in parallel, so the bundle takes as long as its slowest item, not the sum. Working
    and natural days are not compared with each other (which ends later depends on the calendar)."""
    rows = (bundle.items.exclude(status=ItemStatus.ABOLISHED).order_by().values("limit_unit")
            .annotate(longest=Max("committed_limit_days")))
    return {row["limit_unit"]: row["longest"] or 0 for row in rows}


def bundle_limit_days(bundle: Bundle) -> int:
    """The bundle's committed limit in working days (the longest limit of its items counted in
    working days; 0 for an empty bundle). See bundle_limits for items counted in natural days."""
    return bundle_limits(bundle).get("working", 0)
