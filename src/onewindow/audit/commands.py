"""`onewindow audit verify`."""

import sys

from onewindow.core.errors import CommandFailed


def register(sub):
    p = sub.add_parser("audit", help="the append-only audit trail")
    audit_sub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = audit_sub.add_parser("verify", help="recompute the hash chains and report any altered or missing event")
    v.set_defaults(func=cmd_verify)


def cmd_verify(args):
    from tqdm import tqdm

    from .models import AuditChain
    from .services import verify

    with tqdm(total=AuditChain.objects.count(), unit="chain", disable=not sys.stderr.isatty()) as bar:
        report = verify(progress=bar.update)
    if not report.ok:
        for problem in report.problems:
            print(problem)
        raise CommandFailed(f"audit trail is NOT intact: {len(report.problems)} problem(s) in "
                            f"{report.chains} chains / {report.events} events")
    print(f"audit trail intact: {report.chains} chains, {report.events} events")
