"""Forms of the staff pages. They parse input (types, choices, dates) and nothing more: every rule —
which material may be waived, whether a reason is required, whether a date is acceptable — is checked
by the cases services, whose error is shown beside the field it names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import CaseMaterialStatus, Channel, DeliveryMethod, ProcedureKind
from onewindow.catalog.notices import AUTO_SOURCES
from onewindow.catalog.rule_inputs import FormDataMixin
from onewindow.core.forms import choice_field
from onewindow.orgs.models import ApplicantKind

PROVIDED, WAIVED, MISSING, NOT_APPLICABLE = "provided", "waived", "missing", "not_applicable"

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
    not applicable; materials obtained by data sharing or e-certificate are shown, never asked."""

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
            row = {"material": material, "auto": material.source in AUTO_SOURCES}
            if not row["auto"]:
                choices = [(PROVIDED, _("已提交"))]
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
                    initial=PROVIDED if material.required else NOT_APPLICABLE,
                )
                row["status"] = status
                if material.waivable:
                    self.fields[f"promise_{material.pk}"] = forms.DateField(
                        label=_("承诺补齐日期"),
                        required=False,
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
        # A waiver without its promised date cannot be put to the service at all: say so here.
        for material in self._marked(WAIVED):
            if not cleaned.get(f"promise_{material.pk}"):
                self.add_error(f"promise_{material.pk}", _("容缺材料须填写申请人承诺补齐的日期"))
        return cleaned

    def provided_material_ids(self) -> list[int]:
        return [m.pk for m in self._marked(PROVIDED)]

    def intake_channel(self) -> str:
        """The chosen 收件方式; a form posted without one (an older page) was handed in at the window."""
        return self.cleaned_data.get("channel") or Channel.WINDOW.value

    def waivers(self) -> dict:
        return {m.pk: self.cleaned_data[f"promise_{m.pk}"] for m in self._marked(WAIVED)}

    def defects(self) -> list[dict]:
        return [
            {"material_id": m.pk, "reason": self.cleaned_data.get(f"defect_{m.pk}") or str(_("未提交"))}
            for m in self._marked(MISSING)
        ]


class BundleChecklistForm(forms.Form):
    """一件事 at the window: one merged list of documents, each handed in once for every item."""

    bundle_code = forms.CharField(widget=forms.HiddenInput)
    provided = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("已提交的材料")
    )

    def __init__(self, *args, merged_materials, **kwargs):
        super().__init__(*args, **kwargs)
        self.merged = [m for m in merged_materials if m.source not in AUTO_SOURCES]
        self.auto = [m for m in merged_materials if m.source in AUTO_SOURCES]
        choice_field(self, "provided").choices = [(str(i), m.name) for i, m in enumerate(self.merged)]
        self.fields["provided"].initial = [str(i) for i, m in enumerate(self.merged) if m.required]

    def provided_material_ids(self) -> list[int]:
        ids: list[int] = []
        for index in self.cleaned_data["provided"]:
            ids.extend(material.pk for material in self.merged[int(index)].materials)
        return ids


# --- actions on a case (case detail page) ---------------------------------------------------------


class TaskChoiceMixin(forms.Form):
    """A form acting on one of the case's open tasks. Each subclass declares the `task` input; Django's
    form metaclass moves declared fields into `base_fields`, so that class attribute never hides the
    `task()` method below (mypy cannot see this, hence the `type: ignore[assignment]` on each)."""

    def set_tasks(self, tasks) -> None:
        choice_field(self, "task").choices = [(str(t.pk), f"{t.name} · {t.department.name}") for t in tasks]
        self.tasks = {str(t.pk): t for t in tasks}
        if len(tasks) == 1:
            self.fields["task"].initial = str(tasks[0].pk)

    def task(self):
        return self.tasks[self.cleaned_data["task"]]


