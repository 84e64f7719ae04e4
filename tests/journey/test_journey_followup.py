"""Following the letters up in the chat (issue 10): when they were sent, /status with a
card per letter, recording what a company answered, reminders whose buttons work on
any later day, the calendar file, and the terminal chat showing what is due."""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar

from bot.journey.engine import Journey
from bot.journey.io import Command, Document, Press
from tests.journey.chatting import TODAY, USER, Chat, contact, said, step_now

PIPA_PHOTO = "1808093328"


def deliver(chat: Chat) -> None:
    chat.start()
    chat.press("Flickr photo links")
    chat.text(PIPA_PHOTO)
    chat.press("Write letters")
    chat.press("I appear in them")
    chat.press("Illinois")
    chat.press("Same as where I live")
    contact(chat)
    chat.press("Done")
    chat.press("Preserve until resolved")
    chat.press("Make my letters")
    assert step_now(chat) == "sent_when"


def letters(store) -> list[dict]:
    return [item for case in store.cases(USER) for item in case["letters"]]


def test_another_sending_day_by_post_counts_from_that_day(chat, store):
    deliver(chat)
    before = {item["reference"]: item["due"] for item in letters(store)}
    chat.press("On another day")
    assert "couldn't read that as a date" in said(chat.text("last tuesday"))
    assert "couldn't read that as a date" in said(chat.text("2026-11-01"))   # before they were made
    noted = said(chat.text("26.11.2026, by post"))
    assert "Noted: 2 letters sent on 2026-11-26" in noted and step_now(chat) == "delivered"
    for item in letters(store):
        assert item["status"] == "sent" and item["medium"] == "post"
        assert item["due"] > before[item["reference"]]        # + the days the post takes


def test_each_company_can_have_its_own_sending_day_and_medium(chat, store):
    deliver(chat)
    first = said(chat.press("A different day for each company"))
    assert "Company 1 of 2: Meta (Facebook)" in first
    second = said(chat.press("Today, by post"))
    assert "Company 2 of 2: UC Berkeley" in second
    chat.press("On another day")
    assert "couldn't read that as a date" in said(chat.text("tomorrow"))    # asked again
    assert step_now(chat) == "sent_when"
    noted = said(chat.text("2026-11-25"))     # before the delivery day: refused, asked again
    assert "couldn't read that as a date" in noted
    noted = said(chat.text("2026-11-26 by email"))
    assert "Noted. Replies are due:" in noted and "- Meta (Facebook) (sent 2026-11-26)" in noted
    assert step_now(chat) == "delivered"
    by_company = {item["company"]: item for item in letters(store)}
    assert by_company["meta"]["medium"] == "post" and by_company["meta"]["status"] == "sent"
    assert all(item["status"] == "sent" for item in letters(store))
    assert {item["medium"] for item in letters(store) if item["company"] != "meta"} == {"email"}


def test_a_company_not_sent_yet_stays_drafted_and_is_named(chat, store):
    deliver(chat)
    chat.press("A different day for each company")
    chat.press("Not yet")
    noted = said(chat.press("Today, by email or web form"))
    assert "Not sent yet: Meta (Facebook)" in noted
    statuses = {item["company"]: item["status"] for item in letters(store)}
    assert statuses["meta"] == "drafted" and "sent" in statuses.values()


def test_status_card_and_a_refusal_lead_to_the_escalation(chat, store):
    deliver(chat)
    chat.press("Today, by email or web form")
    status = said(chat.command("status"))
    assert "Meta (Facebook): Notice and demand under the Illinois Biometric" in status
    assert "sent, waiting for a reply" in status
    card = said(chat.press("Update: Meta"))
    assert "So far:" in card and "- 2026-11-26: made" in card and "- 2026-11-26: sent" in card
    answer = said(chat.press("They refused"))
    assert "they refused" in answer.lower() and "lawyer licensed in Illinois" in answer
    meta = next(item for item in letters(store) if item["company"] == "meta")
    assert meta["status"] == "refused" and [h["status"] for h in meta["history"]] == [
        "drafted", "sent", "refused"]


def test_another_channel_is_guidance_then_sending_again_restarts_the_clock(chat, store):
    deliver(chat)
    chat.press("Today, by email or web form")
    chat.command("status")
    chat.press("Update: Meta")
    guidance = said(chat.press("They want another channel"))
    assert "send the same letter again that way" in guidance and "not legal advice" in guidance
    meta = next(item for item in letters(store) if item["company"] == "meta")
    assert meta["status"] == "sent" and len(meta["history"]) == 2       # nothing recorded yet
    chat.press("I sent it today")
    meta = next(item for item in letters(store) if item["company"] == "meta")
    assert [h["status"] for h in meta["history"]] == ["drafted", "sent", "sent"]


