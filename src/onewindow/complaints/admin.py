from django.contrib import admin

from .models import DispatchExample, DispatchModel


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
