"""Forms of the public case pages: the progress query and the online application. They parse input
only; the cases services decide what is acceptable and their message lands beside the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import MaterialSource
from onewindow.catalog.notices import AUTO_SOURCES
from onewindow.catalog.rule_inputs import FormDataMixin
from onewindow.core import uploads
from onewindow.core.errors import DomainError
from onewindow.core.forms import choice_field


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("办件编号"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "DX01-20261125-0001", "autocomplete": "off"}),
    )
    code = forms.CharField(
        label=_("查询码"), max_length=12, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def clean_number(self):
        return self.cleaned_data["number"].strip().upper()

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class DomainErrorMixin(forms.Form):
    def add_domain_error(self, exc: DomainError) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)


class ApplicationForm(DomainErrorMixin, FormDataMixin, forms.Form):
    """Online application: tick each document attached (or upload it), fill the form fields the
    instant-approval rules read. Documents the system fetches (data sharing, the applicant's own
    e-certificates) are listed but never asked for; an e-certificate the applicant does not hold is
    asked for like any other document."""

    token = forms.CharField(widget=forms.HiddenInput)  # idempotency: a double click makes one case

    def __init__(self, *args, item, centres=(), held_certificate_types=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        if len(centres) > 1:  # 就近办: the item is handled at several centres; the applicant picks one
            self.fields["centre"] = forms.ChoiceField(  # left empty: the county's centre, as before
                label=_("办理中心"), widget=forms.RadioSelect, required=False,
                choices=[(c.code, f"{c.name}（{c.level_label}）") for c in centres])
        self.material_rows = []
        for material in item.materials.all():
            # An e-certificate material the applicant holds is fetched; one they do not hold (a new
            # applicant) is uploaded or brought like any other document.
            unheld = (material.source == MaterialSource.E_CERTIFICATE
                      and material.certificate_type not in held_certificate_types)
            row = {"material": material, "auto": material.source in AUTO_SOURCES and not unheld,
                   "unheld": unheld}
            if not row["auto"]:
                self.fields[f"provided_{material.pk}"] = forms.BooleanField(
                    label=material.name, required=False, initial=False
                )
                self.fields[f"file_{material.pk}"] = forms.FileField(label=_("上传文件"), required=False)
                row["provided"] = f"provided_{material.pk}"
                row["file"] = f"file_{material.pk}"
            self.material_rows.append(row)
        self.add_form_data_fields(item)

    def rows(self):
        for row in self.material_rows:
            yield {
                "material": row["material"],
                "auto": row["auto"],
                "unheld": row["unheld"],
                "provided": self[row["provided"]] if "provided" in row else None,
                "file": self[row["file"]] if "file" in row else None,
            }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for row in self.material_rows:
            upload = cleaned.get(row.get("file", ""))
            if upload:
                try:  # size and type by content, not by name (core.uploads)
                    uploads.check_upload(upload, field=row["file"])
                except DomainError as exc:
                    self.add_error(row["file"], exc.message)
        return cleaned

    def files_by_material(self) -> dict:
        return {
            row["material"].pk: self.cleaned_data[row["file"]]
            for row in self.material_rows
            if row.get("file") and self.cleaned_data.get(row["file"])
        }

    def provided_material_ids(self) -> list[int]:
        # An uploaded file counts as handed in even if the box was not ticked.
        return [
            row["material"].pk
            for row in self.material_rows
            if "provided" in row
            and (self.cleaned_data.get(row["provided"]) or self.cleaned_data.get(row["file"]))
        ]


def _paper_label(material) -> str:
    if material.source == MaterialSource.E_CERTIFICATE:
        return str(_("%(name)s（没有电子证照时）") % {"name": material.name})
    return material.name


class BundleApplicationForm(DomainErrorMixin, forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    provided = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("我已准备的材料")
    )

    def __init__(self, *args, merged_materials, **kwargs):
        super().__init__(*args, **kwargs)
        # An e-certificate material is fetched when the applicant holds one; without it they tick it here.
        self.merged = [m for m in merged_materials if m.source != MaterialSource.DATA_SHARING]
        self.auto = [m for m in merged_materials if m.source == MaterialSource.DATA_SHARING]
        choice_field(self, "provided").choices = [(str(i), _paper_label(m)) for i, m in enumerate(self.merged)]

    def provided_material_ids(self) -> list[int]:
        ids: list[int] = []
        for index in self.cleaned_data["provided"]:
            ids.extend(material.pk for material in self.merged[int(index)].materials)
        return ids
