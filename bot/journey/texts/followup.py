"""Texts of following the letters up: when they were sent, /status, what the company
answered, reminders and the calendar."""

from __future__ import annotations

from datetime import date
from typing import Sequence

ASK_SENT = ("When do you send them? I count each company's reply date from the day you "
            "send its letter (by post, a few days later, for the time the letter takes).")
SENT_TODAY_EMAIL = "Today, by email or web form"
SENT_TODAY_POST = "Today, by post"
SENT_OTHER_DAY = "On another day"
SENT_NOT_YET = "Not yet"
ASK_SENT_DATE = ("On which day did you send them? Type the date, like 2026-11-30 or 30.11.2026; "
                 "add \"post\" if you posted them (like: 30.11.2026 post).")
BAD_SENT_DATE = ("I couldn't read that as a date between the day the letters were made and "
                 "today. Type it like 2026-11-30 or 30.11.2026.")
NOT_SENT_YET = ("All right. When you send them, open /status and choose the letter, so I "
                "count its reply date from that day.")
SENT_EACH = "A different day for each company"


def ask_sent_company(company: str, letters: int, number: int, companies: int) -> str:
    them = "it" if letters == 1 else f"its {letters} letters"
    return (f"Company {number} of {companies}: {company}. When do you send {them}?")


ASK_SENT_DATE_ONE = ("On which day did you send it? Type the date, like 2026-11-30 or "
                     "30.11.2026; add \"post\" if you posted it (like: 30.11.2026 post).")


def sent_each_noted(dues: Sequence[tuple[str, date, date]], later: Sequence[str]) -> str:
    lines = ["Noted. Replies are due:"] if dues else []
    lines += [f"- {company} (sent {sent.isoformat()}): {due.isoformat()}"
              for company, sent, due in dues]
    if later:
        lines.append("Not sent yet: " + ", ".join(later) + ". When you send them, open /status "
                     "and choose the letter.")
    return "\n".join(lines)


def sent_noted(count: int, on: date, dues: Sequence[tuple[str, date]]) -> str:
    lines = [f"Noted: {count} letter{'s' if count != 1 else ''} sent on {on.isoformat()}. "
             "Replies are due:"]
    lines += [f"- {company}: {due.isoformat()}" for company, due in dues]
    return "\n".join(lines)


# -- /status and one letter ------------------------------------------------------------
STATUS_HEAD = "Your letters:"
CALENDAR_BUTTON = "Calendar file (.ics)"
ZONE_BUTTON = "Reminder time zone: {zone}"


def ask_zone(zone: str) -> str:
    return (f"Your reminders come between 9:00 and 20:00 in {zone}. To change that, type a time "
            "zone, like Europe/Berlin, America/Chicago or Asia/Tokyo.")


def zone_set(zone: str) -> str:
    return f"Noted: your reminders now come between 9:00 and 20:00 in {zone}."
NOT_YET_NEXT = ("That next step is not due for this letter now: it is for a letter the company "
                "refused, answered in part, or left unanswered past its reply date.")
CALENDAR_CAPTION = ("Your letters' reply dates, for your calendar app: one event per letter, "
                    "with a reminder the day before.")
NO_OPEN_LETTERS = "None of your letters is waiting for anything: nothing to put in a calendar."


def status_line(company: str, title: str, reference: str, label: str, next_date: date | None) -> str:
    when = f"; next: {next_date.isoformat()}" if next_date and "overdue" not in label else ""
    return f"- {company}: {title} (ref {reference}): {label}{when}"


def update_button(company: str) -> str:
    return f"Update: {company}"


def letter_card(company: str, title: str, reference: str, label: str, history: Sequence[dict]) -> str:
    lines = [f"{title} to {company}", f"Reference: {reference}", f"Now: {label}", "", "So far:"]
    for entry in history:
        extra = ", ".join(str(entry[k]) for k in ("medium", "reason") if entry.get(k))
        due = f" (reply due {entry['due']})" if entry.get("due") else ""
        lines.append(f"- {entry['on']}: {ACTION_WORDS.get(entry['status'], entry['status'])}{due}"
                     + (f" ({extra})" if extra else ""))
    lines += ["", "What happened?"]
    return "\n".join(lines)


ACTION_WORDS = {"drafted": "made", "sent": "sent", "acknowledged": "they confirmed receipt",
                "extended": "they extended their deadline", "asked-id": "they asked for ID or more information",
                "partly": "they answered in part", "refused": "they refused",
                "complied": "they complied", "escalated": "complaint made", "closed": "closed"}
