"""Backup and restore of a whole installation: the database (with the database's own tools) and the
uploaded files, in one archive an operator can copy off the machine.

The archive is a tar file (gzip-compressed when its name ends in .gz or .tgz) holding:

    manifest.json        format, version, engine, created_at, the dump's name, size and SHA-256, row
                         counts (cases, audit events, audit chains, items, users, applicants) and
                         the number of uploaded files, all taken from the same snapshot as the dump
    database.pgdump      PostgreSQL: `pg_dump --format=custom`, taken in an exported snapshot
    database.sqlite3     SQLite: a copy made with SQLite's online backup API
    media/...            the uploaded files (MEDIA_ROOT)

Restore checks the manifest, the engine and the checksum before it touches anything, refuses a
database or media directory that already holds data unless forced, restores (PostgreSQL:
`pg_restore --clean --if-exists --no-owner --single-transaction`; SQLite: the backup API into the
target, so a WAL file never mixes old and new pages), then recomputes the audit chains and compares
the counts with the manifest. Nothing is half-restored: pg_restore runs in one transaction, SQLite's
backup API replaces the database in one step, and media files are swapped in by renaming a directory.

It counts and verifies rows of several apps (cases, audit, catalog, orgs), so it belongs to the
installation as a whole (onewindow.ops), not to core.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.utils import timezone

from onewindow.core.errors import ValidationError

FORMAT = "onewindow-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media"
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
# What the manifest counts, and restore compares: (name in the manifest, model).
COUNTED = [
    ("cases", "cases.Case"),
    ("audit_events", "audit.AuditEvent"),
    ("audit_chains", "audit.AuditChain"),
    ("items", "catalog.Item"),
    ("users", "orgs.User"),
    ("applicants", "orgs.Applicant"),
]
# A target holding any of these rows is "not empty": restore refuses it unless forced.
NONEMPTY_IF_ANY = ("cases", "audit_events", "items", "users")
COUNT_LABELS = {"cases": "办件 cases", "audit_events": "审计事件 audit events", "audit_chains": "审计链 audit chains",
                "items": "事项 items", "users": "账号 users", "applicants": "申请人 applicants",
                "media_files": "上传文件 media files"}


class BackupError(ValidationError):
    """Bad input or a failed tool: the CLI prints the message as one line and exits 2."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


@dataclass
class RestoreReport:
    engine: str
    manifest: dict
    counts: dict[str, int]
    verify_ok: bool
    verify_problems: list[str]
    verify_chains: int
    verify_events: int
    media_moved_to: Path | None = None
    unapplied_migrations: list[str] = field(default_factory=list)

    @property
    def counts_match(self) -> bool:
        expected = self.manifest.get("counts", {})
        return all(self.counts.get(k) == v for k, v in expected.items())


# -- helpers ---------------------------------------------------------------------------------------

def engine_of(alias: str = DEFAULT_DB_ALIAS) -> str:
    vendor = connections[alias].vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"不支持的数据库 unsupported database engine: {vendor}")
    return vendor


def _tables() -> dict[str, str]:
    return {name: apps.get_model(label)._meta.db_table for name, label in COUNTED}


def count_rows(cursor, existing_tables: set[str]) -> dict[str, int]:
    """Row counts of the counted tables through any DB-API cursor (Django's, psycopg's, sqlite3's);
    a table that does not exist counts 0."""
    counts = {}
    for name, table in _tables().items():
        if table in existing_tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[name] = int(cursor.fetchone()[0])
        else:
            counts[name] = 0
    return counts


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_settings(alias: str = DEFAULT_DB_ALIAS) -> dict:
    s = connections[alias].settings_dict
    return {"host": s.get("HOST") or "", "port": str(s.get("PORT") or ""), "user": s.get("USER") or "",
            "password": s.get("PASSWORD") or "", "dbname": s["NAME"],
            "sslmode": (s.get("OPTIONS") or {}).get("sslmode", "")}


def _pg_env(pg: dict) -> dict:
    """The connection for pg_dump/pg_restore, through libpq's environment: the password never appears
    on a command line (where `ps` would show it)."""
    env = dict(os.environ)
    for key, var in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("password", "PGPASSWORD"),
                     ("dbname", "PGDATABASE"), ("sslmode", "PGSSLMODE")):
        if pg[key]:
            env[var] = pg[key]
        else:
            env.pop(var, None)
    return env


def _run_tool(args: list[str], env: dict) -> None:
    tool = args[0]
    if shutil.which(tool) is None:
        raise BackupError(f"找不到 {tool}：请安装 PostgreSQL 客户端工具 / {tool} not found on PATH "
                          "(install the PostgreSQL client tools)")
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in (done.stderr or "").splitlines() if line.strip()]
        raise BackupError(f"{tool} 失败 failed (exit {done.returncode}): {lines[-1] if lines else 'no message'}")


# -- backup ----------------------------------------------------------------------------------------

