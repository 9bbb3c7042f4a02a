"""Forms of the efficiency office's pages: they parse (types, choices) and nothing more; every rule is
the supervision services', whose errors are shown beside the field they name."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.supervision.models import Grounds, InspectionKind, Measure, ReviewVerdict


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(label=_("审查结论"), choices=ReviewVerdict.choices)
    opinion = forms.CharField(label=_("审查意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class UrgeForm(forms.Form):
    requirement = forms.CharField(label=_("督办要求"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  initial=_("该件已超期，请即查明原因，加快办理，并按期答复。"))
    answer_days = forms.IntegerField(label=_("答复期限（工作日）"), initial=3, min_value=1, max_value=60)


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("方式"), choices=InspectionKind.choices)
    visited_at = forms.DateTimeField(label=_("检查时间"),
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    window = forms.ChoiceField(label=_("窗口"), required=False)
    department = forms.ChoiceField(label=_("部门"), required=False)
    inspectors = forms.CharField(label=_("检查人员"), max_length=200, required=False)
    findings = forms.CharField(label=_("发现问题"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    photos = forms.FileField(label=_("照片"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))

    def __init__(self, *args, windows=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["window"]).choices = [("", "—")] + [(str(w.pk), str(w)) for w in windows]
        cast(forms.ChoiceField, self.fields["department"]).choices = [("", "—")] + [(str(d.pk), d.name) for d in departments]


class NoticeForm(forms.Form):
    text = forms.CharField(label=_("通报内容"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    department = forms.ChoiceField(label=_("整改单位"))
    finding = forms.CharField(label=_("问题"), required=False, max_length=2000)
    requirement = forms.CharField(label=_("整改要求"), required=False, max_length=2000)
    days = forms.IntegerField(label=_("整改期限（工作日）"), initial=5, min_value=1, max_value=60)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [(str(d.pk), d.name) for d in departments]


class AccountabilityForm(forms.Form):
    department = forms.ChoiceField(label=_("责任单位"))
    official_name = forms.CharField(label=_("责任人姓名"), required=False, max_length=60)
    grounds = forms.ChoiceField(label=_("问责事由"), choices=Grounds.choices)
    measure = forms.ChoiceField(label=_("问责方式"), choices=Measure.choices)
    facts = forms.CharField(label=_("事实与依据"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    decided_on = forms.DateField(label=_("决定日期"), widget=forms.DateInput(attrs={"type": "date"}))
    inspection = forms.ChoiceField(label=_("来源明察暗访"), required=False)
    source_label = forms.CharField(label=_("其他来源（如投诉工单号）"), required=False, max_length=120)

    def __init__(self, *args, departments=(), inspections=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [(str(d.pk), d.name) for d in departments]
        cast(forms.ChoiceField, self.fields["inspection"]).choices = [("", "—")] + [
            (str(i.pk), f"{i.visited_at:%Y-%m-%d} {i.notice_number or i.get_kind_display()}") for i in inspections]
