"""``rightsbot verify FILE.pdf...``: is this letter intact, who sealed it, does its text match its hash?

Exit status 0 when every letter passes (intact, text and footer hash agree, and
the seal trusted when ``--trust`` certificates were given); 1 otherwise, with
the reasons printed. One file that is not a readable PDF is a one-line error;
among several (``verify letters/*.pdf``), it is reported as a failed letter and
the others are still checked.
"""

from __future__ import annotations

import argparse
import logging
import stat
from pathlib import Path

from ..errors import InputError, RightsbotError
from ..files import read_file_capped
from .common import add_json_option, print_json

ORDER = 31
COVER_NOTE = "a rightsbot cover sheet: it is for you, not a letter, so there is nothing to verify"
MAX_FILE_BYTES = 50 * 1024 * 1024


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify", help="check a letter PDF: seal, signer, trust, text hash",
        description="Check letter PDFs made by rightsbot: whether each seal is intact, who "
                    "sealed it, whether the signer is trusted (against --trust certificates), and "
                    "whether the printed text matches the SHA-256 in its footer. Unsealed letters "
                    "get the text checks only. With several files, --json prints a list with one "
                    "object per file.")
    parser.add_argument("files", metavar="FILE.pdf", type=Path, nargs="+",
                        help="the letters to check (e.g. letters/*.pdf)")
    parser.add_argument("--trust", metavar="CERT", type=Path, action="append", default=[],
                        help="a certificate (PEM or DER) to trust, e.g. the sender's cert.pem; "
                             "may be given several times")
    add_json_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..letters.cover import is_cover_sheet
    from ..letters.verify import load_trust_roots, verify_pdf

    # pyHanko and pypdf log every failed check with a traceback; the report says it plainly
    for name in ("pyhanko", "pyhanko_certvalidator", "pypdf"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    if len(args.files) == 1:      # one file: a file that is not a letter is a one-line error
        data = _read(args.files[0])
        if is_cover_sheet(data):
            print(f"{args.files[0]}: {COVER_NOTE}")
            return 0
        report = verify_pdf(data, list(args.trust))
        if args.json:
            print_json(report.to_json())
        else:
            _print_report(args.files[0], report)
        return 0 if report.ok else 1
    load_trust_roots(list(args.trust))   # a bad --trust file is one error, not one per letter
    results, ok, skipped = [], True, 0
    for number, path in enumerate(args.files):
        try:
            data = _read(path)
            if is_cover_sheet(data):
                skipped += 1
                if not args.json:
                    print(("\n" if number else "") + f"file:       {path}\nresult:     skipped: {COVER_NOTE}")
                else:
                    results.append({"file": str(path), "ok": True, "skipped": COVER_NOTE})
                continue
            report = verify_pdf(data, list(args.trust))
        except RightsbotError as exc:
            ok = False
            results.append({"file": str(path), "ok": False, "error": str(exc)})
            if not args.json:
                print(("\n" if number else "") + f"file:       {path}\nresult:     FAILED: {exc}")
            continue
        ok = ok and report.ok
        results.append({"file": str(path), "ok": report.ok, **report.to_json()})
        if not args.json:
            if number:
                print()
            _print_report(path, report)
    if args.json:
        print_json(results)
    else:
        failed = sum(1 for r in results if not r["ok"])
        if skipped:
            print(f"\n{skipped} cover sheet{'s' if skipped != 1 else ''} skipped (not letters).", end="")
        print(f"\n{len(results)} letters checked: " + (
            "all OK" if ok else f"{failed} FAILED: do not rely on {'it' if failed == 1 else 'them'}"))
    return 0 if ok else 1


def _print_report(path: Path, report) -> None:  # noqa: ANN001 - VerifyReport
    yes_no = {True: "yes", False: "NO"}
    print(f"file:       {path}")
    print(f"reference:  {report.reference or 'unknown'}")
    if report.sealed:
        print(f"sealed:     yes, by {report.signer or 'an unreadable signer'}")
        trust = "yes" if report.trusted else (
            "NO" if report.trust_given else "not checked (give the sender's certificate with --trust)")
        print(f"trusted:    {trust}")
        print(f"intact:     {yes_no[report.intact]}")
    else:
        print("sealed:     no (only the text and its hash can be checked)")
    if report.kind == "bundle":
        print("contents:   a campaign bundle of many letters: the seal covers all of them")
    else:
        # not "does not match": an encrypted or unreadable letter fails the text checks too
        print(f"text hash:  {'matches' if report.text_hash_ok else 'NOT CONFIRMED (reasons below)'}")
    for problem in report.problems:
        print(f"  - {problem}")
    print("result:     " + ("OK" if report.ok else "FAILED: do not rely on this letter"))


def _read(path: Path) -> bytes:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path} does not exist.") from None
    except OSError as exc:
        raise InputError(f"Cannot read {path} ({exc.strerror}).") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path} is a folder, not a PDF file.")
    if not stat.S_ISREG(info.st_mode):       # a pipe or a device would block or never end
        raise InputError(f"{path} is not a regular file, so not a letter.")
    if info.st_size > MAX_FILE_BYTES:
        raise InputError(f"{path} is too large to be a letter.")
    try:
        return read_file_capped(path, MAX_FILE_BYTES, what="PDF file")
    except InputError:
        raise InputError(f"Cannot read {path}.") from None
