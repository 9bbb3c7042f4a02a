"""Our own working-day calendar. Only exceptions are stored: official holidays that fall on a
weekday-or-weekend and make-up working days (调休) on weekends; every other day follows the week.
A year is official once the State Council's schedule for it is imported; until then it is
provisional (statutory holidays plus weekends) and every answer about it says so."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class YearStatus(models.TextChoices):
    OFFICIAL = "official", _("正式（国务院办公厅通知）")
    PROVISIONAL = "provisional", _("暂定（仅法定节假日与周末）")


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    status = models.CharField(_("状态"), max_length=12, choices=YearStatus.choices)
    source_notice = models.CharField(_("来源通知"), max_length=200, blank=True,
                                     help_text=_("如：国务院办公厅关于2026年部分节假日安排的通知"))
    announced_on = models.DateField(_("发布日期"), null=True, blank=True)
    version = models.PositiveIntegerField(
        _("日历版本"), help_text=_("全局递增：每次导入或修改任一年份都会产生新的版本"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历年份")
        verbose_name_plural = _("日历年份")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}（{self.get_status_display()}）"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假")
    MAKEUP_WORKDAY = "makeup_workday", _("调休上班")


class CalendarDay(models.Model):
    date = models.DateField(_("日期"), unique=True)
    year = models.ForeignKey(CalendarYear, models.CASCADE, related_name="days", verbose_name=_("年份"))
    kind = models.CharField(_("类别"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("节日"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()
