"""Case numbers, bundle numbers, certificate numbers and query codes.

A case number is readable and says where and when the case was opened: `<centre code>-<YYYYMMDD>-<seq>`
(DX01-20261125-0001), the sequence counting per centre and day in CaseCounter.

Why the allocation runs in its own short transaction: the counter row of a centre and day is the one
row every intake of that centre writes. Held for a whole intake (materials, tasks, fees, audit), it
would serialise the hall. So the services allocate the number first, in a transaction of its own that
only bumps the counter, and create the case afterwards. A rolled-back intake leaves a gap in the
sequence; gaps are harmless (numbers are unique, not dense) and the audit trail explains every number
that exists. When the caller is already inside a transaction the allocation is a savepoint of it and
the lock lasts until the caller commits: still correct, only slower."""

from __future__ import annotations

import re
import secrets
from datetime import date

from django.db import transaction
from django.db.models import F

from .models import CaseCounter, CertificateCounter

# No 0/O, 1/I/L: read aloud over the phone or copied from paper without mistakes.
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 6


def new_query_code() -> str:
    """A random query code (6 characters from an unambiguous alphabet; ~30 bits from `secrets`)."""
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def normalise_query_code(code: str) -> str:
    return (code or "").strip().upper()


def _next_case_sequence(centre, day: date) -> int:
    with transaction.atomic():
        counter, _created = CaseCounter.objects.select_for_update().get_or_create(centre=centre, day=day)
        CaseCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        return counter.last + 1


def allocate_case_number(centre, day: date) -> str:
    """The next case number of `centre` on `day`, committed at once (see the module docstring)."""
    seq = _next_case_sequence(centre, day)
    return f"{centre.code}-{day:%Y%m%d}-{seq:04d}"


def allocate_bundle_number(centre, day: date) -> str:
    """A bundle tracker number: YJS-<centre>-<date>-<seq>, from the same counter as the centre's case
    numbers so the sequence part never repeats within a day."""
    seq = _next_case_sequence(centre, day)
    return f"YJS-{centre.code}-{day:%Y%m%d}-{seq:04d}"


def certificate_prefix(centre) -> str:
    """The letters of the centre code (DX01 -> DX): the place that issued the result."""
    letters = re.match(r"[A-Za-z]+", centre.code or "")
    return letters.group(0).upper() if letters else "CERT"


def allocate_certificate_number(*, certificate_type: str, year: int, prefix: str) -> str:
    """`<prefix>-<TYPE>-<year>-<seq>`, the sequence counting per certificate type and year."""
    with transaction.atomic():
        counter, _created = CertificateCounter.objects.select_for_update().get_or_create(
            certificate_type=certificate_type, year=year)
        CertificateCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        seq = counter.last + 1
    kind = re.sub(r"[^A-Za-z0-9]", "", certificate_type).upper()[:16] or "CERT"
    return f"{prefix}-{kind}-{year}-{seq:06d}"
