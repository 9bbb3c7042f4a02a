from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with `onewindow token create` (the raw token is shown once); here they can
    only be looked at and revoked."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "user__username", "name")
    readonly_fields = ("user", "prefix", "key_digest", "created_at", "last_used_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="注销所选令牌")
    def revoke(self, request, queryset):
        from .auth import revoke_token

        for token in queryset.filter(revoked_at__isnull=True):
            revoke_token(prefix=token.prefix, revoked_by=request.user)
