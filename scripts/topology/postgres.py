"""A PostgreSQL 15 primary and a streaming replica of our own, under var/topology/pg, on loopback ports
of their own (never the shared server on 5432). As root, every PostgreSQL program runs as the
`postgres` account (switched in the child process)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg

from .procs import LOOPBACK, ProcessSet, as_user, wait_until

PG_BIN = Path(os.environ.get("ONEWINDOW_TOPOLOGY_PG_BIN", "/usr/lib/postgresql/15/bin"))
OS_USER = "postgres"
DB_NAME = "onewindow"
# A throwaway cluster for a demonstration: durability settings off to spare a loaded machine's disk;
# replication itself (WAL streaming, hot standby) is exactly production's.
PRIMARY_CONF = """
listen_addresses = '{host}'
port = {port}
unix_socket_directories = '{sockets}'
wal_level = replica
max_wal_senders = 5
wal_keep_size = 64MB
hot_standby = on
max_connections = 120
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_duration_statement = -1
"""


def pg_tools_present() -> list[str]:
    """What is missing to run the clusters (empty when all is there)."""
    return [tool for tool in ("initdb", "pg_ctl", "pg_basebackup", "postgres") if not (PG_BIN / tool).exists()]


def _os_user() -> str | None:
    return OS_USER if os.geteuid() == 0 else None


def _run(argv: list[str], *, timeout: float = 120) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd="/",
                          env={"PATH": f"{PG_BIN}:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp"},
                          **as_user(_os_user()))
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done.stdout


@dataclass
class Node:
    name: str
    port: int
    data_dir: Path

    @property
    def url(self) -> str:
        return f"postgresql://postgres@{LOOPBACK}:{self.port}/{DB_NAME}"

    def connect(self, dbname: str = DB_NAME) -> psycopg.Connection:
        return psycopg.connect(host=LOOPBACK, port=self.port, user="postgres", dbname=dbname, autocommit=True,
                               connect_timeout=5)

    def answers(self) -> bool:
        try:
            with self.connect("postgres"):
                return True
        except psycopg.Error:
            return False


class Clusters:
    """initdb a primary, pg_basebackup -R a replica from it, start both, wait for streaming."""

    def __init__(self, root: Path, procs: ProcessSet, *, primary_port: int, replica_port: int):
        self.root, self.procs = root, procs
        self.sockets = root / "sockets"
        self.primary = Node("primary", primary_port, root / "primary")
        self.replica = Node("replica", replica_port, root / "replica")

    def _prepare_dirs(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.sockets.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            for path in (self.root, self.sockets):
                shutil.chown(path, OS_USER, OS_USER)
        self.root.chmod(0o700)

    def _start(self, node: Node) -> None:
        proc = self.procs.start(f"pg-{node.name}", [str(PG_BIN / "postgres"), "-D", str(node.data_dir)],
                                env={"LANG": "C.UTF-8", "HOME": "/tmp"}, cwd=self.root, user=_os_user(),
                                stop_signal=signal.SIGINT, leader_only=True)
        wait_until(node.answers, timeout=60, what=f"PostgreSQL {node.name} on port {node.port}", proc=proc)

    def start_primary(self) -> None:
        self._prepare_dirs()
        _run([str(PG_BIN / "initdb"), "-D", str(self.primary.data_dir), "-U", "postgres", "--auth=trust",
              "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"])
        with (self.primary.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(PRIMARY_CONF.format(host=LOOPBACK, port=self.primary.port, sockets=self.sockets))
        with (self.primary.data_dir / "pg_hba.conf").open("a") as hba:
            hba.write(f"host replication postgres {LOOPBACK}/32 trust\n")
        self._start(self.primary)
        with self.primary.connect("postgres") as conn:
            conn.execute(f"CREATE DATABASE {DB_NAME}")

    def start_replica(self) -> None:
        _run([str(PG_BIN / "pg_basebackup"), "-h", LOOPBACK, "-p", str(self.primary.port), "-U", "postgres",
              "-D", str(self.replica.data_dir), "-R", "-X", "stream", "-c", "fast", "--no-sync"])
        # The copy carries the primary's settings; -R wrote standby.signal and primary_conninfo.
        with (self.replica.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.replica.port}\n")
        self._start(self.replica)
        wait_until(self.streaming, timeout=30, what="the replica streaming from the primary")

    def streaming(self) -> bool:
        with self.primary.connect("postgres") as conn:
            row = conn.execute("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").fetchone()
        return row[0] >= 1

    def replication_status(self) -> dict:
        with self.primary.connect("postgres") as conn:
            row = conn.execute("SELECT application_name, state, sync_state, replay_lag::text FROM pg_stat_replication"
                               ).fetchone()
            lsn = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()[0]
        with self.replica.connect("postgres") as conn:
            in_recovery, replayed = conn.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text").fetchone()
        return {"application_name": row[0], "state": row[1], "sync_state": row[2], "replay_lag": row[3],
                "primary_lsn": lsn, "replica_in_recovery": in_recovery, "replica_replayed_lsn": replayed}

    def wait_replayed(self, *, timeout: float = 15) -> None:
        """Until the replica has replayed everything the primary had written when this was called."""
        with self.primary.connect("postgres") as conn:
            target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]

        def caught_up() -> bool:
            with self.replica.connect("postgres") as conn:
                return conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [str(target)]).fetchone()[0]

        wait_until(caught_up, timeout=timeout, what="the replica replaying the primary's WAL")
