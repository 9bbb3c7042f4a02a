"""Dispatch suggestion: the three units most likely to answer a new work order.

A work order linked to a case goes to the departments handling that case (the one holding it first);
one linked to a catalog item goes to the item's department and the departments of its stages; the
rest, or all of it when nothing is linked, comes from the text model learnt from the centre's own
closed work orders (textmodel.py). This follows the hotline practice of dispatching by the unit's
duties (GB/T 33358-2016 政府热线服务规范, "按职责派单") with the centre's history as the duties'
record: what each unit actually answered.

The public API, for the work-order code and the CLI:

    suggest(text, *, case=None, item=None, k=3) -> list[Suggestion]
    learn(rows, *, replace=False) -> LearnReport           # (text, unit name) rows, e.g. an archive
    learn_from_closed(rows) -> int                         # (text, unit[, work order number]) of closed orders
    refresh(*, force=False) -> LearnReport | None          # re-learn when examples changed (scheduled job)
    evaluate(rows) -> Evaluation                           # the stored model on orders it did not learn from
    cross_validate(rows, folds=5) -> Evaluation            # k-fold on a file, nothing stored

The learnt model is one DispatchModel row shared by every app server; each process loads it once and
loads again when a newer version is in the database (one indexed query per suggestion tells)."""

from __future__ import annotations

import io
import json
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.errors import Conflict, ValidationError

from . import textmodel
from .models import DispatchExample, DispatchModel, ExampleSource
from .units import UnitMatcher

MIN_EXAMPLES_PER_UNIT = 2  # a unit named once is most often a typo, and cannot be held out and learnt
MODELS_KEPT = 3            # older model rows are deleted when a new one is saved


@dataclass(frozen=True)
class Suggestion:
    unit_name: str
    department_id: int | None
    score: float    # 1.0 for a unit from the linked case or item; else the text model's probability
    reason: str


@dataclass
class LoadedModel:
    version: int
    text: textmodel.TextModel
    departments: list[int | None]   # per unit, in the model's unit order
    trained_at: datetime
    examples_count: int
    _learnt: bytes = b""

    def learnt(self) -> np.ndarray:
        return np.frombuffer(self._learnt, dtype=np.int64) if self._learnt else np.zeros(0, dtype=np.int64)


_lock = threading.Lock()
_loaded: LoadedModel | None = None


def current_model() -> LoadedModel | None:
    """The newest model in the database, loaded once per process and again when a newer one appears."""
    global _loaded
    version = DispatchModel.objects.order_by("-version").values_list("version", flat=True).first()
    if version is None:
        return None
    loaded = _loaded
    if loaded is not None and loaded.version == version:
        return loaded
    with _lock:
        if _loaded is not None and _loaded.version == version:
            return _loaded
        row = DispatchModel.objects.filter(version=version).first()
        if row is None:  # deleted between the two queries: a newer one exists
            return current_model()
        _loaded = _load(row)
        return _loaded


def _load(row: DispatchModel) -> LoadedModel:
    with np.load(io.BytesIO(bytes(row.arrays)), allow_pickle=False) as arrays:
        text = textmodel.TextModel.from_arrays(arrays, vocabulary=json.loads(row.vocabulary),
                                               units=[u["name"] for u in row.units])
    return LoadedModel(version=row.version, text=text, departments=[u["department"] for u in row.units],
                       trained_at=row.trained_at, examples_count=row.examples_count, _learnt=bytes(row.learnt))


# --- suggesting -------------------------------------------------------------------------------------

def suggest(text: str, *, case=None, item=None, k: int = 3) -> list[Suggestion]:
    """The `k` most likely units for a new work order. `case`: a cases.Case or its number; `item`: a
    catalog.Item or its code. Units from the link come first (score 1.0); the text model fills the rest.
    Empty when nothing is linked and no model has been learnt yet."""
    if k < 1:
        return []
    linked: list[Suggestion] = []
    if case is not None:
        from onewindow.cases.selectors import case_departments

        number = case if isinstance(case, str) else case.number
        for position, department in enumerate(case_departments(case)):
            reason = (_("关联办件 %(n)s 当前的办理部门") if position == 0 else _("关联办件 %(n)s 的办理部门")) % {"n": number}
            linked.append(Suggestion(department.name, department.id, 1.0, reason))
    if item is not None:
        linked.extend(_item_suggestions(item))
    out, seen = [], set()
    for suggestion in linked:
        if suggestion.department_id not in seen:
            seen.add(suggestion.department_id)
            out.append(suggestion)
    if len(out) >= k:
        return out[:k]
    model = current_model()
    if model is None:
        return out
    exclude = [i for i, department in enumerate(model.departments) if department is not None and department in seen]
    for ranked in model.text.rank(text or "", k=k - len(out), exclude=exclude):
        if ranked.terms:
            reason = _("与历史工单相似（%(words)s）") % {"words": "、".join(ranked.terms)}
        elif len(model.text.vector(text or "")[0]) == 0:
            reason = _("文本中没有学过的词：按历史承办量")
        else:
            reason = _("与历史工单相似")
        out.append(Suggestion(model.text.units[ranked.unit], model.departments[ranked.unit], round(ranked.score, 4),
                              reason))
    return out


