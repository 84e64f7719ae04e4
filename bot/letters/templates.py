"""Letter templates (jinja2) rendered into the blocks of a LetterDocument.

Templates live in ``templates/<language>/<kind>.txt.j2`` (partials start with
an underscore). A user folder (``[letters] templates_dir``) overrides bundled
files of the same name, either in ``<dir>/<language>/`` or directly in
``<dir>/`` (a Jinja ``ChoiceLoader``, as Datasette does it).

A template writes plain text with a few line markers, at the start of a line
in the template source (leading spaces allowed)::

    = Subject line                 (exactly one)
    ! A notice shown at the top    (e.g. "not legal advice")
    # A heading
    - A bullet item (indented lines that follow continue it; so for = ! ~)
    @exhibit                       (where the table of matched photos goes)
    ~ Closing words ("Yours faithfully,")
    Any other text: paragraphs, separated by blank lines.

The markers are turned into a control character when the template *source* is
loaded; values from a person (names, addresses, notes) are passed as variables,
never pasted into template source, and are cleaned of control characters and
line breaks before rendering. So a name like ``<b>Ann</b> {{ x }}`` or one that
starts with ``- `` prints literally and can never open a block of its own.
Rendering is sandboxed and strict: an undefined variable is an error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Mapping

import jinja2
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import LetterError
from ..resources import TEMPLATES_DIR
from .model import Block, Bullets, Heading, Paragraph, Table

MARK = "\x01"   # a control character: clean_inline() removes it from values, so they cannot forge it
_MARKERS = {"=": "subject", "!": "notice", "#": "heading", "-": "bullet", "~": "closing"}
_SOURCE_MARKER = re.compile(r"^([ \t]*)([=!#~-]) ", re.MULTILINE)
_SOURCE_EXHIBIT = re.compile(r"^[ \t]*@exhibit[ \t]*$", re.MULTILINE)
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


class BlockMarkup(Extension):
    """Turns the line markers of a template's source into control characters."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        source = _SOURCE_EXHIBIT.sub(MARK + "@", source)
        return _SOURCE_MARKER.sub(lambda m: m.group(1) + MARK + m.group(2), source)


def clean_inline(value: str) -> str:
    """A person's value made safe for one line of a letter: line breaks, tabs and
    other control characters become spaces or vanish; bidi overrides vanish."""
    out = []
    for ch in value.replace("\r\n", "\n"):
        if ch in "\r\n\t\v\f\x85\u2028\u2029":
            out.append(" ")
        elif ch in _BIDI_CONTROLS or unicodedata.category(ch) == "Cc":
            continue
        else:
            out.append(ch)
    return "".join(out)


def clean_context(value: Any) -> Any:
    """Deep copy of a template context with every string cleaned (clean_inline)."""
    if isinstance(value, str):
        return clean_inline(value)
    if isinstance(value, Mapping):
        return {str(k): clean_context(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_context(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, date)):
        return value
    raise TypeError(f"template context cannot hold {type(value).__name__}")


def long_date(value: date) -> str:
    """26 November 2026 — day, month name, year: unambiguous everywhere."""
    return f"{value.day} {value.strftime('%B')} {value.year}"


@dataclass(frozen=True)
class RenderedLetter:
    subject: str
    notices: tuple[str, ...]
    blocks: tuple[Block, ...]
    closing: str


def end_sentence(value: Any) -> str:
    """``value`` ending a sentence: a full stop added unless it already ends with one
    ("Joe Example Jr." stays as it is, not "Jr..")."""
    text = str(value)
    return text if text.rstrip().endswith(".") else text + "."


class LetterTemplates:
    """The templates of one language, bundled ones overridden by a user folder."""

    def __init__(self, language: str = "en", user_dir: Path | None = None,
                 bundled_dir: Path | None = None) -> None:
        if not re.fullmatch(r"[a-z]{2,3}(?:-[A-Z]{2})?", language):
            raise LetterError(f"letters.language: {language!r} is not a language code like \"en\"")
        bundled = (bundled_dir or TEMPLATES_DIR) / language
        loaders: list[jinja2.BaseLoader] = []
        if user_dir is not None:
            if not user_dir.is_dir():
                raise LetterError(f"letters.templates_dir: {user_dir} is not a folder")
            loaders += [jinja2.FileSystemLoader(user_dir / language), jinja2.FileSystemLoader(user_dir)]
        if not bundled.is_dir():
            raise LetterError(f"no letter templates for language {language!r}")
        loaders.append(jinja2.FileSystemLoader(bundled))
        self.language = language
        self.env = ImmutableSandboxedEnvironment(
            loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
            autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
            extensions=[BlockMarkup])
        self.env.filters["longdate"] = long_date
        self.env.filters["sentence"] = end_sentence

    def render(self, kind: str, context: Mapping[str, Any], exhibit: Table | None) -> RenderedLetter:
        """Render ``<kind>.txt.j2`` with ``context`` (cleaned here) into blocks."""
        name = f"{kind}.txt.j2"
        try:
            template = self.env.get_template(name)
            text = template.render(clean_context(context))
        except jinja2.TemplateNotFound:
            raise LetterError(f"no template {self.language}/{name} for letter kind {kind!r}") from None
        except jinja2.UndefinedError as exc:
            raise LetterError(f"template {self.language}/{name}: {exc.message}") from None
        except jinja2.TemplateSyntaxError as exc:
            raise LetterError(f"template {exc.name or name} line {exc.lineno}: {exc.message}") from None
        except jinja2.TemplateError as exc:
            raise LetterError(f"template {self.language}/{name}: {exc}") from None
        return parse_blocks(text, exhibit, name)


def parse_blocks(text: str, exhibit: Table | None, name: str = "template") -> RenderedLetter:
    """Split rendered template text into subject, notices, blocks and closing."""
    subject: list[str] = []
    notices: list[str] = []
    closing: list[str] = []
    blocks: list[Block] = []
    paragraph: list[str] = []
    bullets: list[str] = []
    last: list[str] | None = None   # the item continuation lines extend

    def flush() -> None:
        nonlocal paragraph, bullets
        if paragraph:
            blocks.append(Paragraph(_join(paragraph)))
            paragraph = []
        if bullets:
            blocks.append(Bullets(tuple(bullets)))
            bullets = []

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            last = None
            continue
        if not line.startswith(MARK):
            indented = raw[:1] in (" ", "\t")
            if indented and last is not None and last is not paragraph and last:
                last[-1] = _join([last[-1], line])   # an indented line continues an item
            else:
                if bullets:
                    flush()
                paragraph.append(line)
                last = paragraph
            continue
        code, body = line[1:2], line[2:].strip()
        if code == "@":
            flush()
            if exhibit is not None:
                blocks.append(exhibit)
            last = None
            continue
        kind = _MARKERS[code]
        if kind == "bullet":
            if paragraph:
                flush()
            bullets.append(body)
            last = bullets
            continue
        flush()
        if kind == "heading":
            blocks.append(Heading(body))
            last = None
        else:
            target = {"subject": subject, "notice": notices, "closing": closing}[kind]
            target.append(body)
            last = target
    flush()
    if len(subject) != 1 or not subject[0]:
        raise LetterError(f"template {name}: needs exactly one subject line (a line starting with '= ')")
    if not blocks:
        raise LetterError(f"template {name}: renders no text")
    return RenderedLetter(subject[0], tuple(notices), tuple(blocks), " ".join(closing) or "Sincerely,")


def _join(parts: list[str]) -> str:
    return " ".join(p for p in parts if p)