BUTTONS = {"sent": "I sent it today", "acknowledged": "They confirmed receipt",
           "complied": "They complied", "refused": "They refused", "asked-id": "They want ID",
           "nothing": "They say they have nothing", "extended": "They extended the deadline",
           "channel": "They want another channel",
           "closed": "Close this letter", "followup": "Make a follow-up letter",
           "complaint": "Make a complaint", "id-reply": "Make my reply to them"}


def next_letter_made(kind: str, recipient: str, how: str, note: str, due: date) -> str:
    what = {"followup": "Your follow-up letter", "id-reply": "Your reply"}.get(kind, "Your complaint")
    text = f"{what} to {recipient} is below, as a PDF and an email draft. {how}"
    if kind in ("followup", "id-reply"):
        text += f" It asks for a reply by {due.isoformat()}; I will count from that date."
    if note:
        text += f"\n\n{note}"
    return text + "\n\nRead it before sending. This is not legal advice."

AFTER = {
    "acknowledged": "Noted: they confirmed receipt. The reply date stays {due}.",
    "extended": "Noted: they extended their deadline. The reply is now due {due}.",
    "complied": ("Good. Ask them to confirm in writing that the data is deleted (or kept only as "
                 "your letter asked) and that they told anyone they shared it with. Keep their "
                 "answer. Then close the letter."),
    "asked-id": ("A company may ask only for what it reasonably needs to be sure the request is "
                 "yours, and it should tell you why. Offer the least that does it: reply from the "
                 "email address the letter gives, or show that you control the Flickr account the "
                 "letter names (for example by adding a code they send you to its profile). Do not "
                 "send a copy of an identity document unless they explain why the law requires "
                 "it. Their deadline usually waits until they have what they need."),
    "channel": ("They asked you to use their own channel (a web form, a privacy email or a "
                "postal address). The simplest way on is to send the same letter again that "
                "way, keep proof of sending, and press \"I sent it today\" here: the reply date "
                "then counts from that day. Some laws let a company name how requests reach it "
                "(Colorado: C.R.S. §6-1-1306(1)). This is not legal advice."),
    "nothing": ("Ask them how they searched: which names, email addresses, photo IDs and "
                "datasets they looked for, and whether they checked models or copies made from "
                "the data. If their answer satisfies you, close the letter."),
    "refused": "Noted: they refused. What you can do next: {escalation}",
    "next": "What you can do next:",
    "sent": "Noted: sent today. The reply is due {due}.",
    "closed": "Closed. It stays in /status until everything is deleted.",
    "partly": "Noted: they answered in part. Ask again for what is missing, in writing.",
}


# -- reminders ----------------------------------------------------------------------------
def reminder(key: str, company: str, reference: str, due: date, escalation: str) -> str:
    if key == "nudge":
        text = (f"Have you sent your letter to {company} (ref {reference})? When you do, tell "
                "me, so I count the reply date from that day.")
    elif key == "before":
        text = (f"{company}'s reply to your letter {reference} is due on {due.isoformat()}, in a "
                "few days.")
    elif key == "due":
        text = f"{company}'s reply to your letter {reference} is due today ({due.isoformat()})."
    else:
        text = (f"{company}'s reply to your letter {reference} was due on {due.isoformat()}. "
                "If they have not answered, you can send a follow-up letter (I make it for you)."
                + (f" What else you can do: {escalation}" if escalation else ""))
    return text + "\n\nWhat happened? This is not legal advice."


def due_summary(lines: Sequence[str]) -> str:
    return "Coming up or overdue:\n" + "\n".join(lines) + "\n\nSend /status to update a letter."


# -- retention ----------------------------------------------------------------------------
def retention_notice(deletion: date, cases: int, days: int) -> str:
    what = (f"your letters' records ({cases} deliver{'y' if cases == 1 else 'ies'}), their "
            "history and your saved details" if cases else "your saved progress and details")
    return (f"On {deletion.isoformat()} I will delete {what}, as promised: nothing has "
            f"happened here for a while. If you still need them (a company has not answered "
            f"yet, or you may escalate), press \"Keep\" and I keep them for another {days} "
            "days. Otherwise you need not do anything; /forget deletes everything now.")


KEEP_BUTTON = "Keep my records"
FORGET_NOW_BUTTON = "Delete everything now"


def kept(until: date) -> str:
    return (f"Kept. I will delete them on {until.isoformat()} unless you use the bot again "
            "before then; I will tell you a week ahead.")
