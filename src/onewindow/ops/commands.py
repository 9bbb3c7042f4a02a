"""`onewindow backup FILE` and `onewindow restore FILE` (see onewindow.ops.backup and docs/backup.md)."""

from __future__ import annotations

import argparse

from onewindow.core.errors import CommandFailed

ARCHIVE_HELP = """\
The archive (a tar file; gzip-compressed when FILE ends in .gz or .tgz) holds:
  manifest.json      format "onewindow-backup" version 1, engine (postgresql|sqlite), created_at,
                     the dump's file name, size and SHA-256, row counts (cases, audit events,
                     audit chains, items, users, applicants, media files) taken from the same
                     snapshot as the dump
  database.pgdump    PostgreSQL: pg_dump --format=custom (restorable with pg_restore by hand too)
  database.sqlite3   SQLite: a copy made with SQLite's online backup API
  media/...          the uploaded files (ONEWINDOW_MEDIA_ROOT)
The database is the one ONEWINDOW_DATABASE_URL names; PostgreSQL needs pg_dump/pg_restore of the
server's major version on PATH (the password is passed through PGPASSWORD, never the command line).
Archives hold personal data: they are written readable by their owner only (mode 600)."""


def register(sub):
    p = sub.add_parser(
        "backup", help="back up the database and uploaded files into one archive",
        description="Back up the database (PostgreSQL: pg_dump in one snapshot; SQLite: online backup API, "
                    "safe while the site runs) and the uploaded files into FILE.",
        epilog=ARCHIVE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", metavar="FILE", help="the archive to write, e.g. /backups/onewindow-2026-11-25.tar")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "restore", help="restore the database and uploaded files from a backup archive, then verify",
        description="Restore FILE (made by `onewindow backup`) into the database ONEWINDOW_DATABASE_URL names "
                    "and into ONEWINDOW_MEDIA_ROOT, then recompute the audit hash chains and compare the "
                    "counts with the archive's manifest. Stop the server first. A target that already holds "
                    "data (cases, audit events, items, users or uploaded files) is refused unless --force. "
                    "PostgreSQL: the database must exist (createdb); pg_restore --clean --if-exists --no-owner "
                    "runs in one transaction. SQLite: the file is created when missing. Existing uploaded "
                    "files are moved aside to MEDIA_ROOT.before-restore-<time>, never deleted. Exit status: 0 "
                    "restored and verified; 2 bad archive, wrong engine, non-empty target, or a restore "
                    "that does not verify.",
        epilog=ARCHIVE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", metavar="FILE", help="an archive written by `onewindow backup`")
    p.add_argument("--force", action="store_true", help="replace a database / media directory that holds data")
    p.set_defaults(func=cmd_restore)


def cmd_backup(args) -> None:
    from . import backup

    manifest = backup.backup(args.file, force=args.force)
    db = manifest["database"]
    print(f"已备份 backed up {manifest['engine']} → {args.file}")
    print(f"  {backup.describe_counts(manifest['counts'])}")
    print(f"  数据库 dump {db['file']} {db['bytes']} bytes sha256 {db['sha256']}; "
          f"上传文件 media {manifest['media']['files']} files {manifest['media']['bytes']} bytes")


def cmd_restore(args) -> None:
    from . import backup

    report = backup.restore(args.file, force=args.force)
    print(f"已恢复 restored {report.engine} backup of {report.manifest.get('created_at')} from {args.file}")
    print(f"  {backup.describe_counts(report.counts)}")
    if report.media_moved_to:
        print(f"  原有上传文件已移至 previous uploaded files moved to {report.media_moved_to}")
    if report.unapplied_migrations:
        print(f"  数据库结构比程序旧 the schema is older than this onewindow ({len(report.unapplied_migrations)} "
              "migrations to apply): run `onewindow init`")
    for problem in report.verify_problems:
        print(f"  {problem}")
    if not report.counts_match:
        expected = backup.describe_counts(report.manifest.get("counts", {}))
        raise CommandFailed(f"恢复后的数量与备份清单不符 restored counts differ from the manifest ({expected})")
    if not report.verify_ok:
        raise CommandFailed(f"审计链校验未通过 audit trail is NOT intact after restore: "
                            f"{len(report.verify_problems)} problem(s)")
    print(f"  审计链完整 audit trail intact: {report.verify_chains} chains, {report.verify_events} events")
