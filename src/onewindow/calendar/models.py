"""Our own working-day calendar. Only exceptions to the week are stored: the days off of each official
holiday period (including the weekend days inside it, so a listing reads like the notice) and the
make-up working days (调休) on weekends; every other day follows the week.
A year is official once the State Council's schedule for it is imported; until then it is
provisional (statutory holidays plus weekends) and every answer about it says so.

Weekend service (5+2) lives here too: it says when a centre's HALL is open, never how many working days
a legal time limit has."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.orgs.models import ServiceCentre


class YearStatus(models.TextChoices):
    OFFICIAL = "official", _("正式（国务院办公厅通知）")
    PROVISIONAL = "provisional", _("暂定（仅法定节假日与周末）")


class YearOrigin(models.TextChoices):
    PACKAGE = "package", _("随软件附带的历年安排（chinesecalendar）")
    IMPORT = "import", _("管理员导入文件")
    ADMIN = "admin", _("管理员在后台录入")


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    status = models.CharField(_("状态"), max_length=12, choices=YearStatus.choices)
    source_notice = models.CharField(_("来源通知"), max_length=200, blank=True,
                                     help_text=_("如：国务院办公厅关于2026年部分节假日安排的通知"))
    announced_on = models.DateField(_("发布日期"), null=True, blank=True)
    version = models.PositiveIntegerField(
        _("日历版本"), help_text=_("全局递增：每次导入或修改任一年份都会产生新的版本"))
    # Seeding from the package never overwrites a year an administrator entered or imported.
    origin = models.CharField(_("数据来源"), max_length=10, choices=YearOrigin.choices,
                              default=YearOrigin.ADMIN)
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


class Weekday(models.IntegerChoices):
    SATURDAY = 5, _("星期六")
    SUNDAY = 6, _("星期日")


class WeekendOpening(models.Model):
    """A centre's regular 5+2 opening: the hall is open on this weekend day every week (except during
    an official holiday period, unless a CentreDayException says otherwise). It does not make the day a
    working day for time limits."""

    centre = models.ForeignKey(ServiceCentre, models.CASCADE, related_name="weekend_openings",
                               verbose_name=_("中心"))
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    hours = models.CharField(_("开放时间"), max_length=60, blank=True, help_text=_("如：09:00-12:00"))
    note = models.CharField(_("说明"), max_length=200, blank=True, help_text=_("如：仅办理社保、不动产登记"))

    class Meta:
        verbose_name = _("周末开放（5+2）")
        verbose_name_plural = _("周末开放（5+2）")
        constraints = [models.UniqueConstraint(fields=["centre", "weekday"], name="weekend_opening_unique")]
        ordering = ["centre", "weekday"]

    def __str__(self):
        return f"{self.centre} {self.get_weekday_display()} {self.hours}".strip()


class CentreDayException(models.Model):
    """One date on which a centre's hall departs from its usual rule: open on a holiday (e.g. a
    registration drive) or closed on a working day (e.g. a power cut)."""

    centre = models.ForeignKey(ServiceCentre, models.CASCADE, related_name="day_exceptions",
                               verbose_name=_("中心"))
    date = models.DateField(_("日期"))
    is_open = models.BooleanField(_("开放"), help_text=_("勾选：当天开放；不勾选：当天不开放"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("中心开放例外")
        verbose_name_plural = _("中心开放例外")
        constraints = [models.UniqueConstraint(fields=["centre", "date"], name="centre_day_exception_unique")]
        ordering = ["centre", "date"]

    def __str__(self):
        return f"{self.centre} {self.date} {'开放' if self.is_open else '不开放'}"

    def clean(self):
        if self.date and not (2004 <= self.date.year <= 2100):
            raise ValidationError({"date": _("日期超出日历范围")})
