"""After `onewindow init` on the topology's primary: the demo accounts (password DEMO_PASSWORD, the same
loader as `onewindow demo`) and an API token per account named on the command line. Prints one JSON
object: {"tokens": {username: token}, "materials": [material ids of ITEM_CODE], "window_applicant":
[kind, id number] of the demo enterprise}.

    ONEWINDOW_DATABASE_URL=postgresql://postgres@127.0.0.1:25432/onewindow \
        .venv/bin/python -m scripts.topology.prepare ITEM_CODE qiye clerk approver.cgj
"""

from __future__ import annotations

import json
import os
import sys


def main(item_code: str, usernames: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    from onewindow.api.auth import create_token
    from onewindow.catalog.models import Item
    from onewindow.ops import bootstrap
    from onewindow.orgs import sample
    from onewindow.orgs.models import User

    sample.ensure_demo_accounts(password=bootstrap.DEMO_PASSWORD)
    tokens = {name: create_token(user=User.objects.get(username=name), name="topology").raw for name in usernames}
    item = Item.objects.get(code=item_code, status="active")
    # Who comes to the window: the demo enterprise (registered: the clerk types the number only; its
    # business licence is an e-certificate the checklist fetches by itself).
    _username, kind, _name, id_number, _phone = next(a for a in sample.DEMO_APPLICANTS if a[1] == "enterprise")
    json.dump({"tokens": tokens, "materials": sorted(item.materials.values_list("id", flat=True)),
               "window_applicant": [kind, id_number]}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
