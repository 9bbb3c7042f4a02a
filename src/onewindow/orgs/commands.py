"""Console subcommands of orgs (see onewindow.cli): createuser, grantrole, revokerole, regions."""

from __future__ import annotations

import argparse
import getpass
import sys

from onewindow.core.errors import CommandFailed
from onewindow.orgs.models import ApplicantKind, Role

ROLE_HELP = ", ".join(f"{value} ({label})" for value, label in Role.choices)


def _read_password(args) -> str:
    if args.password is not None:
        return args.password
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise CommandFailed("--password-stdin: no password on standard input")
        return password
    if not sys.stdin.isatty():
        raise CommandFailed("no password given: use --password, --password-stdin or run in a terminal")
    first = getpass.getpass("密码 Password: ")
    second = getpass.getpass("再次输入密码 Password (again): ")
    if first != second:
        raise CommandFailed("the two passwords differ")
    return first


def cmd_createuser(args) -> None:
    from onewindow.orgs import services

    if args.applicant:
        if args.role or args.centre or args.department or args.superuser:
            raise CommandFailed("--applicant cannot be combined with --role, --centre, --department or --superuser")
        if not args.id_number:
            raise CommandFailed("--applicant needs --id-number (resident ID number or unified social credit code)")
        if not args.name:
            raise CommandFailed("--applicant needs --name (the person's or enterprise's name)")
        password = _read_password(args)
        user = services.create_applicant_user(username=args.username, password=password, kind=args.applicant,
                                              name=args.name, id_number=args.id_number, phone=args.phone or "")
        print(f"created applicant account {user.username} ({args.applicant})")
        return
    if args.id_number:
        raise CommandFailed("--id-number is only for --applicant accounts")
    if not args.role and not args.superuser:
        raise CommandFailed("give --role ROLE for a staff account or --applicant KIND for an applicant")
    if not args.role and (args.centre or args.department):
        raise CommandFailed("--centre and --department scope a --role")
    roles = [(args.role, args.centre, args.department)] if args.role else []
    password = _read_password(args)
    user = services.create_staff_user(username=args.username, password=password, display_name=args.name or "",
                                      phone=args.phone or "", roles=roles, is_superuser=args.superuser)
    held = ", ".join(sorted(user.staff_roles.values_list("role", flat=True)))
    print(f"created staff account {user.username} ({held}{', superuser' if user.is_superuser else ''})")


def _user(username: str):
    from onewindow.orgs.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandFailed(f"no account named {username}")
    return user


def cmd_grantrole(args) -> None:
    from onewindow.orgs import services

    services.grant_role(user=_user(args.username), role=args.role, centre_code=args.centre,
                        department_code=args.department)
    print(f"granted {args.role} to {args.username}")


def cmd_revokerole(args) -> None:
    from onewindow.orgs import services

    services.revoke_role(user=_user(args.username), role=args.role, centre_code=args.centre,
                         department_code=args.department)
    print(f"revoked {args.role} from {args.username}")


def cmd_regions(args) -> None:
    from onewindow.core.errors import CommandFailed
    from onewindow.orgs import divisions, regions
    from onewindow.orgs.models import Region

    if args.regions_command == "add":
        region, report = regions.add_region(args.code, args.name, parent=args.parent)
        for line in report.lines():
            print(line)
        print(f"{region.code} {region.name} ({region.get_level_display()})")
    elif args.regions_command == "load":
        if bool(args.file) == (args.bundled is not None):
            raise CommandFailed("give FILE (code,name[,parent] per line) or --bundled [PREFIX], not both")
        rows: list[tuple[int, str, str, str]] | list[tuple[str, str]]
        if args.file:
            rows = regions.read_regions_csv(args.file)
        else:
            prefix = args.bundled
            if prefix and not prefix.isdigit():
                raise CommandFailed(f"--bundled {prefix}: the prefix is the first digits of a code, e.g. 45")
            rows = divisions.bundled_rows(prefix)
            if not rows:
                raise CommandFailed(f"no division of the bundled table starts with {prefix}")
        for line in regions.load_regions(rows).lines():
            print(line)
    else:
        shown = Region.objects.filter(code__startswith=args.prefix or "").order_by("code")
        for region in shown.iterator():
            print(f"{region.code}\t{region.level}\t{region.name}")
        print(f"{shown.count()} regions", file=sys.stderr)


