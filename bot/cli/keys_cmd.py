"""``rightsbot keys new``: make a seal key (EC P-256) and a self-signed certificate."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import secret
from ..errors import InputError

ORDER = 32


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("keys", help="make a key for sealing letters",
                                   description="Keys for sealing letters (PAdES signatures).")
    commands = parser.add_subparsers(dest="keys_command", metavar="COMMAND")
    commands.required = True
    new = commands.add_parser(
        "new", help="make an EC P-256 key and a self-signed certificate",
        description="Write DIR/key.pem (private key, readable only by you) and DIR/cert.pem "
                    "(self-signed certificate, valid 3 years, subject CN = NAME). Existing files "
                    "are never overwritten. Give cert.pem to the people who should be able to "
                    "check your seal (rightsbot verify --trust cert.pem); keep key.pem secret "
                    "and set [letters] seal_key and seal_cert to use them.")
    new.add_argument("--name", required=True, help="the name the seal carries, e.g. your full name")
    new.add_argument("--out", metavar="DIR", type=Path, required=True,
                     help="folder for key.pem and cert.pem (created if missing)")
    new.add_argument("--encrypt", action="store_true",
                     help="encrypt key.pem with the password in RIGHTSBOT_SEAL_PASSWORD")
    new.set_defaults(func=run_new)


def run_new(args: argparse.Namespace) -> int:
    from ..letters.keys import new_key_files

    password = None
    if args.encrypt:
        password = secret("RIGHTSBOT_SEAL_PASSWORD")
        if not password:
            raise InputError("--encrypt needs the password in the environment variable "
                             "RIGHTSBOT_SEAL_PASSWORD.")
    files = new_key_files(args.name, args.out, password=password)
    print(f"private key:  {files.key} (keep it secret; mode 0600)")
    print(f"certificate:  {files.cert} (share it with those who verify your letters)")
    print("to seal letters, set in config.toml:")
    print("  [letters]")
    print(f"  seal_key = \"{files.key.resolve()}\"")
    print(f"  seal_cert = \"{files.cert.resolve()}\"")
    return 0
