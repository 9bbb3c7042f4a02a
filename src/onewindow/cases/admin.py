"""Django admin for cases: read-only. Every change to a case goes through cases.services (transition
checks, locks, audit trail), so the admin shows and never edits."""

from django.contrib import admin

from .models import Case, Certificate, DenialFiling, Extension, SpecialProcedure, SupplementRequest, Task


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = readonly_fields = ("step", "name", "department", "state", "opened_on", "due_on", "completed_at",
                                "completed_by")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "item", "applicant", "centre", "channel", "state", "accepted_on", "due_on"]
    list_filter = ["state", "channel", "centre", "due_provisional"]
    search_fields = ["number", "applicant__name", "item__name"]
    date_hierarchy = "submitted_at"
    list_select_related = ["item", "applicant", "centre"]
    inlines = [TaskInline]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "holder", "issuer", "issued_on", "status"]
    search_fields = ["number", "holder__name"]
    list_filter = ["status", "certificate_type"]


@admin.register(DenialFiling)
class DenialFilingAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "department", "filed_at", "filed_by"]
    list_filter = ["kind", "department"]


@admin.register(SupplementRequest)
class SupplementRequestAdmin(ReadOnlyAdmin):
    list_display = ["case", "requested_on", "requested_by", "supplied_at"]


@admin.register(SpecialProcedure)
class SpecialProcedureAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "started_on", "due_on", "ended_on"]


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ["case", "days", "previous_due_on", "new_due_on", "approved_by", "approved_at"]
