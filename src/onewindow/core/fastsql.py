"""Statements compiled once, for the few hot paths (a submission, a case action, the API token).

Django builds every ORM query afresh: a `filter(...).first()` costs ~0.45 ms of Python before the
database sees it, a `save()` more; a submission runs ~15 of them. These helpers build the SQL text once
per model, statement and database vendor, and keep the ORM's conversions exactly — values go in through
each field's `get_db_prep_save` (after `pre_save`, so `auto_now` and friends still apply), rows come
back through the same converters the ORM's compiler applies, into instances made by `Model.from_db`
(so `refresh_from_db`, lazy relations and `save()` behave as for any loaded object). They route like
the ORM (`router.db_for_read` / `db_for_write`) and run inside whatever transaction is open.

Not used: signals (no model of ours has receivers on these statements; catalog's are on catalog models,
which never go through here), `Model.save()` overrides (none on the models that do).

    APPLICANT = fastsql.Select(Applicant, "{id_number} = %s", order_by=("id",), limit=1)
    APPLICANT.first([number])          # an Applicant or None
    fastsql.insert(case)               # INSERT … RETURNING id; case.pk set
    fastsql.update(record, ["case"])   # UPDATE … SET case_id = %s WHERE id = %s

Placeholders in a `where` are field names of the model (`{holder}` → "cases_certificate"."holder_id")
or of a related model named in `related` (`{user.is_active}`). Parameters must be database-ready
values (ints, strings, dates; an aware datetime would need its field's preparation on SQLite)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, router
from django.db.models import Field, Model

_PLACEHOLDER = re.compile(r"\{([\w.]+)\}")


def concrete_field(model: type[Model], name: str) -> Field:
    """The field `name` stored in the model's own table (a column), for statements written by hand;
    FieldDoesNotExist for a reverse relation or a name the model does not have."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.concrete:
        raise FieldDoesNotExist(f"{model.__name__}.{name} is not a column of {model._meta.db_table}")
    return field


def _converters(connection, field, alias: str) -> tuple[list, object]:
    col = field.get_col(alias)
    return [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)], col


class _Part:
    """One model's columns in a SELECT, with their converters for one connection."""

    def __init__(self, model, alias: str, connection):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.pk_index = self.attnames.index(model._meta.pk.attname)
        qn = connection.ops.quote_name
        self.columns = [f"{qn(alias)}.{qn(f.column)}" for f in self.fields]
        self.converters = []
        for index, field in enumerate(self.fields):
            convs, col = _converters(connection, field, alias)
            if convs:
                self.converters.append((index, convs, col))

    def build(self, db: str, connection, values):
        if self.converters:
            values = list(values)
            for index, convs, col in self.converters:
                value = values[index]
                for conv in convs:
                    value = conv(value, col, connection)
                values[index] = value
        return self.model.from_db(db, self.attnames, values)


