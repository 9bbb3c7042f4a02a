"""`onewindow token create|revoke`: API tokens (the api app owns them)."""

from __future__ import annotations

import sys

from onewindow.core.errors import CommandFailed


def cmd_token_create(args) -> None:
    from onewindow.api.auth import create_token
    from onewindow.orgs.models import User

    user = User.objects.filter(username=args.username).first()
    if user is None:
        raise CommandFailed(f"没有账号 {args.username} / no such account")
    issued = create_token(user=user, name=args.name)
    print(issued.raw)
    print(f"令牌只显示这一次，请妥善保存；注销：onewindow token revoke {issued.token.prefix} "
          f"/ shown once only", file=sys.stderr)


def cmd_token_revoke(args) -> None:
    from onewindow.api.auth import revoke_token

    token = revoke_token(prefix=args.prefix)
    print(f"已注销令牌 revoked {token.prefix} ({token.user.get_username()})")


def register(sub) -> None:
    token = sub.add_parser("token", help="API tokens (Authorization: Bearer …)")
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    p = token_sub.add_parser("create", help="issue a token for an account; printed once")
    p.add_argument("username")
    p.add_argument("--name", default="", help="what the token is for")
    p.set_defaults(func=cmd_token_create)
    p = token_sub.add_parser("revoke", help="revoke a token by its prefix")
    p.add_argument("prefix")
    p.set_defaults(func=cmd_token_revoke)
