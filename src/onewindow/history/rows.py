"""The rows the sample history writes: one declaration per table, named after the model's fields.

Each table's row is a slotted dataclass whose fields are the model's field names in column order
(a foreign key holds the id). `RowDef` checks the declaration against the model when the generator
starts — a column the model has and the row lacks stops the run with its name, so a new column is
added here (and given its value where the case's life computes it), nowhere else — and makes from it
the COPY text line (PostgreSQL) and the plain tuple (executemany elsewhere)."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models as django_models

from onewindow.audit.models import AuditChain, AuditEvent
from onewindow.cases.models import (
    BundleApplication,
    Case,
    CaseMaterial,
    Certificate,
    DenialFiling,
    Extension,
    Fee,
    SpecialProcedure,
    SupplementRequest,
    Task,
)
from onewindow.orgs.models import Applicant

NULL = "\\N"  # COPY text's NULL



@dataclasses.dataclass(slots=True)
class ApplicantRow:
    id: int
    kind: str
    name: str
    id_number: str
    phone: str
    address: str
    legal_representative: str
    user: int | None
    bad_credit: bool
    created_at: datetime


@dataclasses.dataclass(slots=True)
class BundleApplicationRow:
    id: int
    number: str
    query_code: str
    bundle: int
    applicant: int
    centre: int
    submitted_at: datetime


@dataclasses.dataclass(slots=True)
class CaseRow:
    id: int
    number: str
    query_code: str
    item: int
    item_version: int
    applicant: int
    centre: int
    window: int | None
    channel: str
    state: str
    form_data: str  # JSON text
    bundle_application: int | None
    project: int | None
    agent: int | None
    submitted_by: int | None
    accepted_by: int | None
    submitted_at: datetime
    accepted_on: date | None
    committed_limit_days: int
    extension_days: int
    paused_days: int
    paused_since: date | None
    due_on: date | None
    due_provisional: bool
    calendar_version: int | None
    decided_at: datetime | None
    concluded_at: datetime | None
    visit_count: int
    instant_rule: str | None  # JSON text
    delivery_method: str
    delivery_address: str
    tracking_number: str
    delivered_at: datetime | None
    decision_reason: str
    updated_at: datetime
    limit_unit: str
    warn_on: date | None
    late_on: date | None
    stopped_on: date | None


@dataclasses.dataclass(slots=True)
class CertificateRow:
    id: int
    number: str
    certificate_type: str
    title: str
    holder: int
    case: int
    issuer: int
    issued_on: date
    valid_until: date | None
    status: str
    data: str  # JSON text
    digest: str


@dataclasses.dataclass(slots=True)
class TaskRow:
    """Also the task's working state while the case's life runs (the life changes state, dates and
    opinion as the task moves on)."""

    id: int
    case: int
    step: int
    kind: str
    name: str
    department: int
    state: str
    limit_days: int
    opened_on: date | None
    due_on: date | None
    completed_at: datetime | None
    completed_by: int | None
    opinion: str
    # The stage's clock (cases/deadlines.py): set by the case's life where it opens, pauses and ends.
    limit_unit: str = "working"
    extension_days: int = 0
    paused_days: int = 0
    paused_since: date | None = None
    warn_on: date | None = None
    late_on: date | None = None
    stopped_on: date | None = None


@dataclasses.dataclass(slots=True)
class CaseMaterialRow:
    """Also the material's working state while the case's life runs."""

    id: int
    case: int
    material: int | None
    name: str
    status: str
    certificate: int | None
    file: str
    promised_by: date | None
    supplied_at: datetime | None
    note: str


@dataclasses.dataclass(slots=True)
class SupplementRequestRow:
    id: int
    case: int
    task: int | None
    requested_by: int | None
    requested_at: datetime
    requested_on: date
    defects: str  # JSON text
    return_state: str
    supplied_at: datetime | None


@dataclasses.dataclass(slots=True)
class SpecialProcedureRow:
    id: int
    case: int
    task: int
    kind: str
    limit_days: int
    started_on: date
    due_on: date
    ended_on: date | None
    started_by: int | None
    reason: str
    outcome: str
    applicant_notified_at: datetime | None
    # The sample catalog commits no procedures: the history's are within the law's own limits, not
    # exceptions (the efficiency office's list stays for real ones).
    committed_limit_days: int | None = None
    is_exception: bool = False
    exception_reason: str = ""


@dataclasses.dataclass(slots=True)
class ExtensionRow:
    id: int
    case: int
    days: int
    reason: str
    requested_by: int | None
    approved_by: int | None
    approved_at: datetime
    applicant_notified_at: datetime | None
    previous_due_on: date
    new_due_on: date


@dataclasses.dataclass(slots=True)
class DenialFilingRow:
    id: int
    case: int
    kind: str
    department: int
    reason: str
    filed_by: int | None
    filed_at: datetime


@dataclasses.dataclass(slots=True)
class FeeRow:
    id: int
    case: int
    description: str
    amount: Decimal
    state: str
    paid_at: datetime | None
    receipt_number: str


@dataclasses.dataclass(slots=True)
class AuditChainRow:
    id: int
    key: str
    length: int
    head_hash: str


@dataclasses.dataclass(slots=True)
class AuditEventRow:
    """The events' COPY lines are made in chains.write_chain (the busiest table: the hash and the
    line share the moment's text and the middle fields' cached text); this declaration gives their
    columns and the tuples on other databases."""

    id: int
    chain: int
    position: int
    occurred_at: datetime
    actor: int | None
    actor_label: str
    action: str
    from_state: str
    to_state: str
    reason: str
    data: str  # JSON text
    prev_hash: str
    hash: str


def copy_text(text: str) -> str:
    """A string as a COPY text field (backslash, tab, newline and carriage return escaped)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


