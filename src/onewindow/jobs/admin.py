from django.contrib import admin

from .models import DailySnapshot, Report


@admin.register(DailySnapshot)
class DailySnapshotAdmin(admin.ModelAdmin):
    list_display = ["day", "department", "open_tasks", "warning_tasks", "overdue_tasks", "paused_tasks"]
    list_filter = ["day"]
    date_hierarchy = "day"


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Figures only: the files have no public URL and are downloaded from the workbench (报表)."""

    list_display = ["centre", "kind", "period", "created_at"]
    list_filter = ["kind", "period"]
    readonly_fields = ("centre", "kind", "period", "rows", "created_at")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False
