"""The daily check and the monthly reports: figures computed by background tasks and kept.

- DailySnapshot: each department's open, close-to-limit and overdue tasks on one day, one row per
  department per day (a re-run of the day replaces its rows), so the efficiency office can follow a
  department's backlog over weeks without recomputing the past.
- Report: a centre's monthly figures (received, concluded, concluded on time, overdue, by department)
  as a CSV and a PDF stored under MEDIA_ROOT with generated names, downloaded by the centre's staff."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailySnapshot(models.Model):
    day = models.DateField(_("日期"))
    department = models.ForeignKey("orgs.Department", models.PROTECT, related_name="+", verbose_name=_("部门"))
    open_tasks = models.PositiveIntegerField(_("在办任务"))
    warning_tasks = models.PositiveIntegerField(_("临近期限"), help_text=_("计时中，期限在预警工作日内"))
    overdue_tasks = models.PositiveIntegerField(_("已超期"))
    paused_tasks = models.PositiveIntegerField(_("暂停计时"), help_text=_("特别程序或补正中"))
    warning_until = models.DateField(_("预警截止日"), help_text=_("期限不晚于此日的在办任务计为临近期限"))
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("每日检查")
        verbose_name_plural = _("每日检查")
        ordering = ["-day", "department"]
        constraints = [
            models.UniqueConstraint(fields=["day", "department"], name="daily_snapshot_once_per_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.department_id}"


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("月度办件统计")


class Report(models.Model):
    centre = models.ForeignKey("orgs.ServiceCentre", models.PROTECT, related_name="+", verbose_name=_("中心"))
    kind = models.CharField(_("类别"), max_length=16, choices=ReportKind.choices, default=ReportKind.MONTHLY)
    period = models.DateField(_("月份"), help_text=_("该月第一天"))
    rows = models.JSONField(_("数据"), default=list, help_text=_("按部门的统计，末行为合计"))
    csv_file = models.FileField(_("CSV 文件"), max_length=200)
    pdf_file = models.FileField(_("PDF 文件"), max_length=200)
    created_at = models.DateTimeField(_("生成时间"))

    class Meta:
        verbose_name = _("报表")
        verbose_name_plural = _("报表")
        ordering = ["-period", "centre"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "kind", "period"], name="report_once_per_centre_period"),
        ]

    def __str__(self):
        return f"{self.centre_id} {self.period:%Y-%m}"
