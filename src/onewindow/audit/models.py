"""The append-only audit trail. Events are grouped in chains (one per audited object, e.g. a case);
each event carries the hash of the previous event of its chain, and the chain's head row holds the
last hash and count, so an edited, removed or truncated event is detected by `onewindow audit verify`.
One chain per object keeps writers of different cases from queueing on one lock."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditChain(models.Model):
    key = models.CharField(_("链"), max_length=80, unique=True, help_text=_("如 case:FCG01-20261125-0001"))
    length = models.PositiveIntegerField(_("事件数"), default=0)
    head_hash = models.CharField(_("最新哈希"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("审计链")
        verbose_name_plural = _("审计链")

    def __str__(self):
        return self.key


class AuditEvent(models.Model):
    # No index of its own: (chain, position), the unique constraint below, leads with it.
    chain = models.ForeignKey(AuditChain, models.PROTECT, related_name="events", verbose_name=_("链"), db_index=False)
    position = models.PositiveIntegerField(_("链内序号"))
    occurred_at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    actor_label = models.CharField(_("操作人（记录时）"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=80, help_text=_("如 onewindow.case.accepted"))
    from_state = models.CharField(_("原状态"), max_length=40, blank=True)
    to_state = models.CharField(_("新状态"), max_length=40, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    prev_hash = models.CharField(_("前一事件哈希"), max_length=64, blank=True)
    hash = models.CharField(_("本事件哈希"), max_length=64)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["chain", "position"]
        constraints = [models.UniqueConstraint(fields=["chain", "position"], name="audit_position_unique")]
        # occurred_at alone: the notifications outbox starts a new installation at the first event since a
        # moment (audit.selectors.first_case_event_id_since), once. An (action, occurred_at) index served
        # that one query but cost every event insert a wide text key and the history generator 8.3 s of
        # its 1 M-case rebuild (2.0 s for this one).
        indexes = [models.Index(fields=["occurred_at"], name="audit_event_occurred_idx")]

    def __str__(self):
        return f"{self.chain.key} #{self.position} {self.action}"
