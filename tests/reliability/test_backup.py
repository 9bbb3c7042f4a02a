"""`onewindow backup FILE` / `onewindow restore FILE` on the engine under test: a restore into an EMPTY
database (SQLite: a new file; PostgreSQL: a new database) brings back the cases, the audit chains (which
verify) and the uploaded files with the counts of the manifest; a database holding data is refused unless
forced; a bad archive is refused with one line and changes nothing."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from psycopg import sql

from onewindow import cli
from onewindow.audit.models import AuditChain, AuditEvent
from onewindow.calendar.services import seed_official_calendar
from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.catalog.models import Item
from tests.cases.factories import at, build_world, material, submit_online

ROOT = Path(__file__).resolve().parents[2]
ENGINE = "postgresql" if connection.vendor == "postgresql" else "sqlite"
SCAN = b"%PDF-1.4 scanned business-premises certificate\n"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def history(transactional_db, media_root):
    """Committed data (pg_dump reads it from another connection): two cases, one accepted, one with an
    uploaded scan."""
    seed_official_calendar()
    world = build_world()
    premises = material(world.licence, "经营场所证明")
    first = submit_online(world, files={premises.id: ContentFile(SCAN, name="premises.pdf")})
    services.accept_case(clerk=world.clerk, case=first, now=at(2026, 9, 30, 10))
    submit_online(world, now=at(2026, 9, 30, 11))
    return world


def counts() -> dict[str, int]:
    return {"cases": Case.objects.count(), "audit_events": AuditEvent.objects.count(),
            "audit_chains": AuditChain.objects.count(), "items": Item.objects.count()}


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


# -- an empty target: a new SQLite file or a new PostgreSQL database ---------------------------------

@pytest.fixture
def empty_target(tmp_path):
    """The ONEWINDOW_DATABASE_URL of an empty database, removed after the test."""
    if ENGINE == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}", ("sqlite", tmp_path / "restored.sqlite3")
        return
    settings_dict = connection.settings_dict
    admin = psycopg.connect(host=settings_dict["HOST"] or None, port=settings_dict["PORT"] or None,
                            user=settings_dict["USER"] or None, password=settings_dict["PASSWORD"] or None,
                            dbname=settings_dict["NAME"], autocommit=True)
    name = f"test_restore_{os.getpid()}"
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    user = f"{settings_dict['USER']}{':' + settings_dict['PASSWORD'] if settings_dict['PASSWORD'] else ''}@"
    url = f"postgresql://{user if settings_dict['USER'] else ''}{settings_dict['HOST'] or '127.0.0.1'}:" \
          f"{settings_dict['PORT'] or 5432}/{name}"
    try:
        yield url, ("postgresql", url)
    finally:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


def count_in(target) -> dict[str, int]:
    kind, where = target
    queries = {"cases": "SELECT COUNT(*) FROM cases_case", "audit_events": "SELECT COUNT(*) FROM audit_auditevent",
               "audit_chains": "SELECT COUNT(*) FROM audit_auditchain", "items": "SELECT COUNT(*) FROM catalog_item"}
    conn = sqlite3.connect(where) if kind == "sqlite" else psycopg.connect(where)
    try:
        return {name: conn.execute(query).fetchone()[0] for name, query in queries.items()}
    finally:
        conn.close()


def test_backup_restores_into_an_empty_database_with_its_audit_chains_counts_and_files(
        history, tmp_path, capsys, empty_target):
    archive = tmp_path / "onewindow.tar"
    before = counts()
    code, out, err = run_cli(capsys, "backup", str(archive))
    assert code == 0, err
    assert f"backed up {ENGINE}" in out and "办件 cases 2" in out

    manifest = read_manifest(archive)
    assert manifest["format"] == "onewindow-backup" and manifest["version"] == 1 and manifest["engine"] == ENGINE
    assert {k: manifest["counts"][k] for k in before} == before
    assert manifest["counts"]["media_files"] == 1 and manifest["media"]["files"] == 1
    with tarfile.open(archive) as tar:
        dump = tar.extractfile(manifest["database"]["file"]).read()
        scans = [m.name for m in tar.getmembers() if m.name.startswith("media/")]
    assert hashlib.sha256(dump).hexdigest() == manifest["database"]["sha256"]
    assert len(scans) == 1 and scans[0].startswith("media/cases/")
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    # Restore as an operator would: another process, pointed at the empty database and media directory.
    url, target = empty_target
    restored_media = tmp_path / "restored-media"
    done = subprocess.run(
        [sys.executable, "-m", "onewindow.cli", "restore", str(archive)], cwd=ROOT, capture_output=True, text=True,
        timeout=180, env={**os.environ, "ONEWINDOW_DATABASE_URL": url, "ONEWINDOW_MEDIA_ROOT": str(restored_media),
                          "ONEWINDOW_DATA_DIR": str(tmp_path / "restore-data")})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "办件 cases 2" in done.stdout and "上传文件 media files 1" in done.stdout
    assert "audit trail intact" in done.stdout
    assert count_in(target) == before
    assert (restored_media / scans[0].removeprefix("media/")).read_bytes() == SCAN


def test_restore_refuses_a_database_holding_data_unless_forced(history, media_root, tmp_path, capsys):
    archive = tmp_path / "onewindow.tar.gz"
    assert run_cli(capsys, "backup", str(archive))[0] == 0
    backed_up = counts()
    submit_online(history, now=at(2026, 9, 30, 15))  # a case made after the backup
    (media_root / "later.txt").write_text("after the backup")

    code, out, err = run_cli(capsys, "restore", str(archive))
    assert code == 2 and err.count("\n") == 1
    assert "not empty" in err and "--force" in err
    assert Case.objects.count() == backed_up["cases"] + 1  # untouched

    code, out, err = run_cli(capsys, "restore", "--force", str(archive))
    assert code == 0, err
    assert counts() == backed_up  # the later case is gone: the database is as it was backed up
    assert "audit trail intact" in out
    moved = [p for p in media_root.parent.iterdir() if p.name.startswith("media.before-restore-")]
    assert len(moved) == 1 and (moved[0] / "later.txt").read_text() == "after the backup"  # set aside, not lost
    assert not (media_root / "later.txt").exists()
    assert len([p for p in media_root.rglob("*") if p.is_file()]) == 1


# -- bad input: one line, exit 2, nothing changed --------------------------------------------------

def make_archive(path: Path, manifest: dict | None, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        entries = dict(files)
        if manifest is not None:
            entries = {"manifest.json": json.dumps(manifest).encode(), **entries}
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def manifest_for(engine: str, dump: bytes) -> dict:
    name = "database.pgdump" if engine == "postgresql" else "database.sqlite3"
    return {"format": "onewindow-backup", "version": 1, "engine": engine, "created_at": "2026-11-25T10:00:00+08:00",
            "database": {"file": name, "bytes": len(dump), "sha256": hashlib.sha256(dump).hexdigest()},
            "media": {"files": 0, "bytes": 0}, "counts": {}}


def assert_refused(capsys, argv, *fragments) -> None:
    events = AuditEvent.objects.count()
    code, out, err = run_cli(capsys, *argv)
    assert code == 2, (out, err)
    assert err.count("\n") == 1, err
    for fragment in fragments:
        assert fragment in err, err
    assert AuditEvent.objects.count() == events


def test_restore_of_a_missing_file_is_refused(db, tmp_path, capsys, media_root):
    assert_refused(capsys, ["restore", str(tmp_path / "nope.tar")], "no such backup file")


def test_restore_of_a_file_that_is_not_an_archive_is_refused(db, tmp_path, capsys, media_root):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(os.urandom(4096))
    assert_refused(capsys, ["restore", str(junk)], "not a readable backup archive")


def test_restore_of_a_truncated_archive_is_refused(db, tmp_path, capsys, media_root):
    dump = os.urandom(200_000)
    whole = make_archive(tmp_path / "whole.tar", manifest_for(ENGINE, dump), {"database.x": dump})
    cut = tmp_path / "cut.tar"
    cut.write_bytes(whole.read_bytes()[:100_000])
    assert_refused(capsys, ["restore", str(cut)], "corrupt")


def test_restore_of_an_archive_without_manifest_is_refused(db, tmp_path, capsys, media_root):
    archive = make_archive(tmp_path / "other.tar", None, {"notes.txt": b"hello"})
    assert_refused(capsys, ["restore", str(archive)], "not an onewindow backup")


def test_restore_of_another_engines_backup_is_refused(db, tmp_path, capsys, media_root):
    other = "sqlite" if ENGINE == "postgresql" else "postgresql"
    dump = b"not really a dump"
    name = "database.sqlite3" if other == "sqlite" else "database.pgdump"
    archive = make_archive(tmp_path / "other-engine.tar", manifest_for(other, dump), {name: dump})
    assert_refused(capsys, ["restore", str(archive)], f"backup is of a {other} database, the target is {ENGINE}")


def test_restore_of_a_dump_that_fails_its_checksum_is_refused(db, tmp_path, capsys, media_root):
    manifest = manifest_for(ENGINE, b"the original dump")
    archive = make_archive(tmp_path / "tampered.tar", manifest, {manifest["database"]["file"]: b"a different dump"})
    assert_refused(capsys, ["restore", str(archive)], "SHA-256")


def test_restore_of_an_unknown_format_version_is_refused(db, tmp_path, capsys, media_root):
    manifest = {**manifest_for(ENGINE, b""), "version": 99}
    archive = make_archive(tmp_path / "future.tar", manifest, {manifest["database"]["file"]: b""})
    assert_refused(capsys, ["restore", str(archive)], "unsupported format version")


def test_backup_into_a_missing_directory_is_refused(db, tmp_path, capsys, media_root):
    assert_refused(capsys, ["backup", str(tmp_path / "no-such-dir" / "b.tar")], "directory does not exist")


def test_backup_does_not_overwrite_an_existing_file_unless_forced(db, tmp_path, capsys, media_root):
    existing = tmp_path / "keep.tar"
    existing.write_bytes(b"yesterday's backup")
    assert_refused(capsys, ["backup", str(existing)], "already exists", "--force")
    assert existing.read_bytes() == b"yesterday's backup"