def _add_scope(parser: argparse.ArgumentParser, *, role_required: bool) -> None:
    parser.add_argument("--role", required=role_required, metavar="ROLE", help=f"staff role: {ROLE_HELP}")
    parser.add_argument("--centre", metavar="CODE",
                        help="service centre code (e.g. DX01); required for window_clerk")
    parser.add_argument("--department", metavar="CODE",
                        help="department code (e.g. dx-scjg); required for approver and chief_representative")


def register(sub):
    p = sub.add_parser(
        "createuser",
        help="create a staff or applicant account",
        description="Create a staff account with one scoped role, or an applicant account (person or "
        "enterprise) with its validated identity number. Without --password or --password-stdin the "
        "password is asked for when a terminal is attached. Bad input changes nothing and exits with 2.",
        epilog="examples:\n"
        "  onewindow createuser clerk2 --role window_clerk --centre DX01 --name 王芳\n"
        "  onewindow createuser li.scj --role approver --department dx-scjg --password-stdin\n"
        "  onewindow createuser root --superuser\n"
        "  onewindow createuser lisi --applicant person --id-number 45068119900520122X --name 李四",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("username", metavar="USERNAME", help="login name (letters, digits and @ . + - _)")
    _add_scope(p, role_required=False)
    p.add_argument("--superuser", action="store_true",
                   help="superuser with the administrator role (may be combined with --role)")
    p.add_argument("--applicant", choices=ApplicantKind.values, metavar="KIND",
                   help="create an applicant account instead: person or enterprise")
    p.add_argument("--id-number", metavar="NUMBER",
                   help="applicant's resident ID number (person) or unified social credit code (enterprise)")
    p.add_argument("--name", metavar="NAME", help="real name (staff) or person's/enterprise's name (applicant)")
    p.add_argument("--phone", metavar="PHONE", help="mobile phone number")
    secret = p.add_mutually_exclusive_group()
    secret.add_argument("--password", metavar="P", help="the password (visible in the process list: prefer "
                        "--password-stdin)")
    secret.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=cmd_createuser)

    p = sub.add_parser(
        "regions", help="add, load and list administrative regions (division codes)",
        description="Regions are named by their division code (GB/T 2260 in the 12-digit statistical "
        "form: province 2 digits, city 4, county 6, township 9, village 12); the level and the parent "
        "follow from the code, and missing parents are created, named from the bundled national table "
        "of province-, city- and county-level divisions or '待命名' (reported).",
        epilog="examples:\n"
        "  onewindow regions add 450681101 江平镇\n"
        "  onewindow regions load --bundled 45        # Guangxi: the region, its cities and counties\n"
        "  onewindow regions load villages.csv        # code,name[,parent] per line\n"
        "  onewindow regions list 4506",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="regions_command", metavar="ACTION", required=True)
    a = actions.add_parser("add", help="add (or rename) one region")
    a.add_argument("code", metavar="CODE", help="division code: 2, 4, 6, 9 or 12 digits")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--parent", metavar="CODE", help="the region above (default: the one the code belongs to)")
    a.set_defaults(func=cmd_regions)
    a = actions.add_parser("load", help="load regions from a CSV file or from the bundled table")
    a.add_argument("file", metavar="FILE", nargs="?", help="CSV: code,name[,parent] per line, UTF-8")
    a.add_argument("--bundled", metavar="PREFIX", nargs="?", const="",
                   help="load the bundled province/city/county table, or its part whose codes start with PREFIX")
    a.set_defaults(func=cmd_regions)
    a = actions.add_parser("list", help="list the regions (whose code starts with PREFIX)")
    a.add_argument("prefix", metavar="PREFIX", nargs="?", default="")
    a.set_defaults(func=cmd_regions)

    p = sub.add_parser("grantrole", help="give an account one more staff role",
                       description="Give an existing account a scoped staff role (audited).")
    p.add_argument("username", metavar="USERNAME")
    _add_scope(p, role_required=True)
    p.set_defaults(func=cmd_grantrole)

    p = sub.add_parser("revokerole", help="take a staff role away from an account",
                       description="Take a role away; the scope (--centre/--department) must match the one held.")
    p.add_argument("username", metavar="USERNAME")
    _add_scope(p, role_required=True)
    p.set_defaults(func=cmd_revokerole)
