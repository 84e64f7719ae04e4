"""The domain services the journey calls: check, describe, validate, make letters.

One object built from the config; the journey never imports the index, the
registry or the letter pipeline directly, so doors and tests get the whole
domain from :meth:`Services.from_config`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterator, Sequence

from ..cases.deadlines import DeadlineCounter
from ..cases.escalation import NextLetterMaker
from ..check import Checker, CheckRequest, HashedPhoto, Match
from ..companies import CompanyDirectory, load_directory
from ..config import Config
from ..errors import InputError, LetterError, PhotoError, ReferenceParseError, RightsbotError
from ..flickr.refs import parse_flickr_ref
from ..index.demo import fictional
from ..index.keys import normalise_url
from ..letters import person_file
from ..letters.model import Person
from ..letters.pipeline import LetterMaker, LettersOutcome
from ..letters.recipients import RecipientOption, recipient_options
from ..letters.pool import LetterPool
from ..letters.signature_image import prepare_signature_image
from ..photos import ImageHashes, hash_image, phash_hex, phash_from_hex
from ..regions import is_region
from ..registry import DatasetRegistry, load_registry
from . import results, texts
from .io import Upload
from .reading import address_lines

log = logging.getLogger(__name__)

MAX_ITEMS = 200            # Flickr refs + URLs kept for one check
MAX_PHOTOS = 50            # uploads kept for one check
PROGRESS_EVERY = 2.0       # seconds between progress messages (Telegram: ~1 message/s per chat)
# What the operator can do about an input the check could not (fully) do; logged,
# never said to the person (the journey tells them what to send instead).
OPERATOR_NOTES = {
    "needs-flickr-lookup": "check: a Flickr user name could not be looked up: set FLICKR_API_KEY",
    "owner-only": "check: an account was matched by owner only (no photo list): set FLICKR_API_KEY",
    "photos-not-indexed": "check: a photo could not be matched: no dataset in the index has "
                          "image fingerprints (rightsbot index hash-images)",
}


@dataclass
class Services:
    config: Config
    checker: Checker
    registry: DatasetRegistry
    directory: CompanyDirectory
    letters: LetterMaker
    max_items: int = MAX_ITEMS
    max_photos: int = MAX_PHOTOS
    zip_threshold: int | None = None    # bundle letters in one ZIP above this many (None: never)
    letter_pool: LetterPool | None = None   # make letters in worker processes (the bot)

    @classmethod
    def from_config(cls, config: Config) -> "Services":
        directory = load_directory()
        return cls(config=config, checker=Checker.from_config(config),
                   registry=load_registry(companies=directory), directory=directory,
                   letters=LetterMaker.from_config(config),
                   zip_threshold=config.telegram.zip_threshold)

    @property
    def retention_days(self) -> int:
        return self.config.storage.retention_days

    # -- what to check ---------------------------------------------------------------
    def classify(self, token: str) -> tuple[str, str, str | None]:
        """("flickr" | "url", the value to keep, a problem sentence or None)."""
        shown = token if len(token) <= 60 else token[:59] + "…"
        try:
            ref = parse_flickr_ref(token)
        except ReferenceParseError as exc:
            url = normalise_url(token) if token.lower().startswith(("http://", "https://", "www.")) else None
            if url is not None:
                return "url", url, None
            return "", "", f"{shown}: {exc}"
        return "flickr", ref.text, None

    def upload_problem(self, upload: Upload) -> str | None:
        """Why an upload cannot be used before even looking at it, or None."""
        limit = self.config.photos.max_bytes
        if upload.data is None or upload.size > limit:
            return texts.FILE_TOO_LARGE.format(size=_megabytes(upload.size), limit=_megabytes(limit))
        return None

    def hash_upload(self, data: bytes, number: int) -> dict[str, str]:
        """Hash an image in memory; only the hashes are returned (and kept): not
        the bytes, and not the file name, which can itself be personal."""
        photos = self.config.photos
        hashes = hash_image(data, max_bytes=photos.max_bytes, max_pixels=photos.max_pixels)
        return {"sha256": hashes.sha256, "md5": hashes.md5, "phash": phash_hex(hashes.phash),
                "name": f"photo {number}"}

    def check(self, inputs: dict[str, list]) -> Iterator[tuple[str, Any]]:
        """Run the check in a worker thread; yield ("progress", text) now and then
        and finally ("result", the result as JSON-safe dict)."""
        request = CheckRequest(
            flickr=tuple(inputs.get("flickr", ())), urls=tuple(inputs.get("urls", ())),
            hashed=tuple(HashedPhoto(p["name"], ImageHashes(p["sha256"], p["md5"],
                                                            phash_from_hex(p["phash"])))
                         for p in inputs.get("photos", ())))
        events: queue.Queue = queue.Queue()
        last = [0.0]

        def progress(label: str, done: int, total: int) -> None:
            now = time.monotonic()
            if label == "listing photos" and total and now - last[0] >= PROGRESS_EVERY:
                last[0] = now
                events.put(("progress", texts.account_progress(done, total)))

        def work() -> None:
            try:
                events.put(("result", self.checker.check(request, progress)))
            except BaseException as exc:  # handed to the journey's thread below
                events.put(("error", exc))

        worker = threading.Thread(target=work, name="check", daemon=True)
        worker.start()
        while True:
            kind, payload = events.get()
            if kind == "progress":
                yield kind, payload
            elif kind == "error":
                raise payload
            else:
                worker.join()
                for reason in sorted({i.reason for i in payload.issues} & OPERATOR_NOTES.keys()):
                    log.warning(OPERATOR_NOTES[reason])
                yield "result", results.encode(payload)
                return

    # -- describing results ---------------------------------------------------------------
    def dataset_names(self, slugs: Sequence[str]) -> list[str]:
        return [self.registry.get(s).name if s in self.registry else s for s in slugs]

    def describe_matches(self, result: dict) -> list[dict]:
        groups: dict[str, dict] = {}
        synthetic = self._synthetic()
        for m in results.matches(result):
            g = groups.get(m.dataset)
            if g is None:
                g = groups[m.dataset] = self._group(m.dataset)
                g["synthetic"] = m.dataset in synthetic
            g["count"] += 1
            if m.match not in g["kinds"]:
                g["kinds"].append(m.match)
            # a demo dataset may mix real rows (MegaFace's real list) with fictional ones:
            # the label says "synthetic" only when every match is a fictional one
            g["synthetic"] = g["synthetic"] and fictional(m)
        return list(groups.values())

    def _group(self, slug: str) -> dict:
        synthetic = slug in self._synthetic()
        if slug not in self.registry:
            return {"slug": slug, "name": slug, "creator": "unknown", "year": "?", "count": 0,
                    "kinds": [], "users": [], "synthetic": synthetic}
        dataset = self.registry.get(slug)
        users = [(self._company_name(u.company), u.strength) for u in dataset.users]
        creators = [self._company_name(c) for c in (dataset.creator, *dataset.co_creators)]
        return {"slug": slug, "name": dataset.name, "creator": " and ".join(creators),
                "year": dataset.year, "count": 0, "kinds": [], "users": users,
                "synthetic": synthetic}

    def _synthetic(self) -> set[str]:
        """Datasets in the index that are the bundled synthetic demo samples."""
        return {info.slug for info in self.checker.index.info() if "SYNTHETIC" in info.note}

    def _company_name(self, slug: str) -> str:
        return self.directory.get(slug).name if slug in self.directory else slug

    def describe_match(self, m: Match) -> str:
        """One line of the matched-photos list: dataset, the photo's link, how close."""
        parts = [self.dataset_names([m.dataset])[0]]
        if m.url:
            parts.append(m.url)
        elif m.photo_id:
            parts.append(f"Flickr photo {m.photo_id}")
        elif m.path:
            parts.append(f"the dataset's image {m.path}")
        if m.distance is not None:
            parts.append(f"similarity distance {m.distance}")
        return "- " + ", ".join(parts)

    def deadline_counter(self) -> DeadlineCounter:
        """Reply dates counted again when a letter is sent or extended (bot.cases)."""
        return DeadlineCounter(self.letters.rules, self.config.letters.deadline_days)

    def next_letters(self) -> NextLetterMaker:
        """Follow-ups and complaints, made and sealed like the letters (bot.cases)."""
        return NextLetterMaker(self.letters.rules, self.letters.templates, self.letters.seal)

    def kind_title(self, kind: str) -> str:
        """A letter kind as the person reads it ("Notice and demand under ..."), for /status."""
        rules = self.letters.rules
        return rules.get(rules.canonical(kind)).title if rules.known(kind) else "Letter"

    # -- the letter form ----------------------------------------------------------------------
    def is_region(self, code: str) -> bool:
        return is_region(code)

    def shown_datasets(self, form: dict | None, result: dict | None) -> list[str]:
        """The matched datasets the letters are about: where the person named the photos
        they (or their child) appear in, only the datasets of those photos."""
        form = form or {}
        picked = set(form.get("shown_photos", ())) if form.get("shown") != "not-me" else set()
        if not picked:
            return results.matched_datasets(result)
        return list(dict.fromkeys(m.dataset for m in results.matches(result)
                                  if m.photo_id in picked or m.url in picked))

    def recipient_options(self, result: dict | None, form: dict | None = None) -> list[RecipientOption]:
        """Every organisation that built or is reported to have used a matched dataset
        (of the photos picked in ``form``, if any), with whether it is selected by
        default (activist-only reports are not)."""
        if not result:
            return []
        return recipient_options(self.shown_datasets(form, result), self.registry, self.directory)

    def default_recipients(self, result: dict | None, form: dict | None = None) -> list[str]:
        return [o.slug for o in self.recipient_options(result, form) if o.default]

    def choice_cases(self, form: dict, result: dict | None) -> tuple[bool, list[str]]:
        """Whether to ask "destroy now or preserve" (a chosen recipient gets a letter under
        a law the person can sue under), and the pending court cases over those
        recipients' use of the data (which make preserving the default)."""
        if form.get("shown") not in ("me", "child") or not results.count(result):
            return False, []
        try:
            needed, cases = self.letters.choice_context(self.person(form, None, ()),
                                                        results.to_check_result(result))
        except (InputError, KeyError):
            return False, []
        return needed, list(cases)

    def pick_photos(self, text: str, matched: Sequence[str]) -> list[str]:
        """The matched photos a person names by ID or link; InputError for anything else."""
        picked: list[str] = []
        unknown: list[str] = []
        for token in text.replace(",", " ").split()[:MAX_ITEMS]:
            try:
                key = person_file.photo_key(token, "photo")
            except InputError:
                unknown.append(token)
                continue
            (picked if key in matched else unknown).append(key)
        if unknown or not picked:
            shown = ", ".join(t if len(t) <= 40 else t[:39] + "…" for t in unknown[:5])
            raise InputError(texts.NOT_MATCHED_PHOTOS.format(items=shown or "nothing"))
        return list(dict.fromkeys(picked))

    def person(self, form: dict, signature_image: bytes | None,
               flickr_inputs: Sequence[str]) -> Person:
        """The sender as the form describes them (KeyError while a field is missing)."""
        return Person(
            name=form["name"], address=tuple(form["address"]), email=form["email"],
            residence=form["residence"], uploaded_from=form.get("uploaded_from") or "unknown",
            signature=signature_image if form.get("signature") == "image" and signature_image else "typed",
            bipa_choice=form.get("bipa_choice") or "",
            companies=tuple(form.get("recipients", ())),
            flickr_accounts=person_file.flickr_accounts(tuple(flickr_inputs)),
            shown=form.get("shown", ""), shown_photos=tuple(form.get("shown_photos", ())),
            shown_some=bool(form.get("shown_some")), child_name=form.get("child_name", ""),
            kinds=tuple(form.get("kinds", ())))    # a campaign member's own letters only

    def preview(self, form: dict, result: dict | None, today: date) -> list[tuple[str, list[str]]]:
        """(organisation, [letter titles]) as the letters will be made."""
        if not results.count(result):
            return []
        return self.letters.preview(self.person(form, None, ()), results.to_check_result(result))

    # The form's answers are checked as the person file checks them, so what is accepted
    # lays out in every letter (limits: person_file.MAX_*). Where the answer has an
    # invisible character, one the letter font lacks, or is too wide for the letterhead,
    # the reply says so; otherwise it repeats the question's rules (texts.BAD_*).
    def clean_name(self, text: str) -> str:
        return _checked_name(text, "Your name", texts.BAD_NAME)

    def clean_child_name(self, text: str) -> str:
        """The child's name (the child_name step), checked as the person's own name."""
        return _checked_name(text, "Your child's name", texts.BAD_CHILD_NAME)

    def clean_address(self, text: str) -> list[str]:
        lines = address_lines(text)
        if not 2 <= len(lines) <= person_file.MAX_ADDRESS_LINES:
            raise InputError(texts.BAD_ADDRESS)
        out = []
        for number, line in enumerate(lines, start=1):
            try:
                out.append(person_file.clean_address_line(line))
            except person_file.FieldError as exc:
                raise InputError(exc.sentence(f"Line {number} of your address")
                                 if exc.kind in person_file.SAY_WHY else texts.BAD_ADDRESS) from None
            except InputError:
                raise InputError(texts.BAD_ADDRESS) from None
        return out

    def clean_email(self, text: str) -> str:
        try:
            return person_file.clean_email(text)
        except person_file.FieldError as exc:
            raise InputError(exc.sentence("Your email address")
                             if exc.kind in (*person_file.SAY_WHY, "length") else texts.BAD_EMAIL) from None
        except InputError:
            raise InputError(texts.BAD_EMAIL) from None

    def clean_signature_image(self, data: bytes) -> bytes:
        try:
            return prepare_signature_image(data).png
        except (InputError, PhotoError, RightsbotError) as exc:
            raise InputError(str(exc)) from None

    # -- letters ---------------------------------------------------------------------------------
    def make_letters(self, form: dict, signature_image: bytes | None, result: dict | None,
                     today: date, flickr_inputs: Sequence[str] = (),
                     progress: Callable[[int, int], None] | None = None) -> LettersOutcome | None:
        """The letters and cover sheet for the confirmed form (None without a match).
        ``flickr_inputs``: what the person gave as their own Flickr accounts and links
        (not the owners of every matched photo, who may be someone else)."""
        if not results.count(result):
            return None
        person = self.person(form, signature_image, flickr_inputs)
        maker = self.letter_pool or self.letters
        try:
            return maker.make(person, results.to_check_result(result), today, progress)
        except RightsbotError:
            raise
        except Exception as exc:   # a bug: its message may quote the person; never show it
            log.error("letters: unexpected %s (message withheld)\n%s", type(exc).__name__,
                      "".join(traceback.format_tb(exc.__traceback__)))
            raise LetterError("something went wrong on my side while making them.") from None

    def make_letters_steps(self, form: dict, signature_image: bytes | None, result: dict | None,
                           today: date, flickr_inputs: Sequence[str] = ()) -> Iterator[tuple[str, Any]]:
        """:meth:`make_letters` in a worker thread: yields ("progress", (done, total)) now
        and then (at most every PROGRESS_EVERY seconds), then ("result", the outcome)."""
        events: queue.Queue = queue.Queue()
        last = [time.monotonic()]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if done < total and now - last[0] >= PROGRESS_EVERY:
                last[0] = now
                events.put(("progress", (done, total)))

        def work() -> None:
            try:
                events.put(("result", self.make_letters(form, signature_image, result, today,
                                                        flickr_inputs, progress)))
            except BaseException as exc:  # handed to the journey's thread below
                events.put(("error", exc))

        worker = threading.Thread(target=work, name="letters", daemon=True)
        worker.start()
        while True:
            kind, payload = events.get()
            if kind == "error":
                worker.join()
                raise payload
            yield kind, payload
            if kind == "result":
                worker.join()
                return


def _checked_name(text: str, subject: str, bad: str) -> str:
    try:
        name = person_file.clean_name(text)
    except person_file.FieldError as exc:
        raise InputError(exc.sentence(subject) if exc.kind in person_file.SAY_WHY else bad) from None
    except InputError:
        raise InputError(bad) from None
    if len(name) < 2 or not any(ch.isalpha() for ch in name):
        raise InputError(bad)
    return name


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"
