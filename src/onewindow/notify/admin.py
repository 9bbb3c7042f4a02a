from django.contrib import admin

from .models import Notification, OutboxCursor


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["case_number", "kind", "channel", "created_at", "delivered_at", "attempts"]
    list_filter = ["kind", "channel"]
    search_fields = ["case_number"]
    raw_id_fields = ["applicant", "source_event"]
    readonly_fields = ["source_event", "created_at", "delivered_at", "attempts", "next_attempt_at", "last_error"]


@admin.register(OutboxCursor)
class OutboxCursorAdmin(admin.ModelAdmin):
    list_display = ["name", "last_event_id", "updated_at"]
