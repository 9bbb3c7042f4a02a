"""Notifications to applicants (消息通知): what happened to their case, in plain Chinese.

The cases app knows nothing of notifications. Every case action is already an event on the case's
audit chain; the outbox (notify.services.dispatch) reads the events after a stored cursor and turns the
ones an applicant must hear about into Notification rows, one per (event, kind) — so running it twice,
or two workers at once, makes nothing twice. Delivery is a second step through a pluggable backend,
retried with back-off and recorded (attempts, last error, delivered_at)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ACCEPTED = "accepted", _("已受理")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("需补正材料")
    REFUSED = "refused", _("不予受理")
    SPECIAL_PROCEDURE = "special_procedure", _("特别程序（计时暂停）")
    EXTENDED = "extended", _("办理期限延长")
    APPROVED = "approved", _("已批准")
    DENIED = "denied", _("不予许可")
    CERTIFICATE_ISSUED = "certificate_issued", _("电子证照已签发")
    CONCLUDED = "concluded", _("已办结")


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    PORTAL = "portal", _("站内消息")
    EMAIL = "email", _("电子邮件")


class Notification(models.Model):
    # applicant and source_event: no index of their own, each leads one below (the inbox, the unique one).
    applicant = models.ForeignKey("orgs.Applicant", models.CASCADE, related_name="notifications",
                                  verbose_name=_("接收人"), db_index=False)
    case_number = models.CharField(_("办件编号"), max_length=40)
    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    text = models.TextField(_("内容"), help_text=_("发送时的文字（中文）"))
    data = models.JSONField(_("参数"), default=dict, blank=True,
                            help_text=_("生成内容所用的数据，页面按访问者的语言重新生成文字"))
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    source_event = models.ForeignKey("audit.AuditEvent", models.PROTECT, related_name="+",
                                     verbose_name=_("来源事件"), db_index=False)
    created_at = models.DateTimeField(_("生成时间"))
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近一次错误"), blank=True)

    class Meta:
        verbose_name = _("消息通知")
        verbose_name_plural = _("消息通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_event", "kind"], name="notification_once_per_event_kind"),
        ]
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="notification_inbox_idx"),
            # What the delivery step scans: undelivered rows, oldest retry first.
            models.Index(fields=["next_attempt_at"], condition=Q(delivered_at__isnull=True),
                         name="notification_pending_idx"),
        ]

    def __str__(self):
        return f"{self.case_number} {self.get_kind_display()}"


class OutboxCursor(models.Model):
    """How far the outbox has read the audit trail: every event with an id up to `last_event_id` has
    been turned into notifications (or needed none)."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    last_event_id = models.BigIntegerField(_("已处理到的事件编号"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("发件游标")
        verbose_name_plural = _("发件游标")

    def __str__(self):
        return f"{self.name} @ {self.last_event_id}"


class OrderMessage(models.Model):
    """A message about a work order to its complainant or to staff (notify/orders.py): one per (event,
    recipient), kept even when it is not sent anywhere (the outbox is the record)."""

    order_number = models.CharField(_("工单编号"), max_length=20)
    kind = models.CharField(_("类别"), max_length=24)
    recipient = models.CharField(_("接收人"), max_length=40, help_text=_("complainant（诉求人）或 user:<账号 id>"))
    user = models.ForeignKey("orgs.User", models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name=_("接收账号"))
    phone = models.CharField(_("手机号"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    text = models.TextField(_("内容"))
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    source_event = models.ForeignKey("audit.AuditEvent", models.PROTECT, related_name="+",
                                     verbose_name=_("来源事件"), db_index=False)
    created_at = models.DateTimeField(_("生成时间"))
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近一次错误"), blank=True)

    class Meta:
        verbose_name = _("工单消息")
        verbose_name_plural = _("工单消息")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source_event", "recipient"],
                                               name="order_message_once_per_event_recipient")]
        indexes = [models.Index(fields=["order_number", "created_at"], name="order_message_order_idx"),
                   models.Index(fields=["next_attempt_at"], condition=Q(delivered_at__isnull=True),
                                name="order_message_pending_idx")]

    def __str__(self):
        return f"{self.order_number} {self.kind} → {self.recipient}"
