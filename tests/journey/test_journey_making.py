"""Making the letters (issue 8, items 6 and 7): "Making your letters..." is said before the
work starts, long runs show progress, and a process that dies while making them tells the
person when it starts again and makes them on request."""

from __future__ import annotations

import threading

from bot.journey import services as services_module
from bot.journey import texts
from bot.journey.engine import Journey
from bot.journey.io import Command, Press, Reply, Typing
from tests.journey.chatting import TODAY, Chat, contact, letter_pdfs, said, step_now

SYNTHETIC_ACCOUNT_PHOTOS = ("9000000000006", "9000000000008", "1808093328")


def to_summary(chat: Chat) -> None:
    chat.start()
    chat.press("Flickr photo links")
    chat.text(" ".join(SYNTHETIC_ACCOUNT_PHOTOS))
    chat.press("Write letters")
    chat.press("I appear in them")
    chat.press("In all of them")
    chat.press("Illinois")
    chat.press("Same as where I live")
    contact(chat)
    chat.press("Done")
    chat.press("Preserve until resolved")
    assert step_now(chat) == "summary"


def test_making_is_said_before_the_work_starts(chat, services, monkeypatch):
    to_summary(chat)
    seen_before_work: list = []
    real = services.make_letters

    def watched(*args, **kwargs):
        seen_before_work.extend(chat_outputs)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "make_letters", watched)
    chat_outputs: list = []
    for output in chat.journey.handle(chat.user_id, Press(chat.buttons["Make my letters"])):
        chat_outputs.append(output)
    # the door had "Making your letters..." (and the typing indicator) in hand before
    # a single letter was made
    assert seen_before_work[:2] == [Reply(texts.MAKING_LETTERS), Typing()]
    assert letter_pdfs(chat_outputs)


def test_long_runs_show_progress_in_one_message(chat, monkeypatch):
    monkeypatch.setattr(services_module, "PROGRESS_EVERY", 0.0)
    to_summary(chat)
    out = chat.press("Make my letters")
    progress = [o for o in out if isinstance(o, Reply) and o.replace == "letters-progress"]
    assert progress, "no progress shown"
    assert all(o.text.startswith("Making your letters: ") for o in progress)
    done = [int(o.text.split(": ")[1].split(" of ")[0]) for o in progress]
    assert done == sorted(done) and len(set(done)) == len(done)
    total = int(progress[0].text.split(" of ")[1].split(" ")[0])
    assert total == len(letter_pdfs(out)) and max(done) < total
    # each progress message is followed by the typing indicator (the work goes on)
    for i, o in enumerate(out):
        if o in progress:
            assert isinstance(out[i + 1], Typing)


class _Killed(BaseException):
    """Ends the abandoned turn's thread after the test, without it saving anything."""


def _die_while_making(chat: Chat, services, monkeypatch) -> threading.Event:
    """Start making the letters, then stop as a killed process would: the work never
    returns, the turn never ends. Set the returned event to let its thread go."""
    release = threading.Event()
    making = threading.Event()

    def never_returns(*args, **kwargs):
        making.set()
        release.wait(60)
        raise _Killed

    monkeypatch.setattr(services, "make_letters", never_returns)
    press = Press(chat.buttons["Make my letters"])

    def run_turn() -> None:
        try:
            for _ in chat.journey.handle(chat.user_id, press):
                pass
        except _Killed:
            pass

    threading.Thread(target=run_turn, daemon=True).start()
    assert making.wait(30)
    return release


def test_a_restart_tells_the_person_and_makes_the_letters_on_request(chat, services, store,
                                                                     monkeypatch):
    to_summary(chat)
    release = _die_while_making(chat, services, monkeypatch)
    monkeypatch.undo()
    restarted = Journey(services, store, today=lambda: TODAY)
    notices = restarted.interrupted()
    assert [user for user, _ in notices] == [chat.user_id]
    told = said(notices[0][1])
    assert told.startswith(texts.LETTERS_INTERRUPTED) and "Please check before I make" in told
    assert restarted.interrupted() == []              # told once
    again = Chat(restarted, chat.user_id)
    again.buttons = {b.label: b.data for o in notices[0][1] if isinstance(o, Reply)
                     for row in o.buttons for b in row}
    pdfs = letter_pdfs(again.press("Make my letters"))
    assert pdfs and all("Ann Example" in text for text in pdfs.values())
    assert step_now(again) == "sent_when"
    release.set()


def test_without_a_start_up_notice_the_next_message_is_told(chat, services, store, monkeypatch):
    """The terminal chat has no start-up notice: the next input (its /resume) gets it."""
    to_summary(chat)
    release = _die_while_making(chat, services, monkeypatch)
    monkeypatch.undo()
    restarted = Chat(Journey(services, store, today=lambda: TODAY), chat.user_id)
    told = said(restarted.send(Command("resume")))
    assert told.startswith(texts.LETTERS_INTERRUPTED) and "Make my letters" in restarted.buttons
    assert texts.LETTERS_INTERRUPTED not in said(restarted.text("hello?"))   # told once only
    assert step_now(restarted) == "summary"
    release.set()


def test_an_unexpected_error_while_making_is_a_plain_message_and_loses_nothing(
        chat, services, monkeypatch):
    to_summary(chat)

    def explode(*args, **kwargs):
        raise ZeroDivisionError("internal detail with Ann Example in it")

    monkeypatch.setattr(services.letters, "make", explode)
    text = said(chat.press("Make my letters"))
    assert "I could not make your letters" in text and "something went wrong" in text
    assert "ZeroDivision" not in text and "internal detail" not in text
    assert step_now(chat) == "summary" and "Make my letters" in chat.buttons
    assert "making_letters" not in chat.journey.store.load_session(chat.user_id)
