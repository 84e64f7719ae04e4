"""Texts of the commands, the welcome, privacy and help, and the generic answers."""

from __future__ import annotations

from datetime import date
from typing import Iterable, Sequence

# -- commands (name, short description) shown in Telegram's menu and /help --
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Start or restart the check"),
    ("status", "Your letters and their reply deadlines"),
    ("privacy", "What is stored, and for how long"),
    ("help", "How this bot works"),
    ("cancel", "Stop the current step"),
    ("forget", "Delete everything about you"),
)


def welcome(retention_days: int) -> str:
    return (
        "Hello! I help you find out whether your photos were put into face-recognition "
        "training datasets, such as IBM's \"Diversity in Faces\", MegaFace or PIPA, "
        "which were built from Flickr photos. If they were, I write the letters that ask "
        "the companies involved to stop using and delete what they derived from your face.\n\n"
        "What I store: only after you agree, the Flickr names and links you send, the "
        "results, and, if you ask for letters, your name, postal address, email, where you "
        "live and each letter's reply deadline. I delete it all "
        f"{retention_days} days after your last activity or your last deadline, "
        "and /forget deletes it at any time.\n\n"
        "Photos you send are turned into a short fingerprint (a hash) in memory and thrown "
        "away. I never keep them and I never analyse faces.\n\n"
        "I am not a lawyer, and this is not legal advice."
    )


AGREE = "I agree, let's start"
PRIVACY_BUTTON = "What exactly is stored?"
NOT_YET_AGREED = "Before we start, please read this and choose \"I agree\" if you are happy with it."


def privacy(retention_days: int) -> str:
    return (
        "Privacy\n\n"
        "- Photos you upload are read into memory, hashed (SHA-256, MD5 and a perceptual "
        "hash that survives recompression) and discarded. They are never written to disk.\n"
        "- I never detect, measure or compare faces. Matching uses Flickr photo IDs, account "
        "IDs, image addresses and file hashes from the datasets' own published lists.\n"
        "- After you agree, I keep: what you asked me to check, the results, and, for "
        "letters, your name, postal address, email, where you live and where you uploaded "
        "from, and a copy of each letter's text (to enclose with a follow-up or a complaint). "
        "A photo of your signature is kept only until your letters are made.\n"
        "- Your letters are sent to you, here. I do not send anything to any company.\n"
        f"- Everything is deleted {retention_days} days after your last activity or your "
        "last letter's deadline, whichever is later; I tell you a week before, with a "
        "button to keep your records.\n"
        "- /forget deletes everything about you at once.\n"
        "- Logs contain only your Telegram id, never your name, address or messages."
    )


def help_text(reminders: bool = True) -> str:
    """``reminders``: the door can send reminders (Telegram); the terminal chat cannot."""
    lines = ["How this works:",
             "1. Tell me how to find your photos: your Flickr account, Flickr photo links, "
             "the photos themselves, or image links.",
             "2. I look them up in the lists of photos published for known face datasets.",
             "3. If there is a match, I write a letter to each company that built or is "
             "reported to have used that dataset, as PDF files you sign and send yourself.",
             "4. I remind you when a company's reply is due." if reminders else
             "4. /status shows when each company's reply is due (I can't remind you while this "
             "chat is closed).", "", "Commands:"]
    lines += [f"/{name} - {description}" for name, description in COMMANDS]
    lines += ["", "This is not legal advice. For advice about your situation, talk to a lawyer."]
    return "\n".join(lines)


# -- generic answers ---------------------------------------------------------------
CANCELLED = "Stopped. Nothing you entered is lost."
STALE_BUTTON = "That button belongs to an earlier message. Here is where we are now:"
UNEXPECTED_UPLOAD = "I wasn't expecting a file here."
UNEXPECTED_TEXT = "I didn't understand that here."
UNSUPPORTED = "I can only read text, photos and image files."
FILE_TOO_LARGE = "That file is too large ({size}); the limit is {limit}."
NOT_AN_IMAGE = "I couldn't read that as an image: {reason}"
PRIVATE_ONLY = ("I only work in a private chat, so nobody else sees what you send me. "
                "Open a chat with me and send /start.")
SOMETHING_WRONG = "Sorry, something went wrong on my side. Your progress is saved; please try again."
