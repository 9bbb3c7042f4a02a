from django.contrib import admin

from .models import Project, Stage, StageCase


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ("order", "kind", "state", "planned_limit", "clock_started_on", "clock_due_on", "clock_stopped_on")
    readonly_fields = fields
    can_delete = False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "centre", "is_key", "state", "clock_due_on", "clock_stopped_on")
    list_filter = ("kind", "state", "is_key", "centre")
    search_fields = ("code", "name")
    readonly_fields = ("file", "query_code", "registered_at", "registered_by", "closed_at", "state",
                       "clock_started_on", "clock_limit", "clock_unit", "clock_extension", "clock_paused_since",
                       "clock_paused_days", "clock_due_on", "clock_warn_on", "clock_late_on", "clock_stopped_on")
    inlines = [StageInline]


@admin.register(StageCase)
class StageCaseAdmin(admin.ModelAdmin):
    list_display = ("stage", "case", "attached_at")
    raw_id_fields = ("stage", "case")
