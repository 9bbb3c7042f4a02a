"""Several simulation processes for the sample history (history/generator.py) on PostgreSQL.

The submission moments are split into contiguous ranges of days, one per process. Nothing a case
writes depends on another range: case numbers count per centre and day (the days are disjoint), ids come
from a block reserved per range and table (an upper bound of the rows a case can write, so the blocks
never overlap), and certificate numbers, which count per type and year, start each range past every
number the earlier ranges could use (a range issues at most one certificate per case). One thing is not
shared: a certificate issued in an earlier range is not offered for reuse in a later one.

The processes are forked after the generator has read everything it needs (they never touch the
database); each formats its COPY batches and sends them through a pipe, and the parent COPYs them on its
own connection, in its one transaction: the load commits or rolls back as a whole, with the indexes
built once at the end (bulkload.py). Deterministic for a given seed and number of processes."""

from __future__ import annotations

import multiprocessing
import queue
import random
import threading
import traceback
from collections import defaultdict

from django.db import connection

from onewindow.audit.models import AuditChain, AuditEvent
from onewindow.cases.models import CaseMaterial, SupplementRequest, Task

from .people import ApplicantPool
from .rows import WRITE_ORDER
from .writer import copy

PROGRESS_EVERY = 1000


def split(moments: list[int], parts: int, last_day: int) -> list[tuple[int, int]]:
    """[start, stop) ranges of `moments` (sorted day indexes), cut only between two days. A range never
    starts on the last day: a case submitted after `now` on it is moved back to the day before."""
    cuts, size = [0], len(moments)
    for k in range(1, parts):
        cut = max(cuts[-1] + 1, size * k // parts)
        while 0 < cut < size and moments[cut] == moments[cut - 1]:
            cut += 1
        if cut >= size or moments[cut] >= last_day:
            break
        cuts.append(cut)
    cuts.append(size)
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _rows_per_case(g) -> dict:
    """An upper bound of the rows one case writes in each table (default one)."""
    stages = max(len(plan.stages) for plan in g.items)
    materials = max(len(plan.materials) for plan in g.items)
    return {Task: stages, CaseMaterial: materials, SupplementRequest: 2,
            AuditEvent: 16 + 3 * stages + materials, AuditChain: 1}


def run_parallel(g, moments: list[int], applicants: ApplicantPool, bar) -> None:
    ranges = split(moments, g.processes, len(g.workdays) - 1)
    writer = g.writer
    per_case = _rows_per_case(g)
    bases, certificate_offsets, next_ids, offset = [], [], {m: t.next_id for m, t in writer.tables.items()}, 0
    for start, stop in ranges:
        bases.append(dict(next_ids))
        certificate_offsets.append(offset)
        for model in next_ids:
            next_ids[model] += (stop - start) * per_case.get(model, 1) + 1
        offset += stop - start
    context = multiprocessing.get_context("fork")
    processes, readers = [], {}
    for k, (start, stop) in enumerate(ranges):
        reader, sender = context.Pipe(duplex=False)
        process = context.Process(target=_simulate_range, name=f"history-{k}", daemon=True,
                                  args=(g, k, moments[start:stop], applicants, bases[k], certificate_offsets[k],
                                        sender))
        process.start()
        sender.close()
        processes.append(process)
        readers[reader] = k
    results: dict[int, dict] = {}
    try:
        # The applicants made before the fork are COPYed while the processes simulate (they drop the
        # copies they inherited).
        _pump(readers, results, bar, first=lambda: writer.flush_all(WRITE_ORDER))
    finally:
        for process in processes:
            if process.is_alive() and len(results) < len(ranges):
                process.terminate()
            process.join()
    for k, result in sorted(results.items()):
        _merge(g, result, limits=bases[k + 1] if k + 1 < len(bases) else None)


def _pump(readers: dict, results: dict, bar, first=None) -> None:
    """Receive from every process (a thread per pipe, so they never wait for the COPY of another's
    batch) and COPY in this thread, on the transaction's connection; `first` runs once the receivers
    are listening."""
    inbox: queue.Queue = queue.Queue(maxsize=4 * len(readers))

    def receive(reader, k):
        try:
            while True:
                message = reader.recv()
                if message[0] == "rows":  # the COPY text follows as raw bytes (no pickling, one copy less)
                    message = (*message, reader.recv_bytes())
                inbox.put((k, message))
                if message[0] in ("done", "error"):
                    return
        except EOFError:
            inbox.put((k, ("error", "the simulation process ended without a result")))

    threads = [threading.Thread(target=receive, args=(r, k), daemon=True) for r, k in readers.items()]
    for thread in threads:
        thread.start()
    if first is not None:
        first()
    raw, open_ranges = connection.connection, len(readers)
    while open_ranges:
        k, message = inbox.get()
        kind = message[0]
        if kind == "rows":
            copy(raw, *message[1:])
        elif kind == "progress":
            if bar is not None:
                bar.update(message[1])
        elif kind == "done":
            results[k] = message[1]
            open_ranges -= 1
        else:
            raise RuntimeError(f"history: simulation process {k} failed:\n{message[1]}")
    for thread in threads:
        thread.join()


def _simulate_range(g, k, moments, applicants, bases, certificate_offset, sender) -> None:
    """In the forked process: simulate this range of days and send the rows; never touch the database."""
    try:
        g.rng = random.Random(f"{g.seed}/{k}")
        writer = g.writer
        written = {}
        for model, table in writer.tables.items():
            table.next_id, table.rows, table.lines = bases[model], [], []
            written[model] = table.written
        def sink(name, columns, data):
            sender.send(("rows", name, columns))
            sender.send_bytes(data)

        writer.sink = sink
        g.certificate_offset = certificate_offset
        g.certificate_counters = {key: last + certificate_offset for key, last in g.certificate_counters.items()}
        g.stats, g.lights = defaultdict(int), defaultdict(int)
        pending = [0]

        def progress(count):
            pending[0] += count
            if pending[0] >= PROGRESS_EVERY:
                sender.send(("progress", pending[0]))
                pending[0] = 0

        g.simulate(moments, applicants, progress)
        writer.flush_all(WRITE_ORDER)
        sender.send(("progress", pending[0]))
        sender.send(("done", {
            "written": {model._meta.label: table.written - written[model] for model, table in writer.tables.items()},
            "next_ids": {model._meta.label: table.next_id for model, table in writer.tables.items()},
            "stats": dict(g.stats), "lights": dict(g.lights), "counters": g.counters,
            "certificate_counters": g.certificate_counters}))
    except BaseException:
        sender.send(("error", traceback.format_exc()))
    finally:
        sender.close()


def _merge(g, result: dict, *, limits: dict | None) -> None:
    for model, table in g.writer.tables.items():
        label = model._meta.label
        table.written += result["written"][label]
        if limits is not None and result["next_ids"][label] > limits[model]:
            raise RuntimeError(f"history: ids of {table.name} ran past their block")
        table.next_id = max(table.next_id, result["next_ids"][label])
    for key, count in result["stats"].items():
        g.stats[key] += count
    for key, count in result["lights"].items():
        g.lights[key] += count
    for key, last in result["counters"].items():
        g.counters[key] = max(g.counters.get(key, 0), last)
    for key, last in result["certificate_counters"].items():
        g.certificate_counters[key] = max(g.certificate_counters.get(key, 0), last)
