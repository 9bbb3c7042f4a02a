from django.contrib import admin

from .models import DispatchExample, DispatchModel, KindLimit, WorkOrder


@admin.register(DispatchModel)
class DispatchModelAdmin(admin.ModelAdmin):
    list_display = ["version", "trained_at", "examples_count", "units_count", "features_count"]
    exclude = ["arrays", "learnt", "vocabulary"]
    readonly_fields = ["version", "trained_at", "examples_count", "units_count", "features_count", "units", "quality"]

    def has_add_permission(self, request):
        return False


@admin.register(DispatchExample)
class DispatchExampleAdmin(admin.ModelAdmin):
    list_display = ["unit_name", "department", "source", "reference", "created_at"]
    list_filter = ["source"]
    search_fields = ["text", "unit_name", "reference"]
    raw_id_fields = ["department"]


@admin.register(KindLimit)
class KindLimitAdmin(admin.ModelAdmin):
    list_display = ["kind", "sign_days", "reply_days", "updated_at"]


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-only: work orders change through their actions (complaints/actions.py), never by hand."""

    list_display = ["number", "kind", "channel", "state", "department", "clock_due_on", "registered_at"]
    list_filter = ["state", "kind", "channel"]
    search_fields = ["number", "title", "text"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