def _dump_postgresql(dump: Path) -> dict[str, int]:
    """pg_dump in an exported snapshot: the counts in the manifest describe exactly the dumped data,
    even while the site keeps taking cases."""
    import psycopg

    pg = _pg_settings()
    conninfo = {k: v for k, v in pg.items() if v and k != "sslmode"}
    if pg["sslmode"]:
        conninfo["sslmode"] = pg["sslmode"]
    try:
        conn = psycopg.connect(**conninfo, connect_timeout=10)
    except psycopg.Error as exc:
        raise BackupError(f"无法连接数据库 cannot connect to the database: {_first_line(exc)}") from None
    try:
        with conn.transaction():
            with conn.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cur.execute("SELECT pg_export_snapshot()")
                exported = cur.fetchone()
                assert exported is not None  # the function always returns one row
                snapshot = exported[0]
                cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                tables = {row[0] for row in cur.fetchall()}
                counts = count_rows(cur, tables)
                _run_tool(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}",
                           "--dbname", pg["dbname"]], _pg_env(pg))
    finally:
        conn.close()
    return counts


def _dump_sqlite(dump: Path) -> dict[str, int]:
    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    target = sqlite3.connect(dump)
    try:
        # One step: a consistent snapshot (in WAL mode writers are not blocked meanwhile).
        connection.connection.backup(target)
        cur = target.cursor()
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        counts = count_rows(cur, {row[0] for row in cur.fetchall()})
    finally:
        target.close()
    return counts


def backup(path: Path, *, force: bool = False, now: datetime | None = None) -> dict:
    """Write the backup archive to `path` (through a temporary file renamed at the end, so a failed
    backup never leaves a truncated archive under the final name). Returns the manifest."""
    path = Path(path)
    if path.exists() and path.is_dir():
        raise BackupError(f"{path} 是目录 is a directory: give a file name, e.g. {path}/onewindow.tar")
    if path.exists() and not force:
        raise BackupError(f"{path} 已存在 already exists: choose another name or add --force to overwrite it")
    if not path.parent.is_dir():
        raise BackupError(f"目录不存在 directory does not exist: {path.parent}")
    engine = engine_of()
    now = now or timezone.now()
    media_root = _media_root()
    media = _media_files(media_root)
    with tempfile.TemporaryDirectory(prefix=".onewindow-backup-", dir=path.parent) as tmp:
        dump = Path(tmp) / DUMP_NAMES[engine]
        counts = _dump_postgresql(dump) if engine == "postgresql" else _dump_sqlite(dump)
        counts["media_files"] = len(media)
        manifest = {
            "format": FORMAT, "version": FORMAT_VERSION, "engine": engine,
            "created_at": now.isoformat(timespec="seconds"),
            "database": {"file": dump.name, "bytes": dump.stat().st_size, "sha256": _sha256(dump)},
            "media": {"files": len(media), "bytes": sum(p.stat().st_size for p in media)},
            "counts": counts,
        }
        partial = Path(tmp) / "archive.tar"
        compressed = path.name.endswith((".gz", ".tgz"))
        with tarfile.open(partial, "w:gz") if compressed else tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            for file in media:
                tar.add(file, arcname=f"{MEDIA_PREFIX}/{file.relative_to(media_root).as_posix()}")
        partial.chmod(0o600)  # identity documents and personal data: readable by the owner only
        os.replace(partial, path)
    return manifest


# -- restore ---------------------------------------------------------------------------------------

def read_manifest(tar: tarfile.TarFile, *, name: str) -> dict:
    try:
        tar.getmembers()  # reads the whole index: a truncated or damaged archive fails here
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{name} 已损坏（不完整或被改动） is corrupt or truncated ({_first_line(exc)})") from None
    try:
        member = tar.extractfile(MANIFEST)
        if member is None:  # a directory or a link by that name
            raise ValueError(MANIFEST)
        manifest = json.loads(member.read().decode())
    except KeyError:
        raise BackupError(f"{name} 不是 onewindow 备份 is not an onewindow backup: no {MANIFEST}") from None
    except (ValueError, tarfile.TarError, OSError, EOFError):
        raise BackupError(f"{name}: {MANIFEST} 已损坏 is corrupt") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{name} 不是 onewindow 备份 is not an onewindow backup (format {manifest.get('format')!r})"
                          if isinstance(manifest, dict) else f"{name}: {MANIFEST} is not an object")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(f"{name}: 备份格式版本 {manifest.get('version')!r} 不受支持 unsupported format version "
                          f"(this onewindow reads version {FORMAT_VERSION})")
    return manifest


def target_state() -> dict[str, int]:
    """Row counts of the target database and files in the media directory (what a restore would replace)."""
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        counts = count_rows(cursor, tables)
    counts["media_files"] = len(_media_files(_media_root()))
    return counts


def _restore_postgresql(dump: Path) -> None:
    connections.close_all()  # our own open connection would hold locks pg_restore --clean needs
    pg = _pg_settings()
    _run_tool(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
               "--dbname", pg["dbname"], str(dump)], _pg_env(pg))