def _item_suggestions(item) -> list[Suggestion]:
    from onewindow.catalog.selectors import get_item

    item = get_item(item if isinstance(item, str) else item.code)
    out = [Suggestion(item.department.name, item.department_id, 1.0,
                      _("关联事项“%(item)s”的实施主体") % {"item": item.name})]
    for stage in item.stages.all():
        out.append(Suggestion(stage.department.name, stage.department_id, 1.0,
                              _("关联事项“%(item)s”的办理环节（%(stage)s）") % {"item": item.name, "stage": stage.name}))
    return out


# --- learning ---------------------------------------------------------------------------------------

@dataclass
class UnitCount:
    name: str
    department_id: int | None
    count: int
    how: str          # exact | normalised | ambiguous | unknown (units.Match.how)
    names: list[str] = field(default_factory=list)  # the names the orders used for it


@dataclass
class LearnReport:
    version: int
    added: int
    examples: int
    features: int
    units: list[UnitCount]
    seconds: float
    holdout_n: int
    holdout_top1: float | None
    holdout_top3: float | None

    @property
    def unmatched(self) -> list[UnitCount]:
        return [u for u in self.units if u.department_id is None]


def _validate(rows: Sequence[tuple[str, str]], matcher: UnitMatcher, *, existing: Counter) -> None:
    if not rows:
        raise ValidationError(_("没有工单可学习"), field="file")
    counts = Counter(matcher.match(unit).name for _text, unit in rows) + existing
    single = sorted(name for name, n in counts.items() if n < MIN_EXAMPLES_PER_UNIT)
    if single:
        shown = "、".join(single[:5]) + ("……" if len(single) > 5 else "")
        raise ValidationError(_("%(n)d 个单位只有一条工单（%(units)s）：请核对单位名称，或删去这些工单")
                              % {"n": len(single), "units": shown}, field="unit")
    if len(counts) < 2:
        raise ValidationError(_("至少需要两个承办单位的工单才能学习"), field="unit")


def learn(rows: Sequence[tuple[str, str]], *, replace: bool = False, now: datetime | None = None,
          progress: Callable[[int], None] | None = None) -> LearnReport:
    """Learn from past work orders (text, unit name) added to those already learnt (`replace`: instead
    of the archive imported before; orders that closed here are kept). Nothing is stored when the
    input is bad: every unit needs at least MIN_EXAMPLES_PER_UNIT orders."""
    now = now or timezone.now()
    rows = [(str(text).strip(), str(unit).strip()) for text, unit in rows]
    if any(not text or not unit for text, unit in rows):
        raise ValidationError(_("工单的内容和承办单位都不能为空"), field="file")
    matcher = UnitMatcher()
    kept = DispatchExample.objects.exclude(source=ExampleSource.IMPORTED) if replace else DispatchExample.objects.all()
    existing_rows = list(kept.values_list("text", "unit_name"))
    existing = Counter(matcher.match(unit).name for _text, unit in existing_rows)
    _validate(rows, matcher, existing=existing)
    started = time.perf_counter()
    texts = [text for text, _unit in existing_rows] + [text for text, _unit in rows]
    names = [unit for _text, unit in existing_rows] + [unit for _text, unit in rows]
    learnt, units = _learn(texts, names, matcher, progress=progress)
    with transaction.atomic():
        if replace:
            DispatchExample.objects.filter(source=ExampleSource.IMPORTED).delete()
        DispatchExample.objects.bulk_create(
            (DispatchExample(text=text, unit_name=unit, department_id=matcher.match(unit).department_id,
                             source=ExampleSource.IMPORTED, created_at=now) for text, unit in rows), batch_size=2000)
        report = _save(learnt, units, texts, now=now, seconds=time.perf_counter() - started, added=len(rows))
    return report


def _learn(texts: list[str], names: list[str], matcher: UnitMatcher, *, progress=None):
    matches = [matcher.match(unit) for unit in names]
    learnt = _fit(texts, [m.name for m in matches], progress=progress)
    by_name: dict[str, UnitCount] = {}
    used: dict[str, set[str]] = defaultdict(set)
    for unit, match in zip(names, matches, strict=True):
        used[match.name].add(unit)
    rank = {"exact": 0, "normalised": 1, "ambiguous": 2, "unknown": 3}
    for match, count in Counter(matches).items():
        entry = by_name.setdefault(match.name, UnitCount(match.name, match.department_id, 0, match.how))
        entry.count += count
        if rank[match.how] < rank[entry.how]:
            entry.how = match.how
    for name, entry in by_name.items():
        entry.names = sorted(used[name])
    return learnt, [by_name[name] for name in learnt.model.units]


