"""Catalog administration. Items are saved through catalog.services, so every admin edit is
validated, versioned and announced like any other write; items are never deleted, only abolished.

A material's sample (填写样例) and blank form (空白表格) are uploaded on the material's own page, the
only thing editable there: they help the applicant fill in the form and are not part of the item's
versioned content, while every other field of a material changes through the item's form."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.core import uploads
from onewindow.core.errors import DomainError

from . import centres, services
from .forms import ItemAdminForm, ReasonForm
from .models import (
    Announcement,
    Bundle,
    BundleItem,
    CentreAcceptance,
    Delegation,
    Item,
    ItemProcedure,
    ItemVersion,
    LifeEvent,
    Material,
    Stage,
)
from .text import pinyin_fields

# -- material files (样表 / 空白表格) ---------------------------------------------------------------

# Blank forms and samples may also be Word or Excel files; the check itself is core.uploads'.
MATERIAL_FILE_TYPES = ["pdf", "doc", "docx", "xls", "xlsx", "jpeg", "png"]


def material_file_extension(upload) -> str:
    """Check an uploaded sample or blank form by size and content; return the extension of its real
    kind or raise forms.ValidationError saying why it is refused."""
    try:
        return uploads.check_upload(upload, allowed=MATERIAL_FILE_TYPES).extension
    except DomainError as exc:
        raise forms.ValidationError(exc.message) from None


class MaterialFilesForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = ["sample_file", "blank_form"]

    def _clean_file(self, field: str):
        upload = self.cleaned_data.get(field)
        # False: "clear" ticked; a stored FieldFile: unchanged; only a new upload is checked.
        if upload and field in self.files:
            extension = material_file_extension(upload)
            upload.name = f"{uuid.uuid4().hex}{extension}"  # never a name chosen by the uploader
        return upload

    def clean_sample_file(self):
        return self._clean_file("sample_file")

    def clean_blank_form(self):
        return self._clean_file("blank_form")


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    """Materials: only the sample and the blank form are uploaded here; the rest is read-only and
    changes through the item's versioned form."""

    form = MaterialFilesForm
    list_display = ["name", "item", "department", "has_blank_form", "has_sample_file"]
    list_filter = ["item__department", "item__status", "item"]
    search_fields = ["name", "item__name", "item__code"]
    list_select_related = ["item", "item__department"]
    fields = ["item", "order", "name", "required", "condition", "form", "copies", "original_required",
              "waivable", "waiver_term_days", "source", "certificate_type", "note", "blank_form", "sample_file"]
    readonly_fields = ["item", "order", "name", "required", "condition", "form", "copies", "original_required",
                       "waivable", "waiver_term_days", "source", "certificate_type", "note"]

    @admin.display(description=gettext_lazy("实施部门"), ordering="item__department__name")
    def department(self, obj):
        return obj.item.department

    @admin.display(description=gettext_lazy("空白表格"), boolean=True)
    def has_blank_form(self, obj):
        return bool(obj.blank_form)

    @admin.display(description=gettext_lazy("填写样例"), boolean=True)
    def has_sample_file(self, obj):
        return bool(obj.sample_file)

    def has_add_permission(self, request):
        return False  # materials are added with their item

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        old = Material.objects.filter(pk=obj.pk).values_list("sample_file", "blank_form").first() or ("", "")
        obj.save(update_fields=["sample_file", "blank_form"])
        # A replaced or cleared file is removed from disk once the new state is committed.
        replaced = [name for name, new in zip(old, (obj.sample_file.name, obj.blank_form.name), strict=True)
                    if name and name != new]
        storage = obj.sample_file.storage
        transaction.on_commit(lambda: [storage.delete(name) for name in replaced])


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ["order", "name", "source", "required", "condition", "form", "copies", "original_required",
              "waivable", "waiver_term_days", "certificate_type", "note"]


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ["step", "kind", "name", "limit_days", "department"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    form = ItemAdminForm
    inlines = [MaterialInline, StageInline]
    list_display = ["code", "name", "department", "kind", "status", "is_immediate", "committed_limit_days",
                    "limit_unit", "max_visits", "online_depth", "version"]
    list_filter = ["department", "kind", "status", "limit_unit", "is_immediate", "max_visits", "online_depth",
                   "delegated_down_to"]
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
        # The item form validates the item together with its inlines (see ItemAdminForm.clean). Django's
        # private ModelAdmin._create_formsets is the one place that has both before the form is cleaned.
        formsets, inline_instances = super()._create_formsets(request, obj, change)  # type: ignore[misc]
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


@admin.register(ItemProcedure)
class ItemProcedureAdmin(admin.ModelAdmin):
    """The special procedures each item commits to in advance, with their limits (the notice shows them)."""

    list_display = ["item", "kind", "limit_days", "note"]
    list_filter = ["kind"]
    search_fields = ["item__code", "item__name"]
    autocomplete_fields = ["item"]
    list_select_related = ["item"]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    """Read here; granted and revoked by the department's head on the workbench (catalog/delegations.py),
    so every change is checked and on the audit trail."""

    list_display = ["representative", "department", "item", "valid_from", "valid_until", "granted_by", "revoked_at"]
    list_filter = ["department"]
    search_fields = ["item__code", "item__name", "representative__username", "representative__display_name"]
    list_select_related = ["representative", "department", "item", "granted_by"]

    readonly_fields = ["department", "item", "representative", "granted_on", "valid_from", "valid_until",
                       "granted_by", "revoked_at", "revoked_by", "revoke_reason"]

    def has_add_permission(self, request):
        return False


@admin.register(CentreAcceptance)
class CentreAcceptanceAdmin(admin.ModelAdmin):
    """A centre's exceptions to an item's level rule (catalog/centres.py). Saved and removed through
    catalog.centres.set_centre_acceptance, so intake sees the change at once and it is audited."""

    list_display = ["item", "centre", "accepts", "note", "updated_at"]
    list_filter = ["accepts", "centre"]
    search_fields = ["item__code", "item__name", "centre__code", "centre__name"]
    list_select_related = ["item", "centre"]
    autocomplete_fields = ["item"]
    fields = ["item", "centre", "accepts", "note"]
    actions = ["remove_selected"]

    def get_readonly_fields(self, request, obj=None):
        return ["item", "centre"] if obj is not None else []

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk deletes would bypass the service
        return actions

    def save_model(self, request, obj, form, change):
        row = centres.set_centre_acceptance(item=obj.item, centre=obj.centre, accepts=obj.accepts, note=obj.note,
                                               actor=request.user)
        obj.pk = row.pk if row is not None else None

    def delete_model(self, request, obj):
        centres.set_centre_acceptance(item=obj.item, centre=obj.centre, accepts=None, actor=request.user)

    @admin.action(description=gettext_lazy("删除所选例外（恢复按层级受理）"))
    def remove_selected(self, request, queryset):
        rows = list(queryset.select_related("item", "centre"))
        with transaction.atomic():
            for row in rows:
                centres.set_centre_acceptance(item=row.item, centre=row.centre, accepts=None, actor=request.user)
        self.message_user(request, _("已删除 %(n)s 条例外") % {"n": len(rows)})
