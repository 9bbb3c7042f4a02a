"""Permissions named in Chinese in the admin. Django stores a permission's name once, in English
("Can add 事项"), when the tables are migrated; the group and user forms list these names. Here each
permission is labelled from its content type and codename in the current language instead:
"事项目录 | 事项 | 可增加". Used by the group admin below and the user admin (orgs/admin.py)."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

ACTIONS = {"add": _("可增加"), "change": _("可修改"), "delete": _("可删除"), "view": _("可查看")}


def permission_label(permission) -> str:
    content_type = permission.content_type
    try:
        app = str(apps.get_app_config(content_type.app_label).verbose_name)
    except LookupError:
        app = content_type.app_label
    model = content_type.model_class()
    model_name = str(model._meta.verbose_name) if model is not None else content_type.model
    action, _sep, rest = permission.codename.partition("_")
    if action in ACTIONS and model is not None and rest == model._meta.model_name:
        return f"{app} | {model_name} | {ACTIONS[action]}"
    return f"{app} | {model_name} | {permission.name}"


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return permission_label(obj)


def permission_formfield(model_admin, db_field, request, **kwargs):
    """The many-to-many form field of ``permissions`` / ``user_permissions`` with Chinese labels."""
    kwargs["form_class"] = PermissionChoiceField
    kwargs.setdefault("queryset", db_field.remote_field.model.objects.select_related("content_type"))
    return admin.ModelAdmin.formfield_for_manytomany(model_admin, db_field, request, **kwargs)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "permissions":
            return permission_formfield(self, db_field, request, **kwargs)
        return super().formfield_for_manytomany(db_field, request=request, **kwargs)


def _chinese_axes_attempt_admin() -> None:
    """django-axes' attempt list has two columns without a label ("Status", "Expiration"): the same admin
    with Chinese ones. Only when axes registered its admin (AXES_ENABLE_ADMIN)."""
    from axes.admin import AccessAttemptAdmin
    from axes.models import AccessAttempt

    if not admin.site.is_registered(AccessAttempt):
        return
    admin.site.unregister(AccessAttempt)

    @admin.register(AccessAttempt)
    class ChineseAccessAttemptAdmin(AccessAttemptAdmin):
        @admin.display(description=_("状态"))
        def status(self, obj):
            from axes.conf import settings as axes_settings

            left = axes_settings.AXES_FAILURE_LIMIT - obj.failures_since_start
            return _("还可尝试 %(n)s 次") % {"n": left} if left > 0 else _("已锁定")

        @admin.display(description=_("到期时间"))
        def expiration(self, obj):
            return super().expiration(obj)


_chinese_axes_attempt_admin()
