"""Catalog administration. Items are saved through catalog.services, so every admin edit is
validated, versioned and announced like any other write; items are never deleted, only abolished."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.core.errors import DomainError

from . import services
from .forms import ItemAdminForm, ReasonForm
from .models import (
    Announcement,
    Bundle,
    BundleItem,
    Delegation,
    Item,
    ItemVersion,
    LifeEvent,
    Material,
    Stage,
)
from .text import pinyin_fields


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ["order", "name", "source", "required", "condition", "form", "copies", "original_required",
              "waivable", "certificate_type", "note"]


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ["step", "kind", "name", "limit_days", "department"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    form = ItemAdminForm
    inlines = [MaterialInline, StageInline]
    list_display = ["code", "name", "department", "kind", "status", "is_immediate", "committed_limit_days",
                    "max_visits", "online_depth", "version"]
    list_filter = ["department", "kind", "status", "is_immediate", "max_visits", "online_depth"]
    search_fields = ["name", "code", "search_initials", "search_pinyin"]
    list_select_related = ["department"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["life_events"]
    actions = ["retain_selected", "abolish_selected"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "version"] if obj is not None else ["version"]

    def has_delete_permission(self, request, obj=None):
        return False

    def _create_formsets(self, request, obj, change):
        # The item form validates the item together with its inlines (see ItemAdminForm.clean).
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        obj._admin_formsets = formsets
        return formsets, inline_instances

    def save_model(self, request, obj, form, change):
        data, reason = form.item_data, form.cleaned_data["change_reason"]
        if change:
            item = services.update_item(item=Item.objects.get(pk=obj.pk), data=data, actor=request.user,
                                        reason=reason)
        else:
            item = services.create_item(data=data, actor=request.user, reason=reason)
        obj.pk, obj.version = item.pk, item.version

    def construct_change_message(self, request, form, formsets, add=False):
        # The inlines were not saved by their formsets (the service wrote them): log the form's fields.
        return super().construct_change_message(request, form, [], add)

    def save_related(self, request, form, formsets, change):
        # Materials, stages and life events were written by the service with the item.
        pass

    def _reason_action(self, request, queryset, *, action: str, title: str, service):
        form = ReasonForm(request.POST if "confirm" in request.POST else None)
        if "confirm" in request.POST and form.is_valid():
            done, failed = 0, []
            for item in queryset:
                try:
                    service(item=item, actor=request.user, reason=form.cleaned_data["reason"])
                    done += 1
                except DomainError as exc:
                    failed.append(f"{item.name}：{exc.message}")
            if done:
                self.message_user(request, _("%(t)s：%(n)s 个事项已处理并公告") % {"t": title, "n": done})
            for line in failed:
                self.message_user(request, line, level=messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title, "queryset": queryset, "form": form, "action": action, "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/catalog/reason_action.html", context)

    @admin.action(description=gettext_lazy("保留所选事项（公告）"))
    def retain_selected(self, request, queryset):
        return self._reason_action(request, queryset, action="retain_selected", title=_("保留事项"),
                                   service=services.retain_item)

    @admin.action(description=gettext_lazy("取消所选事项（公告）"))
    def abolish_selected(self, request, queryset):
        return self._reason_action(request, queryset, action="abolish_selected", title=_("取消事项"),
                                   service=services.abolish_item)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ItemVersion)
class ItemVersionAdmin(_ReadOnly):
    list_display = ["item", "version", "valid_from", "changed_by", "reason"]
    search_fields = ["item__code", "item__name"]
    list_select_related = ["item", "changed_by"]


@admin.register(Announcement)
class AnnouncementAdmin(_ReadOnly):
    list_display = ["published_on", "kind", "item", "item_version", "reason"]
    list_filter = ["kind", "published_on"]
    search_fields = ["item__code", "item__name", "reason"]
    list_select_related = ["item"]


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    extra = 0
    autocomplete_fields = ["item"]
    fields = ["order", "item"]


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    inlines = [BundleItemInline]
    list_display = ["code", "name", "life_event", "is_active"]
    list_filter = ["is_active", "life_event"]
    search_fields = ["code", "name", "search_initials"]

    def save_model(self, request, obj, form, change):
        obj.search_initials = pinyin_fields(obj.name)[1][:60]
        super().save_model(request, obj, form, change)


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "audience", "order"]
    list_filter = ["audience"]
    search_fields = ["code", "name"]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["item", "representative", "granted_on"]
    search_fields = ["item__code", "item__name", "representative__username", "representative__display_name"]
    autocomplete_fields = ["item"]
    raw_id_fields = ["representative"]
