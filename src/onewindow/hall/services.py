"""Writes of the hall, one function per action. Booking and cancelling are in hall/booking.py, the
queue and the windows' calling in hall/queue.py; both are re-exported here so callers (pages, the
command line, the scheduled job) write through this one module. Setting a hall up and the hourly
sweep are here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.catalog.models import Item
from onewindow.core.errors import ValidationError
from onewindow.orgs.models import ServiceCentre

from .booking import book_appointment as book_appointment
from .booking import cancel_appointment as cancel_appointment
from .booking import cancel_deadline as cancel_deadline
from .booking import mark_no_shows as mark_no_shows
from .config import local
from .models import Hall, HallWindow, QueueCategory
from .queue import call_next as call_next
from .queue import check_in as check_in
from .queue import close_day as close_day
from .queue import close_window as close_window
from .queue import current_ticket as current_ticket
from .queue import finish as finish
from .queue import open_window as open_window
from .queue import recall as recall
from .queue import skip as skip
from .queue import take_ticket as take_ticket

DEFAULT_CATEGORY = ("A", "综合受理")


@dataclass(frozen=True)
class CategorySpec:
    """A queue to set up: its letter, name, the codes of its items, and the numbers of the windows
    that serve it (besides the comprehensive windows, which serve the default queue)."""

    letter: str
    name: str
    item_codes: tuple[str, ...] = ()
    window_numbers: tuple[str, ...] = ()


@transaction.atomic
def set_up_hall(*, centre: ServiceCentre, places: int = 4, categories: list[CategorySpec] | None = None) -> Hall:
    """Give a centre a hall, or complete the one it has (nothing already set up is changed): the hall
    with its default settings, the default queue A 综合受理 served by every comprehensive window, each
    window with `places` appointment places per half-day, and the queues of `categories` with their
    items and windows. Idempotent."""
    if places < 0:
        raise ValidationError(_("预约名额不能为负数"), field="places")
    hall, _created = Hall.objects.get_or_create(centre=centre)
    default = QueueCategory.objects.filter(hall=hall, is_default=True).first()
    if default is None:
        default, _created = QueueCategory.objects.get_or_create(
            hall=hall, letter=DEFAULT_CATEGORY[0], defaults={"name": DEFAULT_CATEGORY[1], "is_default": True})
    by_number = {}
    for window in centre.windows.all():
        hall_window, created = HallWindow.objects.get_or_create(window=window,
                                                                defaults={"appointment_places": places})
        if created and window.is_comprehensive:
            hall_window.categories.add(default)
        by_number[window.number] = hall_window
    for order, spec in enumerate(categories or [], start=1):
        category, created = QueueCategory.objects.get_or_create(
            hall=hall, letter=spec.letter, defaults={"name": spec.name, "order": order})
        if not created:
            continue
        category.items.set(Item.objects.filter(code__in=spec.item_codes))
        for number in spec.window_numbers:
            if number not in by_number:
                raise ValidationError(_("%(centre)s没有 %(n)s 号窗口") % {"centre": centre.name, "n": number},
                                      field="window_numbers")
            by_number[number].categories.add(category)
    return hall


def set_window_places(*, window_id: int, places: int) -> HallWindow:
    """A window's appointment places per half-day (0: it takes no appointments). Bookings already made
    keep their places; fewer places only stop new bookings."""
    if not 0 <= places <= 200:
        raise ValidationError(_("每半天预约名额应在 0—200 之间"), field="places")
    hall_window = HallWindow.objects.select_related("window").get(window_id=window_id)
    hall_window.appointment_places = places
    hall_window.save(update_fields=["appointment_places"])
    return hall_window


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The hourly job: appointments whose half-day ended without a check-in become no-shows, and
    earlier days' tickets are closed (hall.queue.close_day). Idempotent."""
    now = local(now)
    return {"no_shows": mark_no_shows(now=now), **close_day(now=now)}
