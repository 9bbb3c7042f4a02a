"""The appraisal's periods in the admin: read only (weights are set and periods closed on the
workbench's appraisal pages, through appraisal.services)."""

from __future__ import annotations

from django.contrib import admin

from .models import IndicatorWeight, Period


class IndicatorWeightInline(admin.TabularInline):
    model = IndicatorWeight
    extra = 0
    readonly_fields = ["indicator", "weight", "target", "floor"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["kind", "start", "end", "closed_at", "closed_by"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "start", "end", "closed_at", "closed_by"]
    inlines = [IndicatorWeightInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
