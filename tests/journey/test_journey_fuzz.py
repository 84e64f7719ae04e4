"""Whatever a person sends, in whatever order, the journey answers and never breaks.

Random sequences of commands, texts (including markup, template syntax,
control characters, huge strings), button presses (current, stale and forged)
and uploads (images, garbage, oversized) are fed to the real journey; every
input must get at least one message, no exception may escape, and the stored
session must stay loadable JSON.
"""

from __future__ import annotations

import json
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.journey.engine import Journey
from bot.journey.io import Command, Press, Reply, Text, Unsupported, Upload
from tests.imaging import jpeg_bytes, make_photo
from tests.journey.chatting import Chat

PHOTO = jpeg_bytes(make_photo(7, size=(400, 300)))
TEXTS = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["1808093328", "99990001@N99", "https://www.flickr.com/photos/99990001@N99/",
                     "Illinois", "CA", "Germany", "Ann Example", "ann@example.org",
                     "12 Main St, Springfield, IL", "{{ 7*7 }}", "{% raw %}", "<b>x</b>",
                     "=HYPERLINK(\"x\")", "\u202e\u0000", "/start", "/forget", "/status",
                     "x" * 5000, "janedoe", "flic.kr/p/7Afjsu", "../../etc/passwd",
                     "7539756", "9000000000008 1808093328", "https://www.flickr.com/photo.gne?id=7539788",
                     "Lea Example", "{{ x }} 7539756", "<i>1808093328</i>", "all of them"]))
BUTTON = st.tuples(st.just("button"), st.integers(min_value=0, max_value=30))
ACTIONS = st.one_of(
    BUTTON, BUTTON, BUTTON, BUTTON, BUTTON,       # pressing what is on screen, mostly
    st.tuples(st.just("text"), TEXTS), st.tuples(st.just("text"), TEXTS),
    st.tuples(st.just("command"), st.sampled_from(
        ["start", "help", "privacy", "cancel", "status", "forget", "resume", "nonsense"])),
    st.tuples(st.just("forged"), st.text(min_size=1, max_size=64)),
    st.tuples(st.just("upload"), st.sampled_from(["photo", "garbage", "huge", "empty"])),
    st.tuples(st.just("unsupported"), st.sampled_from(["sticker", "voice", "location"])),
)


def act(chat: Chat, action: tuple) -> list:
    kind, value = action
    if kind == "text":
        return chat.send(Text(value))
    if kind == "command":
        return chat.send(Command(value))
    if kind == "button":
        labels = list(chat.buttons) or ["-"]
        data = chat.buttons.get(labels[value % len(labels)], "1:x")
        return chat.send(Press(data))
    if kind == "forged":
        return chat.send(Press(value))
    if kind == "unsupported":
        return chat.send(Unsupported(value))
    data = {"photo": PHOTO, "garbage": b"\x00garbage" * 10, "empty": b"", "huge": None}[value]
    return chat.send(Upload(data, 10**9 if data is None else len(data), "x.jpg", "image/jpeg"))


# Where a run starts: the photos checked and the answers given before the random inputs.
# "several photos" stands at "all of them or some?", "picking" at "which photos?";
# "choice" at destroy-or-preserve with Google (Vance v. Google pending) among the recipients.
FORM = (("press", "Illinois"), ("press", "Same as where I live"), ("text", "Ann Example"),
        ("text", "1 Main St, Springfield, IL"), ("text", "ann@example.org"),
        ("press", "Typed signature"), ("press", "Done"))
STARTS = {
    "welcome": None, "menu": (),
    "shown": (("1808093328",), ()),
    "several photos": (("1808093328", "7539756", "9000000000008"), (("press", "I appear"),)),
    "picking": (("1808093328", "7539756", "9000000000008"),
                (("press", "I appear"), ("press", "I'll say which"))),
    "child's name": (("1808093328",), (("press", "My child"),)),
    "not shown": (("1808093328", "7539756"), (("press", "I only took"),)),
    "choice": (("9000000000008",), (("press", "I appear"), *FORM)),
    "summary": (("1808093328",), (("press", "I appear"), *FORM, ("press", "Destroy now"))),
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.sampled_from(list(STARTS)), actions=st.lists(ACTIONS, min_size=1, max_size=40))
def test_every_input_is_answered_and_nothing_breaks(services, store, start, actions):
    user = 77_000 + abs(hash((start, *map(str, actions)))) % 1_000_000
    journey = Journey(services, store, today=lambda: date(2026, 11, 26))
    chat = Chat(journey, user_id=user)
    if STARTS[start] is not None:
        chat.start()
    if STARTS[start]:
        photos, answers = STARTS[start]
        chat.press("Flickr photo links")
        chat.text("\n".join(photos))
        chat.press("Write letters")
        for kind, value in answers:
            chat.press(value) if kind == "press" else chat.text(value)
    for action in actions:
        out = act(chat, action)
        assert any(isinstance(o, Reply) for o in out), action
        assert all(len(o.text) > 0 for o in out if isinstance(o, Reply))
        stored = store.load_session(user)
        assert stored is None or stored["step"] in journey.steps
    stored = store.load_session(user)
    if stored is not None:
        json.dumps(stored)
    store.forget(user)
