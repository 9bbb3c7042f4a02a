"""The hall of a service centre: appointments (预约) and the live queue (取号、叫号).

- `Hall`: one per centre that runs a queue — its half-days, how far ahead people may book, the
  cancellation cut-off. Its row is the lock every booking and every ticket of the centre takes.
- `QueueCategory`: a queue of the hall (A 综合受理, B 不动产登记 …), by item; tickets are numbered per
  category and day (A001, A002 …).
- `HallWindow`: what one window (orgs.Window) serves — its categories — and how many appointment
  places it offers per half-day; whether a clerk has it open for calling now.
- `Appointment`: a booked place at a centre for an item on a day's morning or afternoon, held on one
  window's places; checked in at the kiosk it becomes a priority ticket.
- `Ticket`: one number of the queue, from issue to call to done, with its wait and service times.

The states and their transitions are in hall/states.py; writes in hall/services.py."""

from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import Item
from onewindow.orgs.models import Applicant, ServiceCentre, Window


class HalfDay(models.TextChoices):
    MORNING = "am", _("上午")
    AFTERNOON = "pm", _("下午")


class Hall(models.Model):
    """The queue and booking settings of one centre's hall. Times are local (settings.TIME_ZONE)."""

    centre = models.OneToOneField(ServiceCentre, models.CASCADE, related_name="hall", verbose_name=_("中心"))
    morning_start = models.TimeField(_("上午开始"), default=time(8, 0))
    morning_end = models.TimeField(_("上午结束"), default=time(12, 0))
    afternoon_start = models.TimeField(_("下午开始"), default=time(14, 30))
    afternoon_end = models.TimeField(_("下午结束"), default=time(17, 30))
    booking_open = models.BooleanField(_("开放网上预约"), default=True)
    booking_days_ahead = models.PositiveSmallIntegerField(
        _("可预约天数"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("可预约今天起多少天内的时段"))
    cancel_minutes_before = models.PositiveSmallIntegerField(
        _("取消截止（时段开始前分钟数）"), default=60, validators=[MaxValueValidator(24 * 60)],
        help_text=_("申请人可在预约时段开始前这么多分钟之前自行取消"))
    max_active_bookings = models.PositiveSmallIntegerField(
        _("每人最多同时持有的预约"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)])
    default_service_minutes = models.PositiveSmallIntegerField(
        _("默认每件办理分钟数"), default=10, validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("尚无办理记录时估算等候时间所用"))

    class Meta:
        verbose_name = _("大厅设置")
        verbose_name_plural = _("大厅设置")
        ordering = ["centre"]
        constraints = [
            models.CheckConstraint(condition=Q(morning_start__lt=models.F("morning_end")),
                                   name="hall_morning_in_order"),
            models.CheckConstraint(condition=Q(morning_end__lte=models.F("afternoon_start")),
                                   name="hall_morning_before_afternoon"),
            models.CheckConstraint(condition=Q(afternoon_start__lt=models.F("afternoon_end")),
                                   name="hall_afternoon_in_order"),
        ]

    def __str__(self):
        return str(self.centre)

    def half_day_times(self, half_day: str) -> tuple[time, time]:
        if half_day == HalfDay.MORNING:
            return self.morning_start, self.morning_end
        return self.afternoon_start, self.afternoon_end


class QueueCategory(models.Model):
    """One queue of a hall. An item goes to the category that lists it, else to the hall's default
    category; its tickets are numbered `letter` + three digits per day."""

    hall = models.ForeignKey(Hall, models.CASCADE, related_name="categories", verbose_name=_("大厅"))
    letter = models.CharField(_("号码字母"), max_length=2, validators=[RegexValidator(
        r"^[A-Z]{1,2}$", _("用 1—2 个大写字母，如 A、B"))])
    name = models.CharField(_("名称"), max_length=40, help_text=_("如：综合受理、不动产登记、社保医保"))
    items = models.ManyToManyField(Item, blank=True, related_name="queue_categories", verbose_name=_("事项"))
    is_default = models.BooleanField(_("其他事项归入此类"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("排队类别")
        verbose_name_plural = _("排队类别")
        ordering = ["hall", "order", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "letter"], name="queue_category_letter_unique"),
            models.UniqueConstraint(fields=["hall"], condition=Q(is_default=True), name="queue_category_one_default"),
        ]

    def __str__(self):
        return f"{self.letter} {self.name}"


