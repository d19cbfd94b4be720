"""Command line for front-desk console logins (``make staff-user``)::

python -m console.staff_accounts add USER           # prompts for the password
STAFF_PASSWORD=... python -m console.staff_accounts add USER
python -m console.staff_accounts set-password USER  # reset a forgotten password (ends its sessions)
python -m console.staff_accounts disable USER       # refuse its logins, end its sessions
python -m console.staff_accounts enable USER
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from clinic.staff_accounts import AccountError, StaffAccounts, normalise_username


def _read_password() -> str:
    """$STAFF_PASSWORD for scripts, else asked twice without echo."""
    password = os.environ.get("STAFF_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise AccountError("no terminal to ask for the password: set STAFF_PASSWORD")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        raise AccountError("the two passwords differ")
    return password


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m console.staff_accounts", description="Manage front-desk console logins."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("add", help="create a staff login").add_argument("username")
    commands.add_parser("set-password", help="change a staff password").add_argument("username")
    commands.add_parser("disable", help="refuse a login and end its sessions").add_argument("username")
    commands.add_parser("enable", help="allow a disabled login again").add_argument("username")
    args = parser.parse_args(argv)
    accounts = StaffAccounts()
    try:
        username = normalise_username(args.username)
        if args.command == "add":
            accounts.add(username, _read_password())
            print(f"Created staff user {username}.")
        elif args.command == "set-password":
            accounts.set_password(username, _read_password())
            print(f"Changed the password of {username}.")
        else:
            accounts.set_disabled(username, disabled=args.command == "disable")
            print(f"{args.command.capitalize()}d the login {username}.")
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