def test_an_id_request_gets_guidance_that_asks_for_no_id_document(chat):
    deliver(chat)
    chat.press("Today, by post")
    chat.command("status")
    chat.press("Update: UC Berkeley")
    text = said(chat.press("They want ID"))
    assert "only for what it reasonably needs" in text and "identity document" in text
    out = chat.press("Make my reply to them")
    (pdf, _) = [o for o in out if isinstance(o, Document)]
    assert pdf.filename.startswith("id-reply-") and "Your reply" in pdf.caption


def test_reminder_buttons_work_days_later_at_any_step(chat, journey, store):
    deliver(chat)
    chat.press("Today, by email or web form")
    due = min(date.fromisoformat(item["due"]) for item in letters(store))
    reminders = journey.due_reminders(due)
    assert reminders and "is due today" in reminders[0].reply.text
    chat.press("Check more")                      # the person is somewhere else entirely
    buttons = {b.label: b.data for row in reminders[0].reply.buttons for b in row}
    text = said(chat.send(Press(buttons["They confirmed receipt"])))
    assert "confirmed receipt" in text and step_now(chat) == "menu"
    reference = reminders[0].reference
    item = next(i for i in letters(store) if i["reference"] == reference)
    assert item["status"] == "acknowledged"


def test_the_calendar_comes_from_status(chat):
    deliver(chat)
    chat.press("Today, by email or web form")
    chat.command("status")
    out = chat.press("Calendar file")
    (document,) = [o for o in out if isinstance(o, Document)]
    assert document.filename.endswith(".ics")
    events = Calendar.from_ical(document.data).walk("VEVENT")
    assert len(events) == 2 and all(e.decoded("dtstart") > TODAY for e in events)


def test_the_terminal_chat_shows_what_is_due_when_it_starts(services, store):
    terminal = Chat(Journey(services, store, today=lambda: TODAY, reminders=False))
    deliver(terminal)
    terminal.press("Today, by email or web form")
    due = min(date.fromisoformat(item["due"]) for item in letters(store))
    later = Chat(Journey(services, store, today=lambda: due - timedelta(days=2), reminders=False))
    shown = said(later.send(Command("resume")))
    assert shown.startswith("Coming up or overdue:") and "Welcome back" in shown
    overdue = Chat(Journey(services, store, today=lambda: due + timedelta(days=1), reminders=False))
    assert "overdue since" in said(overdue.send(Command("resume")))


def test_a_refusal_in_california_leads_to_a_complaint_pdf(chat, store):
    import io
    from pypdf import PdfReader
    chat.start()
    chat.press("Flickr photo links")
    chat.text(PIPA_PHOTO)
    chat.press("Write letters")
    chat.press("I appear in them")
    chat.press("California")
    chat.press("Same as where I live")
    contact(chat, address="1 Pine St\nLos Angeles, CA 90012\nUSA")
    chat.press("Done")
    if step_now(chat) == "bipa_choice":
        chat.press("Destroy now")
    chat.press("Make my letters")
    chat.press("Today, by email or web form")
    chat.command("status")
    chat.press("Update: Meta")
    refused = said(chat.press("They refused"))
    assert "California Privacy Protection Agency" in refused
    assert {"Make a complaint", "Make a follow-up letter"} <= set(chat.buttons)
    out = chat.press("Make a complaint")
    (pdf, eml) = [o for o in out if isinstance(o, Document)]
    assert pdf.filename.startswith("complaint-") and eml.filename.endswith(".eml")
    assert "California Privacy Protection Agency" in pdf.caption and "not legal advice" in pdf.caption
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "California Privacy Protection Agency" in text and "Meta (Facebook) declined" in text
    assert "Ann Example" in text and "California Consumer Privacy Act" in text
    meta = next(item for item in letters(store) if item["company"] == "meta")
    assert meta["status"] == "escalated" and meta["history"][-1]["status"] == "escalated"
    assert "not due" in said(chat.send(Press(chat.buttons["Make a follow-up letter"])))


def test_the_reminder_time_zone_can_be_changed_from_status(chat, store):
    deliver(chat)
    chat.press("Today, by email or web form")
    status = chat.command("status")
    assert "Reminder time zone: America/Chicago" in chat.buttons
    asked = said(chat.press("Reminder time zone"))
    assert "between 9:00 and 20:00 in America/Chicago" in asked
    assert "don't know that time zone" in said(chat.text("Gotham"))
    done = said(chat.text("Europe/Berlin"))
    assert "now come between 9:00 and 20:00 in Europe/Berlin" in done
    assert all(case["tz"] == "Europe/Berlin" for case in store.cases(USER))
    assert step_now(chat) == "delivered" and status
