"""Reading a hall's configuration: which hall a centre has, which queue an item joins, which windows
serve a queue, and when a half-day begins and ends. Shared by the writes (booking, queue) and the reads
(selectors); setting a hall up is `hall.services.set_up_hall`."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.catalog.models import Item
from onewindow.core.errors import NotFound, ValidationError
from onewindow.orgs.models import ServiceCentre

from .models import HalfDay, Hall, HallWindow, QueueCategory


def local(now: datetime | None) -> datetime:
    """`now` (default: the current time) in the site's time zone."""
    return timezone.localtime(now or timezone.now())


def hall_of(centre: ServiceCentre) -> Hall:
    """The centre's hall; NotFound when the centre runs no queue (nothing to book or take)."""
    hall = Hall.objects.filter(centre=centre).select_related("centre").first()
    if hall is None:
        raise NotFound(_("%(centre)s尚未开通预约和排队取号") % {"centre": centre.name}, field="centre")
    return hall


def category_for_item(hall: Hall, item: Item) -> QueueCategory:
    """The queue an item joins at this hall: the category that lists it, else the default category."""
    category = (QueueCategory.objects.filter(hall=hall, items=item).order_by("order", "letter").first()
                or QueueCategory.objects.filter(hall=hall, is_default=True).first())
    if category is None:
        raise ValidationError(_("%(centre)s没有可办理“%(item)s”的排队类别") % {
            "centre": hall.centre.name, "item": item.name}, field="item")
    return category


def half_day_bounds(hall: Hall, day: date, half_day: str) -> tuple[datetime, datetime]:
    """(start, end) of a day's morning or afternoon at this hall, as aware datetimes."""
    if half_day not in HalfDay.values:
        raise ValidationError(_("时段应为上午（am）或下午（pm）"), field="half_day")
    start, end = hall.half_day_times(half_day)
    zone = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(day, start), zone),
            timezone.make_aware(datetime.combine(day, end), zone))


def half_day_at(hall: Hall, moment: datetime) -> str:
    """The half-day a moment belongs to for the queue's statistics: afternoon from the midday break on."""
    clock = local(moment).time()
    return HalfDay.AFTERNOON if clock >= hall.morning_end else HalfDay.MORNING


def windows_serving(category: QueueCategory) -> list[HallWindow]:
    """The windows of the hall that serve `category`, with their orgs.Window, by window number."""
    return sorted(HallWindow.objects.filter(categories=category).select_related("window"),
                  key=lambda hw: (len(hw.window.number), hw.window.number))