_isoformat = datetime.isoformat


def copy_moment(value: datetime | None, known: dict) -> str:
    """A moment as COPY text: the ISO text already made for the case's events, else made here."""
    if value is None:
        return NULL
    text = known.get(value)
    return text if text is not None else _isoformat(value, "T", "microseconds")


class RowDef:
    """A table, its row declaration and the two ways a row is written."""

    def __init__(self, model, row_type):
        self.model, self.row_type = model, row_type
        meta = model._meta
        self.name = meta.db_table
        self.fields = tuple(field.name for field in dataclasses.fields(row_type))
        model_fields = [meta.get_field(name) for name in self.fields]
        self.columns = [field.column for field in model_fields]
        missing = {field.column for field in meta.concrete_fields} - set(self.columns)
        if missing:
            raise RuntimeError(f"the sample history does not fill {self.name}.{sorted(missing)}: "
                               f"add it to {row_type.__name__} in history/rows.py")
        self.values = operator.attrgetter(*self.fields)  # row -> tuple, in column order
        self.line = _line_function(row_type.__name__, list(zip(self.fields, model_fields, strict=True)))


def _line_function(name: str, fields: list) -> Callable[..., str]:
    """Compile `line(row, known) -> str`, the row's COPY text line, from the fields' types: one f-string
    per table, as fast as a hand-written one. Text is escaped only when some text field of the row holds
    a backslash, tab, newline or carriage return (one test on the row, not a call per field)."""
    raw, escaped, texts = [], [], []
    for attribute, field in fields:
        value = f"r.{attribute}"
        if isinstance(field, django_models.BooleanField):
            text = plain = f"{{'t' if {value} else 'f'}}"
        elif isinstance(field, django_models.DateTimeField):
            text = plain = f"{{moment({value}, known)}}"
        elif isinstance(field, django_models.DateField):
            text = plain = f"{{N if {value} is None else {value}.isoformat()}}"
        elif isinstance(field, django_models.CharField | django_models.TextField | django_models.JSONField
                        | django_models.FileField):
            if field.null:
                plain, text = f"{{N if {value} is None else {value}}}", f"{{N if {value} is None else text({value})}}"
                texts.append(f"{{{value} or ''}}")
            else:
                plain, text = f"{{{value}}}", f"{{text({value})}}"
                texts.append(plain)
        elif isinstance(field, django_models.IntegerField | django_models.AutoField | django_models.ForeignKey
                        | django_models.DecimalField):
            text = plain = f"{{{value}}}" if not field.null else f"{{N if {value} is None else {value}}}"
        else:  # pragma: no cover - a field type this table does not have yet
            raise RuntimeError(f"history/rows.py: no COPY text for {type(field).__name__} ({name}.{attribute})")
        raw.append(plain)
        escaped.append(text)
    raw_line, escaped_line, text_fields = "\\t".join(raw), "\\t".join(escaped), "".join(texts)
    source = (f'def line(r, known):\n'
              f'    t = f"{text_fields}"\n'
              f'    if "\\\\" in t or "\\t" in t or "\\n" in t or "\\r" in t:\n'
              f'        return f"{escaped_line}\\n"\n'
              f'    return f"{raw_line}\\n"\n')
    namespace: dict[str, Any] = {"N": NULL, "text": copy_text, "moment": copy_moment}
    exec(compile(source, f"<history row {name}>", "exec"), namespace)  # noqa: S102 - built from field names above
    return namespace["line"]


ROWS = {
    Applicant: ApplicantRow,
    BundleApplication: BundleApplicationRow,
    Case: CaseRow,
    Certificate: CertificateRow,
    Task: TaskRow,
    CaseMaterial: CaseMaterialRow,
    SupplementRequest: SupplementRequestRow,
    SpecialProcedure: SpecialProcedureRow,
    Extension: ExtensionRow,
    DenialFiling: DenialFilingRow,
    Fee: FeeRow,
    AuditChain: AuditChainRow,
    AuditEvent: AuditEventRow,
}

# Parents before children (SQLite checks foreign keys per statement; PostgreSQL defers them).
WRITE_ORDER = [Applicant, BundleApplication, Case, Certificate, Task, CaseMaterial, SupplementRequest,
               SpecialProcedure, Extension, DenialFiling, Fee, AuditChain, AuditEvent]


def row_defs() -> dict:
    return {model: RowDef(model, row_type) for model, row_type in ROWS.items()}
