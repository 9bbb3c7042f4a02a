"""Forms of the hall's public pages: choosing a half-day to book, and a cancellation's reason."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.hall.models import HalfDay


class BookingForm(forms.Form):
    """One radio button per half-day: the value is `YYYY-MM-DD/am` or `YYYY-MM-DD/pm`."""

    slot = forms.CharField(label=_("预约时段"), max_length=13,
                           error_messages={"required": _("请选择一个预约时段")})

    def clean_slot(self) -> tuple[date, str]:
        value = self.cleaned_data["slot"]
        day_text, _sep, half_day = value.partition("/")
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            raise forms.ValidationError(_("预约时段无效，请重新选择")) from None
        if half_day not in HalfDay.values:
            raise forms.ValidationError(_("预约时段无效，请重新选择"))
        return day, half_day


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因（可不填）"), max_length=200, required=False)
