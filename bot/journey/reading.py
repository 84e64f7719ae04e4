"""What a message names: Flickr references and image links in what a person typed.

People write sentences ("my photos are on flickr i think? can you check"), not
lists, and a sentence's words must never become Flickr user names to look up
and then "accounts concerned" in a letter. So only what looks like a reference
counts:

- links (``https://…``, ``www.…``, ``flickr.com/photos/…``, ``flic.kr/p/…``);
- account IDs (NSIDs, ``12345678@N00``);
- bare numbers as photo IDs, when the message is nothing but references (in a
  sentence a short number is a count or a year; six digits or more still count);
- a Flickr user name only where the person was asked for their account, and
  only when the message is a name (at most three words, no question).

Anything else is prose: ignored next to references, and "not understood" alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

Classify = Callable[[str], "tuple[str, str, str | None]"]

MAX_USERNAME_WORDS = 3
MIN_PHOTO_ID_IN_PROSE = 6          # digits of a number taken as a photo ID inside a sentence

_NSID = re.compile(r"\d{3,14}@N\d{2}", re.IGNORECASE)
_DIGITS = re.compile(r"\d{1,25}")
_HOSTISH = re.compile(r"[^\s/]+\.[A-Za-z]{2,}(?:[/?#].*)?")
_EDGES = "\"'`()[]{}<>.,;:!?\u201c\u201d\u2018\u2019\u00ab\u00bb"
_QUESTION = re.compile(r"[?!]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{1,30}:[^\s:]")     # javascript:…, data:…, file:…


@dataclass
class Reading:
    """What one message gave: values to check, plain problems, and whether it had any
    reference at all (``understood``: False means "I didn't understand")."""
    found: list[tuple[str, str]] = field(default_factory=list)   # (kind, value) to check
    problems: list[str] = field(default_factory=list)
    understood: bool = False


def token_kind(token: str) -> str:
    """"link", "nsid", "number" or "word" for one whitespace-separated token."""
    bare = token.strip(_EDGES)
    lowered = bare.lower()
    if not bare:
        return "word"
    if "://" in lowered or lowered.startswith("www.") or _SCHEME.match(bare) or (
            _HOSTISH.fullmatch(bare) and ("/" in bare or lowered.startswith(("flickr.", "flic.kr")))):
        return "link"
    if _NSID.fullmatch(bare):
        return "nsid"
    if _DIGITS.fullmatch(bare):
        return "number"
    return "word"


def read_message(text: str, classify: Classify, *, account: bool = False) -> Reading:
    """The references in ``text``; ``classify`` sorts one of them (services.classify).

    With ``account``, the person was asked for their Flickr account, so a short
    message of words alone is taken as a user name."""
    reading = Reading()
    tokens = text.split()
    kinds = [token_kind(t) for t in tokens]
    prose = "word" in kinds
    if account and tokens and all(k == "word" for k in kinds):
        if len(tokens) <= MAX_USERNAME_WORDS and not _QUESTION.search(text):
            _take(reading, classify, text.strip())
        return reading
    for token, kind in zip(tokens, kinds):
        if kind == "word":
            continue
        if kind == "number" and prose and len(token.strip(_EDGES)) < MIN_PHOTO_ID_IN_PROSE:
            continue
        _take(reading, classify, token)
    return reading


def _take(reading: Reading, classify: Classify, token: str) -> None:
    reading.understood = True
    kind, value, problem = classify(token)
    if problem:
        reading.problems.append(problem)
    else:
        reading.found.append((kind, value))


# -- addresses typed on one line -----------------------------------------------------------

_STATE_CODES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP "
    "AB BC MB NB NL NS NT NU ON PE QC SK YT".split())
_ZIP = re.compile(r"\d{5}(?:-\d{4})?|[A-Z]\d[A-Z]\s?\d[A-Z]\d")
_STATE_AND_ZIP = re.compile(r"([A-Z]{2})(?:\s+(?:\d{5}(?:-\d{4})?|[A-Z]\d[A-Z]\s?\d[A-Z]\d))?")


def _state_part(part: str) -> bool:
    """"IL", "IL 62701", "ON M5V 2T6": the end of a North American city line."""
    found = _STATE_AND_ZIP.fullmatch(part)
    return bool(found) and found.group(1) in _STATE_CODES


def address_lines(text: str) -> list[str]:
    """The lines of a postal address as typed: one per line, or on one line with commas
    between the parts, where a US state or Canadian province code and its postcode stay
    on the city's line ("12 Main St, Springfield, IL 62701, USA" -> 3 lines, not 4)."""
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]
    if len(lines) != 1 or "," not in lines[0]:
        return lines
    parts = [part.strip() for part in lines[0].split(",") if part.strip()]
    joined: list[str] = []
    for part in parts:
        if len(joined) >= 2 and _state_part(part) and not _state_part(joined[-1]):
            joined[-1] = f"{joined[-1]}, {part}"            # Springfield, IL 62701
        elif joined and _ZIP.fullmatch(part) and _state_part(joined[-1].rsplit(", ", 1)[-1]):
            joined[-1] = f"{joined[-1]} {part}"             # Seattle, WA, 98101
        else:
            joined.append(part)
    return joined
