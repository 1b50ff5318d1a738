"""Manage the server's accounts: ``python -m service.team add-account NAME --role admin``.

The password is read from a prompt (or one line of standard input with ``--password-stdin``),
never from the command line. The first account turns sign-in on for every page.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from storage.accounts import ROLES, AccountStore, accounts_path


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def main(argv: Sequence[str] | None = None) -> int:
    from service.team.accounts import Accounts

    parser = argparse.ArgumentParser(prog="python -m service.team", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-account", help="create an account")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--password-stdin", action="store_true")
    new = commands.add_parser("set-password", help="a new password (signs the account out)")
    new.add_argument("name")
    new.add_argument("--password-stdin", action="store_true")
    remove = commands.add_parser("remove-account", help="delete an account (its labels stay)")
    remove.add_argument("name")
    commands.add_parser("list", help="the accounts and their roles")
    args = parser.parse_args(argv)
    store = AccountStore(accounts_path())
    accounts = Accounts(store)
    try:
        if args.command == "add-account":
            accounts.add(args.name, _password(args), args.role)
            print(f"added {args.name} ({args.role}); sign-in is now required ({store.path})")
        elif args.command == "set-password":
            accounts.set_password(args.name, _password(args))
            print(f"new password for {args.name}; its sessions ended")
        elif args.command == "remove-account":
            store.remove_account(args.name)
            print(f"removed {args.name}")
        else:
            for account in store.accounts():
                print(f"{account.username}\t{account.role}")
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
