"""What the dispatch suggestion learns from and what it learnt.

- DispatchExample: one past work order's words and the unit that answered it, from an imported archive
  (`onewindow complaints learn FILE`) or from a work order that closed (`dispatch.learn_from_closed`).
- DispatchModel: one learnt model, shared by every app server through the database: plain arrays
  (numpy .npz, loaded with allow_pickle=False) and JSON, never a pickled object."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExampleSource(models.TextChoices):
    IMPORTED = "imported", _("导入的历史工单")
    CLOSED = "closed", _("办结的工单")


class DispatchExample(models.Model):
    text = models.TextField(_("诉求内容"))
    unit_name = models.CharField(_("承办单位"), max_length=200)
    department = models.ForeignKey("orgs.Department", models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("对应部门"))
    source = models.CharField(_("来源"), max_length=16, choices=ExampleSource.choices)
    # The closed work order's number: the same order closing again (after a reopening) replaces its
    # example instead of adding a second one.
    reference = models.CharField(_("工单编号"), max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("加入时间"))

    class Meta:
        verbose_name = _("派单学习样本")
        verbose_name_plural = _("派单学习样本")

    def __str__(self):
        return f"{self.unit_name}: {self.text[:30]}"


class DispatchModel(models.Model):
    version = models.PositiveIntegerField(_("版本"), unique=True)
    trained_at = models.DateTimeField(_("学习时间"))
    examples_count = models.PositiveIntegerField(_("样本数"))
    units_count = models.PositiveIntegerField(_("单位数"))
    features_count = models.PositiveIntegerField(_("词项数"))
    # [{"name": ..., "department": id or null, "count": n}, ...] in the weights' column order.
    units = models.JSONField(_("单位"))
    vocabulary = models.TextField(_("词表（JSON 数组）"))
    arrays = models.BinaryField(_("权重（npz）"))
    # Sorted 63-bit fingerprints of the orders learnt from (evaluate leaves those out).
    learnt = models.BinaryField(_("已学工单指纹"))
    # {"n": held-out orders, "top1": ..., "top3": ..., "seconds": learning time}
    quality = models.JSONField(_("留出集准确率"), default=dict)

    class Meta:
        verbose_name = _("派单模型")
        verbose_name_plural = _("派单模型")

    def __str__(self):
        return f"v{self.version} ({self.examples_count})"
