"""Admin pages for organisations and people. Identity numbers are masked in lists; the change form of
an applicant shows the number to administrators (who may see it, see orgs.selectors)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from onewindow.core.admin import permission_formfield
from onewindow.core.errors import DomainError

from . import identity, services
from .models import Applicant, Department, Region, ServiceCentre, StaffRole, User, Window


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "region", "is_active"]
    list_filter = ["is_active", "region"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["region"]


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "region", "weekend_service"]
    list_filter = ["level", "weekend_service"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["region"]
    inlines = [WindowInline]


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0
    autocomplete_fields = ["centre", "department"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "masked_phone", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "display_name", "email"]
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), (_("联系信息"), {"fields": ["display_name", "phone"]}))
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("联系信息"), {"fields": ["display_name", "phone"]}),)
    inlines = [StaffRoleInline]

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "user_permissions":  # labelled in Chinese (core/admin.py)
            return permission_formfield(self, db_field, request, **kwargs)
        return super().formfield_for_manytomany(db_field, request=request, **kwargs)

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return identity.mask_phone(obj.phone)


class ApplicantForm(forms.ModelForm):
    """The same identity-number rules as orgs.services.register_applicant."""

    class Meta:
        model = Applicant
        fields = ["kind", "name", "id_number", "phone", "address", "legal_representative", "user", "bad_credit"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        kind, number = cleaned.get("kind"), cleaned.get("id_number")
        if kind and number:
            try:
                cleaned["id_number"] = identity.validate_id_number(kind, number)
            except DomainError as exc:
                self.add_error("id_number", exc.message)
        return cleaned


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    form = ApplicantForm
    list_display = ["name", "kind", "masked_id_number", "masked_phone", "user", "bad_credit", "created_at"]
    list_filter = ["kind", "bad_credit"]
    search_fields = ["name", "=id_number"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The change form shows the full identity number: opening it is an access to sensitive personal
        # data, recorded on the applicant's audit chain like any other reveal.
        if request.method == "GET":
            applicant = self.get_object(request, object_id)
            if applicant is not None:
                services.reveal_identity(viewer=request.user, applicant=applicant, reason="管理后台查看申请人")
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("证件号码"))
    def masked_id_number(self, obj):
        return identity.mask_id_number(obj.id_number)

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj):
        return identity.mask_phone(obj.phone)