class Select:
    """SELECT of whole model rows (optionally with forward foreign keys joined, as select_related;
    `item__department` follows a key of a related row named before it)."""

    def __init__(self, model, where: str, *, order_by: tuple[str, ...] = (), limit: int | None = None,
                 related: tuple[str, ...] = (), for_update: bool = False,
                 attach: tuple[str, type[Model], str] | None = None, prefix: str = ""):
        """`attach` (attribute, model, condition): the one row of another model matching `condition`
        (its fields `{attribute.field}`, this model's `{field}`), outer-joined and read (never locked)
        into `obj.<attribute>` (None when there is none) — a row no foreign key leads to."""
        self.model, self.where, self.order_by, self.limit = model, where, order_by, limit
        self.related, self.for_update, self.attach = related, for_update, attach
        self.prefix = prefix  # e.g. a data-modifying WITH clause: its parameters come first
        self._compiled: dict[tuple[str, str], tuple] = {}

    def _compile(self, db: str, connection):
        key = (db, connection.vendor)
        if key in self._compiled:
            return self._compiled[key]
        qn = connection.ops.quote_name
        meta = self.model._meta
        table = meta.db_table
        parts = [_Part(self.model, table, connection)]
        joins, names = [], {}
        for field in meta.concrete_fields:
            names[field.name] = names[field.attname] = f"{qn(table)}.{qn(field.column)}"
        links, outer = [], [False]  # outer: whether each part's row may be missing
        for name in self.related:
            # "item__department": the department of the item (the item named before it in `related`)
            parent, _sep, own = name.rpartition("__")
            owner = self.related.index(parent) + 1 if parent else 0
            owner_meta, owner_alias = parts[owner].model._meta, f"r_{parent}" if parent else table
            fk = owner_meta.get_field(own)
            target = fk.related_model
            alias = f"r_{name}"
            # a nullable key may point nowhere: its row still comes, with the related object None
            outer.append(fk.null or outer[owner])
            join = "LEFT OUTER JOIN" if outer[-1] else "INNER JOIN"
            joins.append(f"{join} {qn(target._meta.db_table)} {qn(alias)} "
                         f"ON {qn(alias)}.{qn(fk.target_field.column)} = {qn(owner_alias)}.{qn(fk.column)}")
            parts.append(_Part(target, alias, connection))
            links.append((fk, owner))
            for field in target._meta.concrete_fields:
                names[f"{name}.{field.name}"] = names[f"{name}.{field.attname}"] = f"{qn(alias)}.{qn(field.column)}"
        attached, attach_join = None, ""
        if self.attach is not None:
            attribute, other, condition = self.attach
            alias = f"a_{attribute}"
            for field in other._meta.concrete_fields:
                names[f"{attribute}.{field.name}"] = f"{qn(alias)}.{qn(field.column)}"
            attached = _Part(other, alias, connection)
            attach_join = f"LEFT OUTER JOIN {qn(other._meta.db_table)} {qn(alias)} ON {condition}"

        def column(match) -> str:
            if match.group(1) not in names:
                raise KeyError(f"{match.group(1)!r} is not a field of {meta.label} or of {self.related}")
            return names[match.group(1)]

        where = _PLACEHOLDER.sub(column, self.where)
        columns = [c for part in parts for c in part.columns]
        if attached is not None:
            columns += attached.columns
            joins.append(_PLACEHOLDER.sub(column, attach_join))
        sql = f"{self.prefix}SELECT {', '.join(columns)} FROM {qn(table)} {' '.join(joins)} WHERE {where}"
        parts = [*parts, attached] if attached is not None else parts
        if self.order_by:
            sql += " ORDER BY " + ", ".join(
                f"{names[o.lstrip('-')]} {'DESC' if o.startswith('-') else 'ASC'}" for o in self.order_by)
        if self.limit is not None:
            sql += f" LIMIT {int(self.limit)}"
        if self.for_update and connection.features.has_select_for_update:
            # only this model's row: joined rows (an item, a department) are read, not locked
            sql += f" FOR UPDATE OF {qn(table)}" if joins and connection.features.has_select_for_update_of \
                else " FOR UPDATE"
        compiled = self._compiled[key] = (sql, parts, links)
        return compiled

    def all(self, params: Sequence[Any] = ()) -> list[Any]:
        db = router.db_for_write(self.model) if self.for_update else router.db_for_read(self.model)
        connection = connections[db]
        sql, parts, links = self._compile(db, connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            rows = cursor.fetchall()
        result = []
        attribute, attached = (self.attach[0], parts[-1]) if self.attach is not None else ("", None)
        for row in rows:
            start = len(parts[0].fields)
            obj = parts[0].build(db, connection, row[:start])
            built = [obj]
            for part, (fk, owner) in zip(parts[1:len(links) + 1], links, strict=True):
                end = start + len(part.fields)
                values = row[start:end]
                related = None if values[part.pk_index] is None else part.build(db, connection, values)
                if built[owner] is not None:
                    fk.set_cached_value(built[owner], related)
                built.append(related)
                start = end
            if attached is not None:
                values = row[start:]
                setattr(obj, attribute,
                        None if values[attached.pk_index] is None else attached.build(db, connection, values))
            result.append(obj)
        return result

    def first(self, params: Sequence[Any] = ()) -> Any:
        rows = self.all(params)
        return rows[0] if rows else None

    def get(self, params: Sequence[Any] = ()) -> Any:
        """The one row, or the model's DoesNotExist (as QuerySet.get)."""
        rows = self.all(params)
        if not rows:
            raise self.model.DoesNotExist(f"{self.model._meta.object_name} matching {self.where} does not exist")
        return rows[0]


class _Insert:
    def __init__(self, model):
        self.model = model
        self._sql: dict[tuple[str, int], str] = {}
        self._unnest: bool | None = None

    @cached_property
    def fields(self):
        meta = self.model._meta
        return [f for f in meta.local_concrete_fields if f is not meta.auto_field]

    def sql(self, connection, rows: int) -> str:
        """The statement for `rows` rows, built once per engine and row count (one for any count where
        the rows go in as arrays)."""
        key = (connection.vendor, 0 if rows > 1 and self.unnest(connection) else rows)
        sql = self._sql.get(key)
        if sql is None:
            sql = self._sql[key] = self._build(connection, rows)
        return sql

    def _build(self, connection, rows: int) -> str:
        qn = connection.ops.quote_name
        meta = self.model._meta
        head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in self.fields)}) "
        if rows > 1 and self.unnest(connection):
            # PostgreSQL, several rows: one array per column (as Django's bulk_create does), so the text
            # and its parameter count are the same whatever the number of rows — planned and converted
            # once, where a VALUES list grows with the rows.
            arrays = ", ".join(f"(%s)::{f.db_type(connection).split('(')[0]}[]" for f in self.fields)
            return f"{head}SELECT * FROM UNNEST({arrays}) RETURNING {qn(meta.pk.column)}"
        row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        return f"{head}VALUES {', '.join([row] * rows)} RETURNING {qn(meta.pk.column)}"

    def unnest(self, connection) -> bool:
        if connection.vendor != "postgresql":
            return False
        if self._unnest is None:
            self._unnest = self._arrays_fit(connection)
        return self._unnest

    def _arrays_fit(self, connection) -> bool:
        return not any(
            hasattr(f, "get_placeholder")
            or (f.target_field if f.is_relation else f).get_internal_type() not in connection.data_types
            for f in self.fields)


