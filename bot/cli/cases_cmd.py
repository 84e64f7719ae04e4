"""``rightsbot cases``: the letters' follow-up on the command line, on the same storage as
the terminal chat (``[storage] path``): list, show, mark what happened, and write the
calendar of reply dates.

The person is the terminal chat's (id 0) unless ``--person-id`` names another, for
example a Telegram id on the bot's own storage folder.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from ..errors import InputError
from .common import add_config_option, add_json_option, format_table, load_config, print_json

ORDER = 14
TERMINAL_PERSON = 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "cases", help="your letters after sending: status, what happened, reply dates, calendar",
        description="Follow your letters up: where each one stands, record what happened "
                    "(sent, answered, refused, ...), and write a calendar of reply dates.")
    commands = parser.add_subparsers(dest="cases_command", metavar="ACTION")
    commands.required = True

    def common(sub: argparse.ArgumentParser, *, today: bool = True) -> None:
        add_config_option(sub)
        sub.add_argument("--person-id", type=int, default=TERMINAL_PERSON, metavar="ID",
                         help="whose cases (default: the terminal chat's person, 0)")
        if today:
            sub.add_argument("--today", type=_iso_date, default=None, metavar="YYYY-MM-DD",
                             help="the date to judge by (default: today)")

    listing = commands.add_parser("list", help="every letter with its status and next date")
    common(listing)
    add_json_option(listing)
    listing.set_defaults(func=run_list)

    show = commands.add_parser("show", help="one letter and its history")
    show.add_argument("reference")
    common(show)
    add_json_option(show)
    show.set_defaults(func=run_show)

    from ..cases.lifecycle import MARKS, MEDIA
    mark = commands.add_parser("mark", help="record what happened to a letter")
    mark.add_argument("reference")
    mark.add_argument("status", choices=MARKS)
    mark.add_argument("--date", type=_iso_date, default=None, metavar="YYYY-MM-DD",
                      help="when it happened (default: --today or today)")
    mark.add_argument("--medium", choices=MEDIA, default=None,
                      help="how it was sent (post adds days for the letter to arrive)")
    mark.add_argument("--reason", default=None, help="the company's reason, in a few words")
    common(mark)
    add_json_option(mark)
    mark.set_defaults(func=run_mark)

    nxt = commands.add_parser("letters", help="write the next letter for a letter: a follow-up "
                              "to the company, or a complaint to the body that enforces the law")
    nxt.add_argument("reference")
    nxt.add_argument("--out", type=Path, required=True, metavar="DIR")
    nxt.add_argument("--kind", choices=("followup", "complaint", "id-reply"), default=None,
                     help="which one (default: the first that applies: after a refusal the "
                          "complaint, after no answer the follow-up)")
    common(nxt)
    add_json_option(nxt)
    nxt.set_defaults(func=run_letters)

    export = commands.add_parser("export", help="write everything stored about your cases "
                                 "(letters, history, sender details) as one JSON file")
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    common(export, today=False)
    export.set_defaults(func=run_export)

    ics = commands.add_parser("ics", help="write the reply dates as a calendar file (.ics)")
    ics.add_argument("--out", type=Path, required=True, metavar="FILE")
    common(ics)
    ics.set_defaults(func=run_ics)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None


def _open(args: argparse.Namespace):
    from ..storage import Store
    config = load_config(args)
    return config, Store.from_config(config)


def _today(args: argparse.Namespace) -> date:
    return args.today or date.today()


def _json_letter(letter: dict, today: date) -> dict:
    from ..cases.lifecycle import view
    state = view(letter, today)
    return {"reference": letter["reference"], "company": letter["company"],
            "kind": letter["kind"], "status": state.status, "overdue": state.overdue,
            "sent": letter.get("sent"), "due": letter.get("due"),
            "history": letter.get("history", [])}


def run_list(args: argparse.Namespace) -> int:
    from ..cases import book
    from ..cases.lifecycle import view
    _, store = _open(args)
    with store:
        cases: dict[str, list[dict]] = {}
        for case_id, letter in book.letters(store, args.person_id):
            cases.setdefault(case_id, []).append(letter)
    today = _today(args)
    if args.json:
        print_json({"cases": [{"id": case_id, "letters": [_json_letter(l, today) for l in items]}
                              for case_id, items in cases.items()]})
        return 0
    if not cases:
        print("No letters are recorded for this person.")
        return 0
    rows = []
    for items in cases.values():
        for letter in items:
            state = view(letter, today)
            rows.append([letter["reference"], letter["company_name"], letter["kind"], state.label,
                         state.next_date.isoformat() if state.next_date else "-"])
    print(format_table(["reference", "company", "kind", "status", "next date"], rows))
    return 0


def run_show(args: argparse.Namespace) -> int:
    from ..cases import book
    from ..cases.lifecycle import view
    _, store = _open(args)
    with store:
        _, letter = book.find(store, args.person_id, args.reference)
    today = _today(args)
    if args.json:
        print_json(_json_letter(letter, today))
        return 0
    state = view(letter, today)
    print(f"{letter['company_name']}: {letter.get('kind_title') or letter['kind']}")
    print(f"reference: {letter['reference']}\nstatus:    {state.label}")
    if state.next_date:
        print(f"next date: {state.next_date.isoformat()}")
    print("history:")
    for entry in letter.get("history", []):
        extra = "  ".join(f"{k}={entry[k]}" for k in ("due", "medium", "reason") if entry.get(k))
        print(f"  {entry['on']}  {entry['status']}  {extra}".rstrip())
    return 0


def run_mark(args: argparse.Namespace) -> int:
    from ..cases import book, lifecycle
    from ..cases.deadlines import DeadlineCounter
    from ..letters.rules import load_rules
    config, store = _open(args)
    counter = DeadlineCounter(load_rules(), config.letters.deadline_days)
    on = args.date or _today(args)
    if on > _today(args):
        raise InputError(f"--date {on.isoformat()} is in the future")
    with store:
        letter = book.update(store, args.person_id, args.reference, lambda item: lifecycle.mark(
            item, args.status, on, due_from=counter.due_from,
            extended_from=counter.extended_from, medium=args.medium, reason=args.reason))
    if args.json:
        print_json(_json_letter(letter, _today(args)))
    else:
        state = lifecycle.view(letter, _today(args))
        print(f"{letter['reference']}: {state.label}"
              + (f"; next date {state.next_date.isoformat()}" if state.next_date else ""))
    return 0


def run_letters(args: argparse.Namespace) -> int:
    from ..cases import book, lifecycle
    from ..cases.escalation import NextLetterMaker, next_steps
    from ..files import write_atomic
    from ..letters.pipeline import LetterMaker
    config, store = _open(args)
    maker = LetterMaker.from_config(config)
    today = _today(args)
    with store:
        _, letter = book.find(store, args.person_id, args.reference)
        steps = next_steps(letter, today, maker.rules)
        if not steps:
            raise InputError(f"{args.reference}: no next letter is due: it is for a letter "
                             "that was refused, answered in part, or is past its reply date")
        kind = args.kind or steps[0]
        if kind not in steps:
            raise InputError(f"{args.reference}: a {kind} does not apply now "
                             f"(what applies: {', '.join(steps)})")
        made = NextLetterMaker(maker.rules, maker.templates, maker.seal).make(
            kind, letter, book.sender_of(store, args.person_id, args.reference), today)
        paths = {}
        for name, data in made.files():
            target = args.out / name
            try:
                args.out.mkdir(parents=True, exist_ok=True)
                write_atomic(target, data)
            except OSError as exc:
                raise InputError(f"cannot write {target}: {exc.strerror}") from None
            paths[name.rsplit(".", 1)[1]] = str(target)
        book.update(store, args.person_id, args.reference, lambda item: lifecycle.record_next(
            item, kind, today, made.due, made.recipient, made.document.reference,
            made.own_text))
    if args.json:
        print_json({"letters": [{"kind": kind, "recipient": made.recipient, **paths}]})
    else:
        print(f"wrote {paths['pdf']}: {kind} to {made.recipient}\n{made.how}"
              + (f"\nnote: {made.note}" if made.note else ""))
    return 0


def run_export(args: argparse.Namespace) -> int:
    import json
    from ..files import write_atomic
    _, store = _open(args)
    with store:
        cases = store.cases(args.person_id)
    data = json.dumps({"cases": cases}, ensure_ascii=False, indent=2).encode("utf-8")
    try:
        write_atomic(args.out, data)
    except OSError as exc:
        raise InputError(f"cannot write {args.out}: {exc.strerror}") from None
    letters = sum(len(case.get("letters", [])) for case in cases)
    print(f"wrote {args.out} ({len(cases)} case(s), {letters} letter(s))")
    return 0


def run_ics(args: argparse.Namespace) -> int:
    from ..cases import book
    from ..cases.calendar import calendar
    from ..files import write_atomic
    _, store = _open(args)
    with store:
        letters = [letter for _, letter in book.letters(store, args.person_id)]
    data = calendar(letters, _today(args))
    try:
        write_atomic(args.out, data)
    except OSError as exc:
        raise InputError(f"cannot write {args.out}: {exc.strerror}") from None
    print(f"wrote {args.out} ({data.count(b'BEGIN:VEVENT')} reply dates)")
    return 0
