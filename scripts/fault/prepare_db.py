"""Prepare a database for the fault suite (tests/reliability): schema, calendar, sample organisations and
catalog (`onewindow init`), the demo accounts, and one API token per account named on the command line.

    ONEWINDOW_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/fault_tpl \
        .venv/bin/python scripts/fault/prepare_db.py zhangsan clerk approver.cgj

Prints one JSON object on stdout: {"tokens": {username: raw token}, "items": {code: [material ids]}}.
Runs as its own process so the suite's pytest process never connects to the database it prepares
(PostgreSQL copies a template database only while nobody is connected to it)."""

from __future__ import annotations

import json
import os
import sys


def main(usernames: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    from django.conf import settings

    # A throwaway database: a fast hasher keeps the preparation to a few seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    from django.core.management import call_command

    from onewindow.api.auth import create_token
    from onewindow.catalog.models import Item
    from onewindow.ops import bootstrap
    from onewindow.orgs import sample
    from onewindow.orgs.models import User

    bootstrap.init(with_sample_catalog=True)
    # The database cache table (throttles, sign-in lockout) when the settings use one; a no-op otherwise
    # and when init already made it.
    call_command("createcachetable", verbosity=0)
    sample.ensure_demo_accounts(password=bootstrap.DEMO_PASSWORD)
    tokens = {}
    for username in usernames:
        user = User.objects.get(username=username)
        tokens[username] = create_token(user=user, name="fault suite").raw
    items = {item.code: sorted(item.materials.values_list("id", flat=True))
             for item in Item.objects.filter(status="active").prefetch_related("materials")}
    json.dump({"tokens": tokens, "items": items}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
