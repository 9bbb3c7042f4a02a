"""Decide whether the PostgreSQL half of `make test` runs.

Exit 0: PostgreSQL answers, run the suite on it.
Exit 75: it does not answer and ONEWINDOW_TEST_POSTGRES is not "required": skip, loudly.
Exit 1: it does not answer and ONEWINDOW_TEST_POSTGRES=required (CI): fail.
"""

import os
import sys

import psycopg

url = os.environ.get("ONEWINDOW_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
required = os.environ.get("ONEWINDOW_TEST_POSTGRES", "").lower() == "required"
try:
    psycopg.connect(url, connect_timeout=5).close()
except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
    if required:
        print(f"PostgreSQL is required (ONEWINDOW_TEST_POSTGRES=required) but {url} is unreachable: {exc}")
        sys.exit(1)
    banner = "*" * 78
    print(f"{banner}\nSKIPPED: the PostgreSQL half of the test suite: {url} is unreachable ({exc}).\n"
          f"Set ONEWINDOW_TEST_PG_URL or start PostgreSQL; CI sets ONEWINDOW_TEST_POSTGRES=required.\n{banner}")
    sys.exit(75)
