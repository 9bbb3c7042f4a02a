"""Forms of the staff pages. They parse input (types, choices, dates) and nothing more: every rule —
which material may be waived, whether a reason is required, whether a date is acceptable — is checked
by the cases services, whose error is shown beside the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Channel
from onewindow.catalog.models import MaterialSource
from onewindow.catalog.notices import AUTO_SOURCES
from onewindow.catalog.rule_inputs import FormDataMixin
from onewindow.core.forms import choice_field
from onewindow.orgs.models import ApplicantKind

PROVIDED, WAIVED, MISSING, NOT_APPLICABLE = "provided", "waived", "missing", "not_applicable"
FETCH = "fetch"  # an e-certificate material: fetched when the applicant holds one, else the paper copy

# How the application reached the window (收件方式): handed in by the applicant, or received by post
# (then no visit is counted and the result is posted by default).
INTAKE_CHANNELS = [
    (Channel.WINDOW.value, _("窗口当面")),
    (Channel.POST.value, _("邮寄收件")),
]

DECISIONS = [
    ("accept", _("受理")),
    ("accept_with_waiver", _("容缺受理")),
    ("supplement", _("一次性补正告知")),
    ("refuse", _("不予受理")),
]


class ApplicantForm(forms.Form):
    """The applicant at the window: looked up by number, registered when new."""

    applicant_kind = forms.ChoiceField(
        label=_("申请人类型"), choices=ApplicantKind.choices, initial=ApplicantKind.PERSON
    )
    applicant_id_number = forms.CharField(
        label=_("证件号码"), max_length=30, help_text=_("居民身份证号或统一社会信用代码")
    )
    applicant_name = forms.CharField(
        label=_("姓名或名称"), max_length=200, required=False, help_text=_("已登记的申请人可不填")
    )
    applicant_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class ChecklistForm(FormDataMixin, forms.Form):
    """The item's material checklist at the window: per material the clerk marks provided, waived (容缺,
    offered only where the catalog allows it, with the promised date), missing (with what is wrong) or
    not applicable; materials obtained by data sharing are shown, never asked. A material fetched from
    the applicant's e-certificates is fetched by default, and the clerk takes the paper copy instead
    (已提交纸质件) when the applicant has none on file (a new applicant has none)."""

    item_code = forms.CharField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        choices=INTAKE_CHANNELS,
        label=_("收件方式"),
        required=False,
        initial=Channel.WINDOW.value,
        widget=forms.RadioSelect,
    )
    decision = forms.ChoiceField(choices=DECISIONS, label=_("受理决定"))
    reason = forms.CharField(
        label=_("不予受理理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.material_rows = []
        for material in item.materials.all():
            fetch = material.source == MaterialSource.E_CERTIFICATE
            row = {"material": material, "auto": material.source in AUTO_SOURCES and not fetch, "fetch": fetch}
            if not row["auto"]:
                choices = [(FETCH, _("调取电子证照")), (PROVIDED, _("已提交纸质件"))] if fetch else [(PROVIDED, _("已提交"))]
                if material.waivable:
                    choices.append((WAIVED, _("容缺")))
                choices.append((MISSING, _("缺少或有误")))
                if not material.required:
                    choices.append((NOT_APPLICABLE, _("不适用")))
                status = f"status_{material.pk}"
                self.fields[status] = forms.ChoiceField(
                    choices=choices,
                    widget=forms.RadioSelect,
                    label=material.name,
                    initial=FETCH if fetch else PROVIDED if material.required else NOT_APPLICABLE,
                )
                row["status"] = status
                if material.waivable:
                    self.fields[f"promise_{material.pk}"] = forms.DateField(
                        label=_("承诺补齐日期"),
                        required=False,
                        help_text=_("留空即为目录规定的 %(n)s 个工作日期满之日") % {"n": material.waiver_term_days},
                        widget=forms.DateInput(attrs={"type": "date"}),
                    )
                    row["promise"] = f"promise_{material.pk}"
                self.fields[f"defect_{material.pk}"] = forms.CharField(
                    label=_("需补正的问题"), required=False, max_length=200
                )
                row["defect"] = f"defect_{material.pk}"
            self.material_rows.append(row)
        self.add_form_data_fields(item)

    def rows(self):
        """The checklist as the template walks it: bound fields beside each material."""
        for row in self.material_rows:
            yield {
                "material": row["material"],
                "auto": row["auto"],
                "fetch": row["fetch"],
                "status": self[row["status"]] if "status" in row else None,
                "promise": self[row["promise"]] if "promise" in row else None,
                "defect": self[row["defect"]] if "defect" in row else None,
            }

    def _marked(self, status: str) -> list:
        return [
            row["material"]
            for row in self.material_rows
            if "status" in row and self.cleaned_data.get(row["status"]) == status
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        return cleaned

    def provided_material_ids(self) -> list[int]:
        return [m.pk for m in self._marked(PROVIDED)]

    def intake_channel(self) -> str:
        """The chosen 收件方式; a form posted without one (an older page) was handed in at the window."""
        return self.cleaned_data.get("channel") or Channel.WINDOW.value

    def waivers(self) -> dict:
        """{material id: promised date}; a date left empty promises the last day of the material's term."""
        return {m.pk: self.cleaned_data.get(f"promise_{m.pk}") for m in self._marked(WAIVED)}

    def defects(self) -> list[dict]:
        return [
            {"material_id": m.pk, "reason": self.cleaned_data.get(f"defect_{m.pk}") or str(_("未提交"))}
            for m in self._marked(MISSING)
        ]


