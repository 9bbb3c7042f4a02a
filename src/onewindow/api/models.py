"""API tokens: how programs (and applicants' apps) authenticate to /api/v1/.

A token is shown once, when it is created; only its SHA-256 digest is stored, with a short public
prefix to find the row and to name the token when revoking it (as GitHub and Stripe keys do)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens",
                             verbose_name=_("账号"))
    name = models.CharField(_("用途"), max_length=100, blank=True, help_text=_("如：12345 热线对接"))
    prefix = models.CharField(_("前缀"), max_length=16, unique=True,
                              help_text=_("令牌的公开部分，用于识别和注销"))
    key_digest = models.CharField(_("令牌摘要"), max_length=64, help_text=_("SHA-256，不保存令牌原文"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("注销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix} ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