def _restore_sqlite(dump: Path) -> None:
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        check = source.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"备份中的 SQLite 数据库已损坏 the SQLite database in the backup is corrupt: {check}")
        connection = connections[DEFAULT_DB_ALIAS]
        connection.ensure_connection()
        # The backup API writes every page of the target under its write lock, WAL included: safer than
        # replacing the file under a server that may hold it open.
        source.backup(connection.connection)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份中的 SQLite 数据库无法读取 the SQLite database in the backup is unreadable: {exc}") from None
    finally:
        source.close()
    connections.close_all()


def _swap_media(tar: tarfile.TarFile, members: list[tarfile.TarInfo], *, now: datetime) -> Path | None:
    """Extract the archive's media next to MEDIA_ROOT, then rename it into place. Existing files are
    moved aside (never deleted): MEDIA_ROOT.before-restore-<time>."""
    root = _media_root()
    root.parent.mkdir(parents=True, exist_ok=True)
    moved = None
    with tempfile.TemporaryDirectory(prefix=".onewindow-media-", dir=root.parent) as tmp:
        staging = Path(tmp) / "media"
        staging.mkdir()
        for member in members:
            member = member.replace(name=member.name[len(MEDIA_PREFIX) + 1:])
            tar.extract(member, staging, filter="data")
        if root.exists():
            if _media_files(root):
                moved = root.with_name(f"{root.name}.before-restore-{now:%Y%m%d-%H%M%S}")
                root.rename(moved)
            else:
                shutil.rmtree(root)
        staging.rename(root)
    return moved


def _unapplied_migrations() -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def restore(path: Path, *, force: bool = False, now: datetime | None = None) -> RestoreReport:
    """Restore the archive at `path` into the configured database and MEDIA_ROOT, then verify."""
    from onewindow.audit.services import verify

    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise BackupError(f"找不到备份文件 no such backup file: {name}")
    engine = engine_of()
    now = now or timezone.now()
    try:
        tar = tarfile.open(path, "r:*")
    except (tarfile.TarError, OSError, EOFError):
        raise BackupError(f"{name} 不是可读的备份归档（tar 或 tar.gz） is not a readable backup archive "
                          "(tar or tar.gz)") from None
    with tar:
        manifest = read_manifest(tar, name=name)
        if manifest.get("engine") != engine:
            raise BackupError(f"{name} 是 {manifest.get('engine')} 数据库的备份，当前数据库是 {engine} / the backup is of "
                              f"a {manifest.get('engine')} database, the target is {engine}")
        database = manifest.get("database") or {}
        dump_name = DUMP_NAMES[engine]
        if database.get("file") != dump_name:
            raise BackupError(f"{name}: 清单中的数据库文件名无效 manifest names an unexpected database file "
                              f"{database.get('file')!r}")
        media_members = [m for m in tar.getmembers() if m.name.startswith(f"{MEDIA_PREFIX}/") and m.isfile()]
        try:
            existing = target_state()
        except OperationalError as exc:
            raise BackupError(f"无法连接目标数据库 cannot connect to the target database (PostgreSQL: create it first "
                              f"with createdb): {_first_line(exc)}") from None
        if not force and (any(existing[k] for k in NONEMPTY_IF_ANY) or existing["media_files"]):
            held = ", ".join(f"{k} {v}" for k, v in existing.items() if v)
            raise BackupError(f"目标不是空的 the target is not empty ({held}): restore replaces it — stop the server, "
                              "make a backup of it, then add --force")
        with tempfile.TemporaryDirectory(prefix=".onewindow-restore-") as tmp:
            try:
                tar.extract(dump_name, tmp, filter="data")
            except KeyError:
                raise BackupError(f"{name}: 缺少数据库文件 the archive has no {dump_name}") from None
            except (tarfile.TarError, OSError, EOFError) as exc:
                raise BackupError(f"{name} 已损坏 is corrupt ({_first_line(exc)})") from None
            dump = Path(tmp) / dump_name
            if _sha256(dump) != database.get("sha256"):
                raise BackupError(f"{name}: 数据库文件校验和不符，备份已损坏 the database dump does not match its SHA-256 "
                                  "checksum: the archive is corrupt")
            if engine == "postgresql":
                _restore_postgresql(dump)
            else:
                _restore_sqlite(dump)
        moved = _swap_media(tar, media_members, now=now)
    connections.close_all()
    counts = target_state()
    report = verify()
    return RestoreReport(engine=engine, manifest=manifest, counts=counts, verify_ok=report.ok,
                         verify_problems=report.problems, verify_chains=report.chains,
                         verify_events=report.events, media_moved_to=moved,
                         unapplied_migrations=_unapplied_migrations())


def describe_counts(counts: dict[str, int]) -> str:
    return " · ".join(f"{COUNT_LABELS.get(k, k)} {v}" for k, v in counts.items())
