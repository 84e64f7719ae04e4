"""``rightsbot verify FILE.pdf``: is this letter intact, who sealed it, does its text match its hash?

Exit status 0 when the letter passes (intact, text and footer hash agree, and
the seal trusted when ``--trust`` certificates were given); 1 otherwise, with
the reasons printed. A file that is not a readable PDF is a one-line error.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from ..errors import InputError
from .common import add_json_option, print_json

ORDER = 31
MAX_FILE_BYTES = 50 * 1024 * 1024


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify", help="check a letter PDF: seal, signer, trust, text hash",
        description="Check a letter PDF made by rightsbot: whether its seal is intact, who sealed "
                    "it, whether the signer is trusted (against --trust certificates), and whether "
                    "the printed text matches the SHA-256 in its footer. Unsealed letters get the "
                    "text checks only.")
    parser.add_argument("file", metavar="FILE.pdf", type=Path, help="the letter to check")
    parser.add_argument("--trust", metavar="CERT", type=Path, action="append", default=[],
                        help="a certificate (PEM or DER) to trust, e.g. the sender's cert.pem; "
                             "may be given several times")
    add_json_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..letters.verify import verify_pdf

    # pyHanko and pypdf log every failed check with a traceback; the report says it plainly
    for name in ("pyhanko", "pyhanko_certvalidator", "pypdf"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    report = verify_pdf(_read(args.file), list(args.trust))
    if args.json:
        print_json(report.to_json())
        return 0 if report.ok else 1
    yes_no = {True: "yes", False: "NO"}
    print(f"file:       {args.file}")
    print(f"reference:  {report.reference or 'unknown'}")
    if report.sealed:
        print(f"sealed:     yes, by {report.signer or 'an unreadable signer'}")
        trust = "yes" if report.trusted else (
            "NO" if report.trust_given else "not checked (give the sender's certificate with --trust)")
        print(f"trusted:    {trust}")
        print(f"intact:     {yes_no[report.intact]}")
    else:
        print("sealed:     no (only the text and its hash can be checked)")
    print(f"text hash:  {'matches' if report.text_hash_ok else 'DOES NOT MATCH'}")
    for problem in report.problems:
        print(f"  - {problem}")
    print("result:     " + ("OK" if report.ok else "FAILED: do not rely on this letter"))
    return 0 if report.ok else 1


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"{path} is too large to be a letter.")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a PDF file.") from None
    except OSError as exc:
        raise InputError(f"Cannot read {path} ({exc.strerror}).") from None
