"""Steps that collect what to check, run the check and show the results."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

from ..errors import InputError, PhotoError
from . import results, texts
from .io import Album, Output, Reply, Typing, Upload
from .reading import read_message
from .steps import Outputs, Step, Turn
from .form import campaign_joining
from .texts.campaign import JOIN_CONTINUE

MATCHES_PER_PAGE = 10


@dataclass(frozen=True)
class Added:
    """What one message added to the check."""
    new: int = 0               # references not on the list before
    repeated: int = 0          # already on the list: not counted again
    problems: tuple[str, ...] = ()
    understood: bool = False   # the message named anything at all

    def note(self) -> str:
        return texts.inputs_added(self.new, self.problems, self.repeated)


def add_text_inputs(turn: Turn, text: str, *, account: bool = False) -> Added:
    """Add the Flickr refs and image URLs a message names (see :mod:`.reading`)."""
    services, inputs = turn.services, turn.session.inputs
    reading = read_message(text, services.classify, account=account)
    new = repeated = 0
    problems = list(reading.problems)
    room = services.max_items - sum(len(v) for v in inputs.values())
    for kind, value in reading.found:
        bucket = inputs["flickr"] if kind == "flickr" else inputs["urls"]
        if value in bucket:
            repeated += 1
            continue
        if new >= room:
            problems.append(texts.TOO_MANY_ITEMS.format(limit=services.max_items))
            break
        bucket.append(value)
        new += 1
    return Added(new, repeated, tuple(problems), reading.understood)


_PICTURE_ENDINGS = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def picture_urls(result: dict | None) -> list[tuple[str, str]]:
    """(image URL, caption) of the matched photos whose picture the index links to (a
    dataset's image URL, not a photo page), once each."""
    seen: dict[str, str] = {}
    for match in results.matches(result):
        url = match.url or ""
        path = url.split("?", 1)[0].lower()
        if url.startswith("https://") or url.startswith("http://"):
            if path.endswith(_PICTURE_ENDINGS) and url not in seen:
                seen[url] = " ".join(filter(None, [match.dataset, match.photo_id]))
    return list(seen.items())


def run_check(turn: Turn, lead: str = "") -> Outputs:
    """Check everything collected so far, then show the results (``lead`` first)."""
    session = turn.session
    if not session.has_inputs():
        yield from turn.go("menu", texts.NOTHING_TO_CHECK)
        return
    yield Typing()
    for kind, payload in turn.services.check(session.inputs):
        if kind == "progress":
            yield Reply(payload, replace="check-progress")
            yield Typing()
        else:
            session.result = payload
    yield from turn.go("results", lead)


class Menu(Step):
    name = "menu"

    def prompt(self, turn: Turn) -> Outputs:
        yield Reply(texts.MENU, (
            (turn.btn(texts.MENU_ACCOUNT, "account"), turn.btn(texts.MENU_LINKS, "links")),
            (turn.btn(texts.MENU_PHOTOS, "photos"), turn.btn(texts.MENU_URLS, "urls")),
        ))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        target = {"account": "ask_account", "links": "ask_links", "photos": "ask_photos",
                  "urls": "ask_urls"}.get(action)
        if target is None:
            yield from super().on_press(turn, action, arg)
            return
        yield from turn.go(target)

    def on_text(self, turn: Turn, text: str) -> Outputs:
        # A shortcut: links or account IDs sent straight away are checked at once. A user
        # name needs "My Flickr account": a lone word here is as likely "hello" or "ok".
        added = add_text_inputs(turn, text)
        if not (added.new or added.repeated):
            yield from turn.reprompt(added.note() if added.understood else texts.NOT_UNDERSTOOD)
            return
        yield from run_check(turn, added.note() if added.problems or added.repeated else "")

    def on_upload(self, turn: Turn, upload: Upload) -> Outputs:
        turn.session.go("ask_photos")
        yield from turn.steps["ask_photos"].on_upload(turn, upload)


class AskText(Step):
    """Waits for Flickr account, Flickr links or image URLs, then checks."""

    question = ""
    account = False
    not_understood = texts.NOT_UNDERSTOOD

    def prompt(self, turn: Turn) -> Outputs:
        yield Reply(self.question, ((turn.btn(texts.BACK_TO_MENU, "back"),),))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        if action == "back":
            yield from turn.go("menu")
        else:
            yield from super().on_press(turn, action, arg)

    def on_text(self, turn: Turn, text: str) -> Outputs:
        added = add_text_inputs(turn, text, account=self.account)
        if not (added.new or added.repeated):
            yield from turn.reprompt(added.note() if added.understood else self.not_understood)
            return
        yield from run_check(turn, added.note() if added.problems or added.repeated else "")

    def on_upload(self, turn: Turn, upload: Upload) -> Outputs:
        turn.session.go("ask_photos")
        yield from turn.steps["ask_photos"].on_upload(turn, upload)


class AskAccount(AskText):
    name, question, account = "ask_account", texts.ASK_ACCOUNT, True
    not_understood = texts.NOT_UNDERSTOOD_ACCOUNT


class AskLinks(AskText):
    name, question = "ask_links", texts.ASK_LINKS


class AskUrls(AskText):
    name, question = "ask_urls", texts.ASK_URLS


class AskPhotos(Step):
    name = "ask_photos"

    def prompt(self, turn: Turn) -> Outputs:
        yield Reply(texts.ASK_PHOTOS, self._buttons(turn))

    def _buttons(self, turn: Turn):
        return ((turn.btn(texts.CHECK_NOW, "check"), turn.btn(texts.BACK_TO_MENU, "back")),)

    def on_upload(self, turn: Turn, upload: Upload) -> Outputs:
        session, services = turn.session, turn.services
        photos = session.inputs["photos"]
        problem = services.upload_problem(upload)
        if problem is None and len(photos) >= services.max_photos:
            problem = texts.TOO_MANY_ITEMS.format(limit=services.max_photos)
        if problem is None:
            try:
                hashes = services.hash_upload(upload.data or b"", len(photos) + 1)
            except (PhotoError, InputError) as exc:
                problem = texts.NOT_AN_IMAGE.format(reason=str(exc))
            else:
                if all(p["sha256"] != hashes["sha256"] for p in photos):
                    photos.append(hashes)
        if problem is not None:
            yield Reply(problem, self._buttons(turn))
            return
        # An album arrives as several uploads; answer its first item only.
        first_of_group = upload.group is None or session.data.get("last_group") != upload.group
        session.data["last_group"] = upload.group
        if first_of_group or len(photos) == 1:
            yield Reply(texts.photos_received(len(photos)), self._buttons(turn))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        if action == "check":
            yield from run_check(turn)
        elif action == "back":
            yield from turn.go("menu")
        else:
            yield from super().on_press(turn, action, arg)

    def on_text(self, turn: Turn, text: str) -> Outputs:
        added = add_text_inputs(turn, text)
        if added.new:
            yield Reply(added.note(), self._buttons(turn))
        else:
            yield from turn.reprompt(added.note() if added.understood else texts.NOT_UNDERSTOOD)


class Results(Step):
    name = "results"

    def prompt(self, turn: Turn) -> Outputs:
        result = turn.session.result
        groups = turn.services.describe_matches(result)
        issues = results.issues(result)
        nothing = results.nothing_checked(result)
        text = texts.results_summary(
            groups, turn.services.dataset_names(result["checked"] if result else []), issues, nothing)
        if result and result.get("dropped"):
            text += "\n\n" + texts.too_many_matches(results.count(result), result["dropped"])
        inputs = turn.session.inputs
        checked = texts.checked_what(len(inputs["flickr"]), len(inputs["urls"]), len(inputs["photos"]))
        text = f"{checked}\n\n{text}" if checked and not nothing else text
        buttons = []
        if campaign_joining(turn.session):   # a campaign re-checks at every run: join anyway
            buttons.append((turn.btn(JOIN_CONTINUE, "letters"),) + (
                (turn.btn(texts.LIST_PHOTOS, "list"),) if results.count(result) else ()))
        elif results.count(result):
            buttons.append((turn.btn(texts.WRITE_LETTERS, "letters"),
                            turn.btn(texts.LIST_PHOTOS, "list")))
        if picture_urls(result):
            buttons.append((turn.btn(texts.SHOW_PICTURES, "pictures"),))
        buttons.append((turn.btn(texts.CHECK_MORE, "more"), turn.btn(texts.START_OVER, "new")))
        yield Reply(text, tuple(buttons))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        found = results.count(turn.session.result)
        if action == "list" and found:
            yield from turn.go("matches")
        elif action == "pictures" and picture_urls(turn.session.result):
            pictures = picture_urls(turn.session.result)
            shown = pictures[:texts.MAX_PICTURES]
            yield Reply(texts.pictures_intro(len(shown), len(pictures)))
            yield Typing()
            yield Album(tuple(url for url, _ in shown), tuple(caption for _, caption in shown))
            yield from turn.reprompt()
        elif action == "letters":
            if not found and not campaign_joining(turn.session):
                yield from turn.reprompt(texts.NO_LETTERS_WITHOUT_MATCH)
            else:
                yield from turn.steps["shown"].begin(turn)  # type: ignore[attr-defined]
        elif action == "more":
            yield from turn.go("menu")
        elif action == "new":
            turn.session.clear_inputs()
            yield from turn.go("menu")
        else:
            yield from super().on_press(turn, action, arg)

    def on_text(self, turn: Turn, text: str) -> Outputs:
        yield from turn.steps["menu"].on_text(turn, text)

    def on_upload(self, turn: Turn, upload: Upload) -> Outputs:
        turn.session.go("ask_photos")
        yield from turn.steps["ask_photos"].on_upload(turn, upload)


class Matches(Step):
    """The matched photos, a page at a time."""

    name = "matches"

    def prompt(self, turn: Turn) -> Iterator[Output]:
        result = turn.session.result
        pages = max(1, math.ceil(results.count(result) / MATCHES_PER_PAGE))
        page = min(turn.session.page, pages - 1)
        chunk = results.matches(result, page * MATCHES_PER_PAGE, (page + 1) * MATCHES_PER_PAGE)
        rows = [turn.services.describe_match(m) for m in chunk]
        nav = []
        if page > 0:
            nav.append(turn.btn(texts.PREV_PAGE, "page", str(page - 1)))
        if page < pages - 1:
            nav.append(turn.btn(texts.NEXT_PAGE, "page", str(page + 1)))
        text = texts.matches_page(rows, page, pages)
        yield Reply(text, (tuple(nav), (turn.btn(texts.BACK_TO_RESULTS, "back"),)), edit=turn.pressed)

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        if action == "page" and arg.isascii() and arg.isdigit():
            turn.session.page = int(arg)
            yield from self.prompt(turn)
        elif action == "back":
            yield from turn.go("results")
        else:
            yield from super().on_press(turn, action, arg)


CHECKING_STEPS: tuple[Step, ...] = (Menu(), AskAccount(), AskLinks(), AskUrls(), AskPhotos(),
                                    Results(), Matches())