def _paper_label(material) -> str:
    if material.source == MaterialSource.E_CERTIFICATE:
        return str(_("%(name)s（纸质件，未查到电子证照时）") % {"name": material.name})
    return material.name


class BundleChecklistForm(forms.Form):
    """一件事 at the window: one merged list of documents, each handed in once for every item."""

    bundle_code = forms.CharField(widget=forms.HiddenInput)
    provided = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("已提交的材料")
    )

    def __init__(self, *args, merged_materials, **kwargs):
        super().__init__(*args, **kwargs)
        # An e-certificate material is fetched when the applicant holds one; without it the paper copy
        # is ticked here like any other document.
        self.merged = [m for m in merged_materials if m.source != MaterialSource.DATA_SHARING]
        self.auto = [m for m in merged_materials if m.source == MaterialSource.DATA_SHARING]
        choice_field(self, "provided").choices = [(str(i), _paper_label(m)) for i, m in enumerate(self.merged)]
        self.fields["provided"].initial = [str(i) for i, m in enumerate(self.merged)
                                           if m.required and m.source != MaterialSource.E_CERTIFICATE]

    def provided_material_ids(self) -> list[int]:
        ids: list[int] = []
        for index in self.cleaned_data["provided"]:
            ids.extend(material.pk for material in self.merged[int(index)].materials)
        return ids


class AgentAssignForm(forms.Form):
    """指派代办员: one of the active agent accounts carries the case for the applicant."""

    agent = forms.ChoiceField(label=_("代办员"))

    def set_agents(self, agents, *, current=None) -> None:
        self.agents = {str(a.pk): a for a in agents}
        choice_field(self, "agent").choices = [("", _("请选择代办员"))] + [
            (key, f"{a.display_name or a.get_username()}（{a.get_username()}）") for key, a in self.agents.items()
        ]
        if current is not None and str(current.pk) in self.agents:
            self.fields["agent"].initial = str(current.pk)

    def clean_agent(self):
        value = self.cleaned_data["agent"]
        if value not in self.agents:
            raise forms.ValidationError(_("请选择代办员"))
        return value

    def chosen_agent(self):
        return self.agents[self.cleaned_data["agent"]]
