"""Texts of delivering the letters, /status, /forget and reminders."""

from __future__ import annotations

from datetime import date
from typing import Callable, Iterable, Sequence

# -- delivery -----------------------------------------------------------------
MAKING_LETTERS = "Making your letters... This can take a little while with many companies."


def letters_progress(done: int, total: int) -> str:
    return f"Making your letters: {done} of {total} done..."


LETTERS_INTERRUPTED = ("Your letters were not finished: I stopped while making them (a restart "
                       "on my side). Nothing you entered is lost. Check the details below and "
                       "choose \"Make my letters\" to make them again.")


def delivered(count: int, zipped: bool, reminders: bool = True) -> str:
    later = (" I will remind you when replies are due." if reminders else
             " Run the chat again and send /status to see when replies are due: I can't remind "
             "you while it is closed.")
    how = "in one ZIP file" if zipped else "above"
    return (f"Your {count} letter{'s are' if count != 1 else ' is'} {how}, after your cover sheet: "
            "for each, a PDF to print or attach and an .eml email draft you can open in your mail "
            "program. The cover sheet says how to send each one. Read each letter before sending, "
            "sign the printed copies if you post them, and keep proof of sending." + later + "\n\n"
            "This is not legal advice. For advice about your situation, talk to a lawyer.")


def delivered_next() -> str:
    return "What next? You can check more photos, or see your letters and their deadlines."


STATUS_BUTTON = "My letters"
COVER_CAPTION = ("Your cover sheet: read it first. It is for you, not for sending: how to send each "
                 "letter, what to check and keep, and the risks.")
EML_CAPTION = "Email draft: open it in your mail program, check it, then send."
CSV_CAPTION = ("The complete list of matched photos that the letter refers to: send it with "
               "the letter.")
TXT_CAPTION = "The letter as plain text, to paste into the company's privacy web form."


def letter_caption(company: str, kind_title: str, due: date) -> str:
    return f"{kind_title} to {company}. Reply due {due.isoformat()}."


def zip_caption(count: int) -> str:
    return f"Your {count} letters (PDF) and email drafts (.eml)."


NO_LETTERS_MADE = "No letter applies to these companies from what you told me."
LETTERS_FAILED = "I could not make your letters: {reason} Nothing you entered is lost; choose \"Make my letters\" to try again."

# -- status, forget, reminders -----------------------------------------------------
NO_CASES = "You have no saved letters. Send /start to check your photos."


CONFIRM_FORGET = ("This deletes everything I keep about you: what you checked, the results, "
                  "your name, address, email and your saved letters and reminders. Letters you "
                  "already downloaded stay with you. Delete everything?")
FORGET_YES = "Yes, delete everything"
FORGET_NO = "No, keep it"
FORGET_KEPT = "Nothing was deleted."


def forgotten(counts: dict[str, int]) -> str:
    parts = [f"{n} {kind[:-1] if n == 1 and kind.endswith('s') else kind}"
             for kind, n in counts.items() if n]
    what = ", ".join(parts) if parts else "nothing was stored"
    return f"Done. Deleted: {what}. I no longer know anything about you. Send /start to begin again."


WELCOME_BACK = "Welcome back. Here is where we stopped:"