def _fit(texts: list[str], labels: list[str], *, progress=None) -> textmodel.Learnt:
    try:
        return textmodel.learn(texts, labels, progress=progress)
    except ValueError:  # scikit-learn: no term is in two orders ("After pruning, no terms remain")
        raise ValidationError(_("工单太少，或彼此没有共同的词，无法学习"), field="file") from None


def _save(learnt: textmodel.Learnt, units: list[UnitCount], texts: list[str], *, now: datetime, seconds: float,
          added: int) -> LearnReport:
    buffer = io.BytesIO()
    # numpy's stub types any keyword as allow_pickle (bool); these are named arrays, never pickles.
    np.savez_compressed(buffer, **learnt.model.to_arrays())  # type: ignore[arg-type]
    fingerprints = np.unique(np.fromiter((textmodel.digest(t) for t in texts), dtype=np.int64, count=len(texts)))
    version = (DispatchModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    quality = {"n": learnt.holdout_n, "top1": learnt.holdout_top1, "top3": learnt.holdout_top3,
               "seconds": round(seconds, 2)}
    try:
        with transaction.atomic():
            DispatchModel.objects.create(
                version=version, trained_at=now, examples_count=len(texts), units_count=len(units),
                features_count=len(learnt.model.vocabulary),
                units=[{"name": u.name, "department": u.department_id, "count": u.count} for u in units],
                vocabulary=json.dumps(learnt.model.vocabulary, ensure_ascii=False), arrays=buffer.getvalue(),
                learnt=fingerprints.tobytes(), quality=quality)
    except IntegrityError:
        raise Conflict(_("另一次学习刚刚保存了新的派单模型，请重新运行")) from None
    DispatchModel.objects.filter(version__lte=version - MODELS_KEPT).delete()
    return LearnReport(version=version, added=added, examples=len(texts), features=len(learnt.model.vocabulary),
                       units=units, seconds=seconds, holdout_n=learnt.holdout_n, holdout_top1=learnt.holdout_top1,
                       holdout_top3=learnt.holdout_top3)


def learn_from_closed(rows: Iterable[Sequence[str]], *, now: datetime | None = None) -> int:
    """Keep closed work orders to learn from: (text, unit name) or (text, unit name, work order
    number). A number already kept is replaced (an order reopened and closed again by another unit).
    The model itself is re-learnt by `refresh` (the scheduled job), not here: learning takes seconds
    to a minute and closing an order must not wait for it. Returns the number of orders kept."""
    now = now or timezone.now()
    matcher = UnitMatcher()
    kept = 0
    with transaction.atomic():
        for row in rows:
            text, unit = str(row[0]).strip(), str(row[1]).strip()
            reference = str(row[2]).strip() if len(row) > 2 and row[2] else None
            if not text or not unit:
                raise ValidationError(_("工单的内容和承办单位都不能为空"), field="text" if not text else "unit")
            values = {"text": text, "unit_name": unit, "department_id": matcher.match(unit).department_id,
                      "source": ExampleSource.CLOSED, "created_at": now}
            if reference:
                DispatchExample.objects.update_or_create(reference=reference, defaults=values)
            else:
                DispatchExample.objects.create(**values)
            kept += 1
    return kept


def is_stale() -> bool:
    """True when the examples differ from what the newest model learnt from (added, replaced, removed)."""
    model = DispatchModel.objects.order_by("-version").only("examples_count", "trained_at").first()
    if model is None:
        return DispatchExample.objects.exists()
    return (DispatchExample.objects.count() != model.examples_count
            or DispatchExample.objects.filter(created_at__gt=model.trained_at).exists())


def refresh(*, force: bool = False, now: datetime | None = None) -> LearnReport | None:
    """Re-learn from every kept example when they changed since the newest model (or `force`). The
    scheduled job (tasks.refresh_dispatch_model) calls this; None when nothing changed or there is
    not enough to learn from yet (fewer than two units)."""
    now = now or timezone.now()
    if not force and not is_stale():
        return None
    rows = list(DispatchExample.objects.values_list("text", "unit_name"))
    matcher = UnitMatcher()
    if len({matcher.match(unit).name for _text, unit in rows}) < 2:
        return None
    started = time.perf_counter()
    texts = [text for text, _unit in rows]
    learnt, units = _learn(texts, [unit for _text, unit in rows], matcher)
    return _save(learnt, units, texts, now=now, seconds=time.perf_counter() - started, added=0)


# --- measuring --------------------------------------------------------------------------------------

@dataclass
class UnitRecall:
    name: str
    n: int
    top1: float
    top3: float


@dataclass
class Evaluation:
    n: int
    top1: float
    top3: float
    per_unit: list[UnitRecall]      # worst top-3 recall first
    skipped_learnt: int = 0         # orders of the file the model had learnt from (left out)
    unseen_units: list[str] = field(default_factory=list)  # units of the file the model never saw (misses)
    folds: int = 0


def _score(model: textmodel.TextModel, texts: Sequence[str], truths: Sequence[str]) -> tuple[int, int, dict]:
    position = {name: i for i, name in enumerate(model.units)}
    hits1 = hits3 = 0
    per_unit: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for top, truth in zip(model.top(texts, k=3), truths, strict=True):
        entry = per_unit[truth]
        entry[0] += 1
        index = position.get(truth)
        if index is not None and top and top[0] == index:
            hits1 += 1
            entry[1] += 1
        if index is not None and index in top:
            hits3 += 1
            entry[2] += 1
    return hits1, hits3, per_unit


def _evaluation(n, hits1, hits3, per_unit, **extra) -> Evaluation:
    recalls = sorted((UnitRecall(name, c[0], c[1] / c[0], c[2] / c[0]) for name, c in per_unit.items()),
                     key=lambda r: (r.top3, r.top1, -r.n))
    return Evaluation(n=n, top1=hits1 / n if n else 0.0, top3=hits3 / n if n else 0.0, per_unit=recalls, **extra)


def evaluate(rows: Sequence[tuple[str, str]]) -> Evaluation:
    """Top-1 and top-3 accuracy of the newest model on `rows`, leaving out the orders it learnt from."""
    model = current_model()
    if model is None:
        raise ValidationError(_("还没有学习过派单模型：请先运行 onewindow complaints learn"), field="model")
    if not rows:
        raise ValidationError(_("没有工单可评估"), field="file")
    matcher = UnitMatcher()
    learnt = model.learnt()
    fresh = [(t, u) for t, u in rows if not _contains(learnt, textmodel.digest(t))]
    if not fresh:
        raise ValidationError(_("文件中的 %(n)d 条工单都已学习过，无法评估：请用未学习过的工单") % {"n": len(rows)},
                              field="file")
    truths = [matcher.match(u).name for _t, u in fresh]
    hits1, hits3, per_unit = _score(model.text, [t for t, _u in fresh], truths)
    known = set(model.text.units)
    return _evaluation(len(fresh), hits1, hits3, per_unit, skipped_learnt=len(rows) - len(fresh),
                       unseen_units=sorted({t for t in truths if t not in known}))


def _contains(sorted_values: np.ndarray, value: int) -> bool:
    i = int(np.searchsorted(sorted_values, value))
    return i < len(sorted_values) and int(sorted_values[i]) == value


def cross_validate(rows: Sequence[tuple[str, str]], *, folds: int = 5, seed: int = 0) -> Evaluation:
    """k-fold cross-validation on `rows` alone: learn from k-1 parts, measure on the one left out,
    for each part. Nothing is stored; for judging an archive before learning from it."""
    if folds < 2:
        raise ValidationError(_("交叉验证至少需要 2 折"), field="folds")
    matcher = UnitMatcher()
    names = [matcher.match(u).name for _t, u in rows]
    if len(rows) < folds * 2 or len(set(names)) < 2:
        raise ValidationError(_("工单太少，无法做 %(k)d 折交叉验证") % {"k": folds}, field="file")
    part = np.random.default_rng(seed).permutation(len(rows)) % folds
    hits1 = hits3 = 0
    per_unit: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for fold in range(folds):
        train = [i for i in range(len(rows)) if part[i] != fold]
        test = [i for i in range(len(rows)) if part[i] == fold]
        labels = [names[i] for i in train]
        if len(set(labels)) < 2:
            continue
        model = _fit([rows[i][0] for i in train], labels).model
        h1, h3, units = _score(model, [rows[i][0] for i in test], [names[i] for i in test])
        hits1, hits3 = hits1 + h1, hits3 + h3
        for name, counts in units.items():
            per_unit[name] = [a + b for a, b in zip(per_unit[name], counts, strict=True)]
    return _evaluation(len(rows), hits1, hits3, per_unit, folds=folds)


def describe(how: str) -> str:
    """How a unit name was matched to a department (units.Match.how), for people."""
    return {"exact": _("名称一致"), "normalised": _("规范化后一致"), "ambiguous": _("对应多个部门"),
            "unknown": _("不是系统中的部门")}[how]
