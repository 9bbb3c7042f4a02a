"""Django-side steps of the scenarios, run in a child process against one `bench_*` database
(`python -m bench.tasks <task> ...` with ONEWINDOW_DATABASE_URL set by bench.support.task). Each task
prints one JSON line last."""

from __future__ import annotations

import argparse
import json
import sys

import django


def intake_setup(args) -> dict:
    """Demo accounts, an API token for the window clerk, applicants registered beforehand (the API
    then finds them by id number), and the item the load submits."""
    from datetime import date

    from onewindow.api.auth import create_token
    from onewindow.catalog.models import Item
    from onewindow.orgs import identity
    from onewindow.orgs import sample as orgs_sample
    from onewindow.orgs.models import User
    from onewindow.orgs.services import register_applicant

    orgs_sample.ensure_demo_accounts(password="bench-pass-2026")
    token = create_token(user=User.objects.get(username="clerk"), name="bench").raw
    applicants = []
    for n in range(args.applicants):
        number = identity.generate_resident_id(region="450681", birth_date=date(1970, 1, 1 + n % 28),
                                               sequence=n)
        applicant = register_applicant(kind="person", name=f"测试{n:03d}", id_number=number)
        applicants.append({"kind": "person", "id_number": applicant.id_number, "name": applicant.name})
    item = Item.objects.get(code=args.item)
    materials = list(item.materials.order_by("order").values_list("id", "name", "required", "source"))
    return {"token": token, "item": item.code, "item_id": item.id, "item_version": item.version,
            "limit": item.committed_limit_days, "applicants": applicants,
            "material_ids": [m[0] for m in materials if m[2]], "materials": materials}


def history(args) -> dict:
    from onewindow.history.generator import generate_history

    summary = generate_history(size=args.size, seed=args.seed, months=args.months, progress=args.progress)
    return summary


def verify_chains(args) -> dict:
    from onewindow.audit.models import AuditChain
    from onewindow.audit.services import verify

    keys = list(AuditChain.objects.order_by("?").values_list("key", flat=True)[:args.sample])
    report = verify(chain_keys=keys)
    return {"chains": report.chains, "events": report.events, "problems": report.problems[:5]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tasks")
    sub = parser.add_subparsers(dest="task", required=True)
    p = sub.add_parser("intake-setup")
    p.add_argument("--item", required=True)
    p.add_argument("--applicants", type=int, default=50)
    p.set_defaults(func=intake_setup)
    p = sub.add_parser("history")
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--months", type=int, default=12)
    p.add_argument("--progress", action="store_true")
    p.set_defaults(func=history)
    p = sub.add_parser("verify-chains")
    p.add_argument("--sample", type=int, default=2000)
    p.set_defaults(func=verify_chains)
    import importlib

    for name in ("bench.lookups_tasks", "bench.supervision_tasks", "bench.appraisal_tasks",
                 "bench.staff_tasks"):  # scenario modules that add tasks
        module = importlib.import_module(name)
        if hasattr(module, "register"):
            module.register(sub)
    args = parser.parse_args(argv)
    django.setup()
    result = args.func(args)
    print(json.dumps(result, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
