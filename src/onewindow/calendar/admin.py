"""Django admin for the calendar: a year with its days inline (saved through services.import_year, so
the admin obeys exactly the rules of the file import), and the centres' 5+2 weekend openings.

The December reminder that next year's schedule is missing is shown on the admin index (through
`admin.site.index_template`, unless something else already set it) and on the year list."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import DomainError

from . import selectors, services
from .models import CalendarDay, CalendarYear, CentreDayException, WeekendOpening, YearOrigin, YearStatus

if admin.site.index_template is None:
    admin.site.index_template = "admin/calendar_index.html"


class CalendarDayFormSet(forms.BaseInlineFormSet):
    """Validates the whole year with services.validate_year (one rule book for admin and import)."""

    def kept_forms(self):
        return [f for f in self.forms
                if f.has_changed() or f.instance.pk
                if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")
                and f.cleaned_data.get("date")]

    def rows(self):
        return [(f.cleaned_data["date"], f.cleaned_data["kind"], f.cleaned_data.get("name") or "")
                for f in self.kept_forms()]

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.year is None:
            return
        kept = self.kept_forms()
        try:
            services.validate_year(year=self.instance.year, days=self.rows(),
                                   source_notice=self.instance.source_notice,
                                   official=self.instance.status == YearStatus.OFFICIAL)
        except DomainError as exc:
            match = re.fullmatch(r"days\[(\d+)\](?:\.(\w+))?", exc.field or "")
            if match and int(match.group(1)) < len(kept):
                field = match.group(2) if match.group(2) in ("date", "kind", "name") else None
                kept[int(match.group(1))].add_error(field, exc.message)
                raise forms.ValidationError(exc.message) from None
            raise forms.ValidationError(exc.message) from None


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    formset = CalendarDayFormSet
    fields = ["date", "kind", "name"]
    extra = 3


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "status", "version", "origin", "source_notice", "announced_on", "updated_at"]
    list_filter = ["status", "origin"]
    fields = ["year", "status", "source_notice", "announced_on", "version", "origin"]
    readonly_fields = ["version", "origin"]
    inlines = [CalendarDayInline]

    def get_readonly_fields(self, request, obj=None):
        # A year is replaced as a whole by its number: renumbering would leave the old year behind.
        return ["year", *self.readonly_fields] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Versions only grow; to withdraw a schedule, mark the year provisional.
        return False

    def changelist_view(self, request, extra_context=None):
        warning = selectors.missing_next_year_warning()
        if warning:
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)

    def construct_change_message(self, request, form, formsets, add=False):
        # The rows were replaced as a whole by the service; the audit trail holds the details.
        return [{"added": {}}] if add else [{"changed": {"fields": ["days"]}}]

    def save_model(self, request, obj, form, change):
        pass  # written with its days in save_related, through the service

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        day_formset = next(fs for fs in formsets if isinstance(fs, CalendarDayFormSet))
        result = services.import_year(
            year=obj.year, days=day_formset.rows(), source_notice=obj.source_notice,
            announced_on=obj.announced_on, official=obj.status == YearStatus.OFFICIAL,
            actor=request.user, origin=YearOrigin.ADMIN)
        saved = result.calendar_year
        obj.pk, obj.version, obj.origin = saved.pk, saved.version, saved.origin
        obj._state.adding = False
        if result.changed:
            for line in services.run_change_followups(version=saved.version):
                messages.info(request, line)
        else:
            messages.info(request, _("安排未变化，日历版本未变"))


@admin.register(WeekendOpening)
class WeekendOpeningAdmin(admin.ModelAdmin):
    list_display = ["centre", "weekday", "hours", "note"]
    list_filter = ["weekday", "centre"]


@admin.register(CentreDayException)
class CentreDayExceptionAdmin(admin.ModelAdmin):
    list_display = ["centre", "date", "is_open", "note"]
    list_filter = ["is_open", "centre"]
    date_hierarchy = "date"
