from django.contrib import admin

from .models import (
    AccountabilityRecord,
    Breach,
    BreachPolicy,
    DenialReview,
    Inspection,
    Rectification,
    Urging,
)


@admin.register(BreachPolicy)
class BreachPolicyAdmin(admin.ModelAdmin):
    list_display = ("item", "escalate_to", "escalate_after_days", "deemed_acceptance", "acceptance_days",
                    "missed_promise", "supplement_days")
    autocomplete_fields = ("item",)


@admin.register(Breach)
class BreachAdmin(admin.ModelAdmin):
    list_display = ("case", "kind", "department", "level", "detected_on")
    list_filter = ("kind", "level")
    raw_id_fields = ("case",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DenialReview)
class DenialReviewAdmin(admin.ModelAdmin):
    list_display = ("filing", "verdict", "reviewed_by", "reviewed_at")
    raw_id_fields = ("filing",)


@admin.register(Urging)
class UrgingAdmin(admin.ModelAdmin):
    list_display = ("target_label", "department", "state", "urged_at", "clock_due_on")
    list_filter = ("state", "target_kind")


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("visited_at", "kind", "window", "department", "notice_number")


@admin.register(Rectification)
class RectificationAdmin(admin.ModelAdmin):
    list_display = ("department", "state", "clock_due_on")


@admin.register(AccountabilityRecord)
class AccountabilityRecordAdmin(admin.ModelAdmin):
    list_display = ("department", "official_name", "grounds", "measure", "decided_on")
