"""Hand tasks to the Celery workers through the broker (ONEWINDOW_BROKER_URL), as beat or a page would:

    .venv/bin/python -m scripts.topology.enqueue '[["onewindow.jobs.tasks.daily_check", {"day": "2026-11-25"}]]'

Prints the task ids. Sends by name: this process needs the broker's address, not the tasks' code."""

from __future__ import annotations

import json
import os
import sys


def main(specs: list) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    from django.conf import settings

    from onewindow.celery import app

    if not settings.BROKER_URL:
        print("ONEWINDOW_BROKER_URL is empty: nothing to send to", file=sys.stderr)
        return 2
    for name, kwargs in specs:
        print(name, app.send_task(name, kwargs=kwargs).id)
    return 0


if __name__ == "__main__":
    sys.exit(main(json.loads(sys.argv[1])))