class HallWindow(models.Model):
    """What one window of the hall serves and the appointment places it offers per half-day. `opened_at`
    and `clerk`: the window is calling now (a clerk opened it today on the calling page)."""

    window = models.OneToOneField(Window, models.CASCADE, related_name="hall_window", verbose_name=_("窗口"))
    categories = models.ManyToManyField(QueueCategory, blank=True, related_name="windows",
                                        verbose_name=_("服务的排队类别"))
    appointment_places = models.PositiveSmallIntegerField(
        _("每半天预约名额"), default=4, validators=[MaxValueValidator(200)],
        help_text=_("该窗口每个上午、每个下午可被预约的名额；0 为不接受预约"))
    opened_at = models.DateTimeField(_("开始叫号时间"), null=True, blank=True)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("当前窗口人员"))

    class Meta:
        verbose_name = _("大厅窗口")
        verbose_name_plural = _("大厅窗口")
        ordering = ["window"]

    def __str__(self):
        return str(self.window)


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已签到取号")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("爽约")


ACTIVE_APPOINTMENT_STATES = (AppointmentState.BOOKED, AppointmentState.CHECKED_IN)


class Appointment(models.Model):
    """A place booked for an item at a centre on one half-day, held on one window's places (the window
    that serves the item's category with the most places left). The booking code is what the
    applicant shows (or scans) at the kiosk."""

    code = models.CharField(_("预约码"), max_length=12, unique=True)
    centre = models.ForeignKey(ServiceCentre, models.PROTECT, related_name="appointments", verbose_name=_("中心"),
                               db_index=False)
    item = models.ForeignKey(Item, models.PROTECT, related_name="appointments", verbose_name=_("事项"))
    category = models.ForeignKey(QueueCategory, models.PROTECT, related_name="appointments",
                                 verbose_name=_("排队类别"))
    window = models.ForeignKey(Window, models.PROTECT, related_name="appointments", verbose_name=_("占用名额的窗口"))
    applicant = models.ForeignKey(Applicant, models.PROTECT, related_name="appointments", verbose_name=_("申请人"),
                                  db_index=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    day = models.DateField(_("预约日期"))
    half_day = models.CharField(_("时段"), max_length=2, choices=HalfDay.choices)
    state = models.CharField(_("状态"), max_length=12, choices=AppointmentState.choices,
                             default=AppointmentState.BOOKED)
    booked_at = models.DateTimeField(_("预约时间"))
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("预约人账号"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    no_show_at = models.DateTimeField(_("记为爽约时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["-day", "half_day", "id"]
        indexes = [
            # Capacity of a half-day (booking) and the no-show sweep; the appraisal's periods.
            models.Index(fields=["centre", "day", "half_day", "state"], name="appointment_slot_idx"),
            # An applicant's own bookings (the limit on active ones, "my appointments").
            models.Index(fields=["applicant", "state", "day"], name="appointment_applicant_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.day} {self.get_half_day_display()}"


class TicketState(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    DONE = "done", _("已办结")
    NO_SHOW = "no_show", _("过号")


class Ticket(models.Model):
    """One number of a hall's queue on one day. `wait_seconds` (issue to first call) is stored when it
    is called, `service_seconds` (first call to done) when it is done, so the hall page and the
    appraisal average them in the database."""

    centre = models.ForeignKey(ServiceCentre, models.PROTECT, related_name="tickets", verbose_name=_("中心"),
                               db_index=False)
    day = models.DateField(_("日期"))
    category = models.ForeignKey(QueueCategory, models.PROTECT, related_name="tickets", verbose_name=_("排队类别"),
                                 db_index=False)
    number = models.PositiveIntegerField(_("序号"))
    display = models.CharField(_("号码"), max_length=8, help_text=_("如 A012"))
    item = models.ForeignKey(Item, models.PROTECT, null=True, blank=True, related_name="tickets",
                             verbose_name=_("事项"))
    appointment = models.OneToOneField(Appointment, models.PROTECT, null=True, blank=True, related_name="ticket",
                                       verbose_name=_("预约"))
    priority = models.BooleanField(_("优先"), default=False, help_text=_("预约签到的号优先叫"))
    state = models.CharField(_("状态"), max_length=10, choices=TicketState.choices, default=TicketState.WAITING)
    issued_at = models.DateTimeField(_("取号时间"))
    called_at = models.DateTimeField(_("首次叫号时间"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("最近叫号时间"), null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(_("重呼次数"), default=0)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    window = models.ForeignKey(Window, models.PROTECT, null=True, blank=True, related_name="tickets",
                               verbose_name=_("叫号窗口"))
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("窗口人员"))
    wait_seconds = models.PositiveIntegerField(_("等候秒数"), null=True, blank=True)
    service_seconds = models.PositiveIntegerField(_("办理秒数"), null=True, blank=True)

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["-day", "category", "number"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "day", "category", "number"], name="ticket_number_unique"),
            # A window serves one person at a time: at most one called ticket.
            models.UniqueConstraint(fields=["window"], condition=Q(state="called"), name="one_called_ticket_per_window"),
        ]
        indexes = [
            # The queue: the next waiting ticket of a category today, the hall's counts.
            models.Index(fields=["centre", "day", "state", "category"], name="ticket_queue_idx"),
        ]

    def __str__(self):
        return f"{self.display} {self.day}"