class ApproveForm(TaskChoiceMixin, forms.Form):
    task = forms.ChoiceField(label=_("审批环节"))  # type: ignore[assignment]  # see TaskChoiceMixin
    opinion = forms.CharField(label=_("审查意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DenyForm(TaskChoiceMixin, forms.Form):
    task = forms.ChoiceField(label=_("审批环节"))  # type: ignore[assignment]  # see TaskChoiceMixin
    reason = forms.CharField(
        label=_("不予许可理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SpecialProcedureForm(TaskChoiceMixin, forms.Form):
    task = forms.ChoiceField(label=_("审批环节"))  # type: ignore[assignment]  # see TaskChoiceMixin
    kind = forms.ChoiceField(label=_("特别程序"), choices=ProcedureKind.choices)
    limit_days = forms.IntegerField(label=_("程序时限（工作日）"), min_value=1, max_value=365)
    reason = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EndProcedureForm(forms.Form):
    procedure = forms.ChoiceField(label=_("进行中的特别程序"))
    outcome = forms.CharField(label=_("结论"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def set_procedures(self, procedures) -> None:
        self.procedures = {str(p.pk): p for p in procedures}
        choice_field(self, "procedure").choices = [
            (str(p.pk), f"{p.get_kind_display()}（{p.started_on} 起，{p.limit_days} 个工作日）")
            for p in procedures
        ]


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("延长工作日"), min_value=1, max_value=365)
    reason = forms.CharField(label=_("延长理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SupplementRequestForm(forms.Form):
    """Every defect at once (一次性告知): tick each material that is missing or wrong, say what is wrong."""

    materials = forms.MultipleChoiceField(
        label=_("需补正的材料"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("补正要求"),
        required=False,
        max_length=300,
        help_text=_("适用于所勾选的每一项材料，如：复印件不清晰"),
    )

    def set_materials(self, case_materials) -> None:
        """Materials the applicant hands in (not those fetched automatically); missing ones ticked."""
        fetched = (CaseMaterialStatus.FROM_CERTIFICATE, CaseMaterialStatus.FROM_DATA_SHARING)
        rows = [cm for cm in case_materials if cm.material_id and cm.status not in fetched]
        self.case_materials = {str(cm.material_id): cm for cm in rows}
        choice_field(self, "materials").choices = [(key, cm.name) for key, cm in self.case_materials.items()]
        self.fields["materials"].initial = [
            key for key, cm in self.case_materials.items() if cm.status == CaseMaterialStatus.MISSING
        ]

    def defects(self) -> list[dict]:
        note = self.cleaned_data.get("note") or str(_("材料缺少或不符合要求"))
        return [{"material_id": int(key), "reason": note} for key in self.cleaned_data["materials"]]


class AcceptForm(forms.Form):
    """Accepting a case handed in online or by post: materials now checked at the window, and waivers
    (容缺) of missing waivable ones with the promised date."""

    provided = forms.MultipleChoiceField(
        label=_("现场核验已提交的材料"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def set_materials(self, missing, waivable) -> None:
        choice_field(self, "provided").choices = [(str(cm.material_id), cm.name) for cm in missing]
        if not missing:
            del self.fields["provided"]
        self.waivable_rows = []
        for cm in waivable:
            name = f"promise_{cm.material_id}"
            self.fields[name] = forms.DateField(
                label=_("容缺：%(name)s 承诺补齐日期") % {"name": cm.name},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.waivable_rows.append(name)

    def provided_material_ids(self) -> list[int]:
        return [int(i) for i in self.cleaned_data.get("provided", [])]

    def waivers(self) -> dict:
        return {
            int(name.removeprefix("promise_")): self.cleaned_data[name]
            for name in self.waivable_rows
            if self.cleaned_data.get(name)
        }


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("不予受理理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SupplyForm(forms.Form):
    """The applicant brought what the supplement notice asked for."""

    materials = forms.MultipleChoiceField(
        label=_("已补正的材料"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def set_defects(self, defects) -> None:
        choice_field(self, "materials").choices = [
            (str(d.get("material_id")), d.get("name") or d.get("material_id")) for d in defects
        ]
        self.fields["materials"].initial = [str(d.get("material_id")) for d in defects]


class SupplyWaivedForm(forms.Form):
    material = forms.ChoiceField(label=_("补齐的容缺材料"))

    def set_materials(self, case_materials) -> None:
        choice_field(self, "material").choices = [
            (str(cm.material_id), f"{cm.name}（承诺 {cm.promised_by}）") for cm in case_materials
        ]


class PaymentForm(forms.Form):
    fee = forms.ChoiceField(label=_("收费项目"))
    receipt_number = forms.CharField(label=_("票据号"), required=False, max_length=40)

    def set_fees(self, fees) -> None:
        self.fees = {str(f.pk): f for f in fees}
        choice_field(self, "fee").choices = [(str(f.pk), f"{f.description} {f.amount} 元") for f in fees]


class ConcludeForm(forms.Form):
    delivery_method = forms.ChoiceField(label=_("送达方式"), choices=DeliveryMethod.choices)
    delivery_address = forms.CharField(label=_("邮寄地址"), required=False, max_length=200)
    tracking_number = forms.CharField(label=_("快递单号"), required=False, max_length=40)


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