_INSERTS: dict[type, _Insert] = {}


def _can_return(connection) -> bool:
    return connection.features.can_return_columns_from_insert


def insert_many(objs: list) -> list:
    """INSERT the (unsaved, same-model) instances in one statement; their primary keys are set from
    RETURNING. Where the engine cannot return columns from an INSERT, each is saved by the ORM."""
    if not objs:
        return objs
    model = type(objs[0])
    db = router.db_for_write(model)
    connection = connections[db]
    if not _can_return(connection):
        for obj in objs:
            obj.save(force_insert=True, using=db)
        return objs
    statement = _INSERTS.get(model) or _INSERTS.setdefault(model, _Insert(model))
    batch = (connection.features.max_query_params or 65535) // len(statement.fields) or 1
    for start in range(0, len(objs), batch):
        chunk = objs[start:start + batch]
        rows = [values_for_insert(obj, statement.fields, connection) for obj in chunk]
        if len(chunk) > 1 and statement.unnest(connection):
            params = [list(column) for column in zip(*rows, strict=True)]
        else:
            params = [value for row in rows for value in row]
        with connection.cursor() as cursor:
            cursor.execute(statement.sql(connection, len(chunk)), params)
            mark_saved(chunk, [pk for (pk,) in cursor.fetchall()], db)
    return objs


def values_for_insert(obj, fields, connection) -> list:
    """`fields` of an unsaved instance as an INSERT writes them (pre_save, then the field's own
    preparation): for statements of their own that insert model rows (audit's chain-moving insert)."""
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def mark_saved(objs, ids, db: str) -> None:
    """The instances as the ORM leaves them after an INSERT: their keys set, no longer `adding`."""
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, db


def insert(obj):
    """INSERT one unsaved instance (all its concrete fields but the auto primary key); obj.pk is set."""
    return insert_many([obj])[0]


def update(obj, fields: list[str]) -> None:
    """UPDATE the named fields of a saved instance by its primary key (what save(update_fields=…) writes,
    without the query compiler)."""
    model = type(obj)
    db = router.db_for_write(model)
    connection = connections[db]
    meta = model._meta
    qn = connection.ops.quote_name
    targets = [meta.get_field(name) for name in fields]
    sets = ", ".join(f"{qn(f.column)} = %s" for f in targets)
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in targets]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s", [*params, obj.pk])

