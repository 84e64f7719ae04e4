"""``rightsbot letters``: check a person's photos and write the letters for every match.

Reads a person file (docs/person-example.toml), runs the check against the
dataset index, and writes one PDF, .txt and .eml per company and letter kind.
No match is not an error: nothing is written, a message says so, exit 0.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from ..config import secret
from ..errors import InputError
from ..files import clean_stale_temps
from ..letters.person_file import load_person_file
from ..letters.output import write_delivery
from ..letters.pipeline import LetterMaker, LettersOutcome, SealSettings
from .common import (add_config_option, add_index_option, add_json_option, format_table,
                     load_config, print_json, progress_bar)

ORDER = 30


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "letters", help="check a person's photos and write the letters (PDF, text, email)",
        description="Check the photos named in a person file against the dataset index and "
                    "write, for every company that built or reportedly used a matching "
                    "dataset, the letters that apply where the person lives and uploaded from "
                    "(BIPA, CCPA, GDPR, ...): a PDF, the same letter as text, and an .eml "
                    "email with the PDF attached. The letters are not legal advice.")
    parser.add_argument("--person", metavar="FILE", type=Path, required=True,
                        help="the person file (TOML; see docs/person-example.toml)")
    parser.add_argument("--out", metavar="DIR", type=Path, default=None,
                        help="folder for the letters (default: [letters] output_dir)")
    parser.add_argument("--sign-key", metavar="KEY", type=Path, default=None,
                        help="seal the PDFs with this private key (PEM or PKCS#12); "
                             "password from RIGHTSBOT_SEAL_PASSWORD")
    parser.add_argument("--sign-cert", metavar="CERT", type=Path, default=None,
                        help="the certificate (PEM) that goes with --sign-key")
    parser.add_argument("--date", metavar="YYYY-MM-DD", type=_iso_date, default=None,
                        help="date the letters (default: today); deadlines count from it")
    parser.add_argument("--case", action="store_true",
                        help="also record the letters as a case in [storage] path, to follow "
                             "them up with `rightsbot cases` (and the terminal chat)")
    parser.add_argument("--person-id", type=int, default=0, metavar="ID",
                        help="with --case: whose cases (default: the terminal chat's person, 0)")
    add_index_option(parser)
    add_config_option(parser)
    add_json_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..check import CheckRequest, Checker, PhotoInput   # the check loads the index stack

    config = load_config(args)
    clean_stale_temps((args.out or config.letters.output_dir).expanduser())   # a killed run's temps
    person_file = load_person_file(args.person)
    seal = _seal(args, config.letters.seal_visible)
    maker = LetterMaker.from_config(config, seal=seal)
    photos = tuple(PhotoInput(name, data)
                   for name, data in person_file.read_photos(config.photos.max_bytes))
    request = CheckRequest(flickr=person_file.flickr, urls=person_file.urls, photos=photos)
    checker = Checker.from_config(config)
    with progress_bar(desc="checking", unit="step") as bar:
        def on_check(stage: str, done: int, total: int) -> None:
            bar.set_description(stage[:30])
            bar.total = total
            bar.n = done
            bar.refresh()
        result = checker.check(request, progress=on_check)
    on = args.date or date.today()
    cover = None
    if not result.matches:
        outcome = LettersOutcome((), (), ())
        written = []
    else:
        with progress_bar(desc="letters", unit="letter") as bar:
            def on_letter(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()
            outcome = maker.make(person_file.person, result, on, progress=on_letter)
        out_dir = (args.out or config.letters.output_dir).expanduser()
        written, cover = write_delivery(outcome.letters, outcome.cover, out_dir)  # one delivery
    case_id = _record_case(args, config, person_file.person, outcome.letters, on) if (
        args.case and outcome.letters) else None
    if args.json:
        print_json({
            "case": case_id,
            "letters": [{"company": w.letter.company, "kind": w.letter.kind, "pdf": str(w.pdf),
                         "eml": str(w.eml), "txt": str(w.txt), "reference": w.letter.reference,
                         "due": w.letter.due.isoformat(), "sha256": w.letter.sha256}
                        for w in written],
            "cover": str(cover) if cover else None,
            "matches": len(result.matches),
            "notes": list(dict.fromkeys([*outcome.notes, *(n for w in written for n in w.letter.notes)])),
            "problems": list(result.problems),
            "check_notes": list(result.notes),
        })
        return 0
    for problem in result.problems:
        print(f"could not check: {problem}", file=sys.stderr)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if not result.matches:
        print("No match: none of the accounts, links or photos in the person file is in the "
              "dataset index, so no letters were written. (A miss is not proof: see "
              "`rightsbot datasets` for what each dataset can be matched by.)")
        return 0
    if not written:
        print("The photos matched, but no letter could be made; see the notes below.")
    else:
        rows = [[w.letter.company, w.letter.kind, w.letter.due.isoformat(), w.pdf.name]
                for w in written]
        print(format_table(["company", "kind", "reply due", "pdf"], rows))
        print(f"\n{len(written)} letters in {written[0].pdf.parent}. "
              "They are not legal advice: read each one before sending.")
    if cover is not None and outcome.cover is not None:
        print(f"\nRead your cover sheet first: {cover}\n")
        print(outcome.cover.text())
    return 0


def _record_case(args: argparse.Namespace, config, person, letters, on: date) -> str:
    """Store the letters as a case (all not sent yet), as the chat does after delivery."""
    from ..cases import book
    from ..storage import Store
    with Store.from_config(config) as store:
        case_id = book.record_delivery(store, args.person_id, letters, on, person.residence, {
            "name": person.name, "address": list(person.address), "email": person.email})
    if not args.json:
        print(f"Recorded as case {case_id}: `rightsbot cases list` shows it; mark each letter "
              "sent with `rightsbot cases mark REFERENCE sent`.")
    return case_id


def _seal(args: argparse.Namespace, visible: bool) -> SealSettings | None:
    if bool(args.sign_key) != bool(args.sign_cert):
        raise InputError("--sign-key and --sign-cert go together: give both or neither")
    if not args.sign_key:
        return None
    for path in (args.sign_key, args.sign_cert):
        if not os.path.isfile(path):
            raise InputError(f"file not found: {path}")
    return SealSettings(args.sign_key, args.sign_cert, visible,
                        password=secret("RIGHTSBOT_SEAL_PASSWORD"))


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-11-26: {text!r}") from None
