"""Work order numbers `TS<YYYYMMDD><seq>` (TS202612070001, counting per day) and query codes."""

from __future__ import annotations

import secrets
from datetime import date

from django.db import transaction
from django.db.models import F

from .models import WorkOrderCounter

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud over the phone
QUERY_CODE_LENGTH = 6


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def allocate_number(day: date) -> str:
    with transaction.atomic():
        counter, _created = WorkOrderCounter.objects.select_for_update().get_or_create(day=day)
        WorkOrderCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        return f"TS{day:%Y%m%d}{counter.last + 1:04d}"
