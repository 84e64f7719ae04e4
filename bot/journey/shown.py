"""Who appears in the photos: the first question of the letter form.

The law protects the person shown, not the uploader (BIPA §15(b), GDPR Art.
4(1)), so before any letter the journey asks: "I appear in them", "my child
appears in them" (the person writes as parent or guardian), or "I only took or
uploaded them" (a plain request, no biometric claim). Where the person appears
in some of several photos, they can say which ones (IDs or links of matched
photos) or just "some of them". A parent may give the child's name.
"""

from __future__ import annotations

from ..errors import InputError
from . import results, texts
from .form import advance, drop_choice
from .io import Reply
from .steps import Outputs, Step, Turn, with_lead

MAX_PICKED = 200


def matched_photos(turn: Turn) -> list[str]:
    """The distinct matched photos (Flickr IDs, or the link where there is no ID)."""
    seen: dict[str, None] = {}
    for match in results.matches(turn.session.result):
        key = match.photo_id or match.url or match.path
        if key:
            seen.setdefault(key, None)
    return list(seen)


class ShownStep(Step):
    name = "shown"

    def begin(self, turn: Turn) -> Outputs:
        turn.session.data["return_to"] = None
        turn.session.form.pop("recipients", None)   # chosen for an earlier check, if any
        turn.session.form.pop("kinds", None)        # a campaign member's own letters only
        yield from turn.go("shown")

    def prompt(self, turn: Turn) -> Outputs:
        yield Reply(texts.ASK_SHOWN, ((turn.btn(texts.SHOWN_ME, "set", "me"),),
                                      (turn.btn(texts.SHOWN_CHILD, "set", "child"),),
                                      (turn.btn(texts.SHOWN_NOT_ME, "set", "not-me"),)))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        if action != "set" or arg not in ("me", "child", "not-me"):
            yield from super().on_press(turn, action, arg)
            return
        form = turn.session.form
        form["shown"] = arg
        for key in ("shown_photos", "shown_some", "child_name"):
            form.pop(key, None)
        if arg == "not-me":
            drop_choice(form)
            yield from advance(turn, "shown", texts.NOT_SHOWN_NOTE)
        elif len(matched_photos(turn)) > 1:
            yield from turn.go("shown_scope")
        elif arg == "child":
            yield from turn.go("child_name")
        else:
            yield from advance(turn, "shown")


class ShownScopeStep(Step):
    """All of the matched photos, or only some (say which, or not)."""

    name = "shown_scope"

    def prompt(self, turn: Turn) -> Outputs:
        who = texts.SHOWN_WHO[turn.session.form.get("shown", "me")]
        yield Reply(texts.ask_shown_scope(who, len(matched_photos(turn))),
                    ((turn.btn(texts.SHOWN_ALL, "all"),), (turn.btn(texts.SHOWN_PICK, "pick"),),
                     (turn.btn(texts.SHOWN_SOME, "some"),)))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        form = turn.session.form
        if action == "all":
            form.pop("shown_photos", None)
            form.pop("shown_some", None)
            yield from _after_scope(turn)
        elif action == "some":
            form.pop("shown_photos", None)
            form["shown_some"] = True
            yield from _after_scope(turn)
        elif action == "pick":
            yield from turn.go("shown_pick")
        else:
            yield from super().on_press(turn, action, arg)


class ShownPickStep(Step):
    """The person sends the IDs or links of the photos they (or their child) appear in."""

    name = "shown_pick"

    def prompt(self, turn: Turn) -> Outputs:
        listed = matched_photos(turn)[:10]
        yield Reply(texts.ask_shown_pick(listed), ((turn.btn(texts.SHOWN_SOME, "some"),),
                                                   (turn.btn(texts.BACK, "back"),)))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        if action == "some":
            turn.session.form.pop("shown_photos", None)
            turn.session.form["shown_some"] = True
            yield from _after_scope(turn)
        elif action == "back":
            yield from turn.go("shown_scope")
        else:
            yield from super().on_press(turn, action, arg)

    def on_text(self, turn: Turn, text: str) -> Outputs:
        try:
            picked = turn.services.pick_photos(text, matched_photos(turn))
        except InputError as exc:
            yield from with_lead(self.prompt(turn), str(exc))
            return
        form = turn.session.form
        form["shown_photos"] = picked[:MAX_PICKED]
        form.pop("shown_some", None)
        yield from _after_scope(turn, texts.picked(len(form["shown_photos"])))


class ChildNameStep(Step):
    name = "child_name"

    def prompt(self, turn: Turn) -> Outputs:
        yield Reply(texts.ASK_CHILD_NAME, ((turn.btn(texts.CHILD_NAME_SKIP, "skip"),),))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        if action == "skip":
            turn.session.form["child_name"] = ""
            yield from advance(turn, "shown")
        else:
            yield from super().on_press(turn, action, arg)

    def on_text(self, turn: Turn, text: str) -> Outputs:
        try:
            name = turn.services.clean_child_name(text)
        except InputError as exc:    # it says what is wrong, and with whose name
            yield Reply(str(exc), ((turn.btn(texts.CHILD_NAME_SKIP, "skip"),),))
            return
        turn.session.form["child_name"] = name
        yield from advance(turn, "shown")


def _after_scope(turn: Turn, lead: str = "") -> Outputs:
    if turn.session.form.get("shown") == "child":
        yield from turn.go("child_name", lead)
    else:
        yield from advance(turn, "shown", lead)


SHOWN_STEPS: tuple[Step, ...] = (ShownStep(), ShownScopeStep(), ShownPickStep(), ChildNameStep())
