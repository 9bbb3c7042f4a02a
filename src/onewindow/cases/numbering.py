"""Case numbers, bundle numbers, certificate numbers and query codes.

A case number is readable and says where and when the case was opened: `<centre code>-<YYYYMMDD>-<seq>`
(DX01-20261125-0001), the sequence counting per centre and day in CaseCounter.

Why the allocation runs in its own short transaction: the counter row of a centre and day is the one
row every intake of that centre writes. Held for a whole intake (materials, tasks, fees, audit), it
would serialise the hall. So the services allocate the number first, in a transaction of its own that
only bumps the counter, and create the case afterwards. A rolled-back intake leaves a gap in the
sequence; gaps are harmless (numbers are unique, not dense) and the audit trail explains every number
that exists.

The bump is one statement, `INSERT … ON CONFLICT (…) DO UPDATE SET last = last + 1 RETURNING last`
(PostgreSQL; SQLite 3.35 and later): outside a transaction it is a transaction of its own, committed at
once, and the row lock lasts for that one statement. When the caller is already inside a transaction
the bump is part of it and the lock lasts until the caller commits: still correct, only slower. An
engine without the statement gets the same through SELECT … FOR UPDATE and UPDATE in a short atomic
block."""

from __future__ import annotations

import re
import secrets
from datetime import date

from django.db import connection, transaction
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


def _upsert_supported() -> bool:
    return connection.vendor == "postgresql" or (
        connection.vendor == "sqlite" and connection.features.can_return_columns_from_insert)


def _bump(model, **key) -> int:
    """`last + 1` of the counter row of `model` named by `key` (created at 1), committed with the
    statement when no transaction is open (see the module docstring)."""
    if not _upsert_supported():
        with transaction.atomic():
            counter, _created = model.objects.select_for_update().get_or_create(**key)
            model.objects.filter(pk=counter.pk).update(last=F("last") + 1)
            return counter.last + 1
    qn = connection.ops.quote_name
    fields = {model._meta.get_field(name): value for name, value in key.items()}
    table, last = qn(model._meta.db_table), qn(model._meta.get_field("last").column)
    columns = ", ".join(qn(field.column) for field in fields)
    params = [field.get_db_prep_value(value, connection) for field, value in fields.items()]
    sql = (f"INSERT INTO {table} ({columns}, {last}) VALUES ({', '.join(['%s'] * len(fields))}, 1) "
           f"ON CONFLICT ({columns}) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _next_case_sequence(centre, day: date) -> int:
    return _bump(CaseCounter, centre_id=centre.pk, day=day)


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
    seq = _bump(CertificateCounter, certificate_type=certificate_type, year=year)
    kind = re.sub(r"[^A-Za-z0-9]", "", certificate_type).upper()[:16] or "CERT"
    return f"{prefix}-{kind}-{year}-{seq:06d}"
