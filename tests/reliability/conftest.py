"""Fixtures of the fault suite: a prepared template database (once per run), a fresh copy of it per
test, and real servers that are always stopped — process group and all — when the test ends."""

from __future__ import annotations

import itertools
import os

import pytest
from django.conf import settings

from .live import ITEM_CODE, FaultDatabase, Server, create_database, drop_database, prepare_template, url_for

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="fault suite: needs PostgreSQL (a real server process, concurrent connections, "
                            "row locks and a database that can be restarted); set ONEWINDOW_DATABASE_URL")
_copies = itertools.count(1)


@pytest.fixture(scope="session")
def fault_template():
    if not ON_POSTGRES:
        pytest.skip("fault suite: needs PostgreSQL")
    name = f"fault_tpl_{os.getpid()}"
    prepared = prepare_template(name)
    yield name, prepared
    drop_database(name)


@pytest.fixture
def fault_db(fault_template) -> FaultDatabase:
    """A fresh database (a copy of the template) for one test, dropped afterwards."""
    template, prepared = fault_template
    name = f"fault_{os.getpid()}_{next(_copies)}"
    create_database(name, template=template)
    yield FaultDatabase(name=name, url=url_for(name), tokens=prepared["tokens"],
                        materials=prepared["items"][ITEM_CODE])
    drop_database(name)


@pytest.fixture(scope="session")
def server_data_dir(tmp_path_factory):
    # Shared by the suite's servers: collectstatic copies the files once, later starts only check them.
    return tmp_path_factory.mktemp("fault-server")


@pytest.fixture
def start_server(server_data_dir):
    """start_server(db, **options) -> a running Server; every server is stopped at the end of the test."""
    servers: list[Server] = []

    def start(db: FaultDatabase, **options) -> Server:
        server = Server(database_url=db.url, data_dir=server_data_dir, **options)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.kill()  # the whole process group; the database is dropped next anyway


def pytest_collection_modifyitems(config, items):
    # The database restart cuts every connection to the shared server: run it after everything else.
    items.sort(key=lambda item: "test_database_restart" in item.nodeid)
