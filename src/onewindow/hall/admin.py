"""The hall's administration (a hall manager or administrator): each centre's hall settings with its
queues, each window's queues and appointment places per half-day. Appointments and tickets are
records: read here, changed only through hall.services (the pages, the kiosk, the calling page)."""

from __future__ import annotations

from django.contrib import admin

from .models import Appointment, Hall, HallWindow, QueueCategory, Ticket


class QueueCategoryInline(admin.StackedInline):
    model = QueueCategory
    extra = 0
    fields = [("letter", "name", "order", "is_default"), "items"]
    autocomplete_fields = ["items"]


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["centre", "booking_open", "booking_days_ahead", "cancel_minutes_before", "max_active_bookings"]
    list_select_related = ["centre"]
    inlines = [QueueCategoryInline]
    fieldsets = [
        (None, {"fields": ["centre"]}),
        ("半天时段", {"fields": [("morning_start", "morning_end"), ("afternoon_start", "afternoon_end")]}),
        ("预约", {"fields": ["booking_open", "booking_days_ahead", "cancel_minutes_before", "max_active_bookings"]}),
        ("等候估算", {"fields": ["default_service_minutes"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["centre"] if obj is not None else []


@admin.register(HallWindow)
class HallWindowAdmin(admin.ModelAdmin):
    list_display = ["window", "appointment_places", "queues", "opened_at", "clerk"]
    list_editable = ["appointment_places"]
    list_filter = ["window__centre"]
    list_select_related = ["window__centre", "clerk"]
    filter_horizontal = ["categories"]
    fields = ["window", "categories", "appointment_places"]

    def get_readonly_fields(self, request, obj=None):
        return ["window"] if obj is not None else []

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")

    @admin.display(description="服务的排队类别")
    def queues(self, obj):
        return "、".join(f"{c.letter} {c.name}" for c in obj.categories.all())

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "categories":
            kwargs["queryset"] = QueueCategory.objects.select_related("hall__centre")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class _Record(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(_Record):
    list_display = ["code", "day", "half_day", "centre", "item", "window", "state", "booked_at"]
    list_filter = ["state", "half_day", "centre", "day"]
    search_fields = ["code", "item__name", "applicant__name"]
    list_select_related = ["centre", "item", "window"]


@admin.register(Ticket)
class TicketAdmin(_Record):
    list_display = ["display", "day", "centre", "category", "state", "priority", "window", "wait_seconds",
                    "service_seconds"]
    list_filter = ["state", "priority", "centre", "day"]
    search_fields = ["display"]
    list_select_related = ["centre", "category", "window"]
