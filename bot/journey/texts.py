"""Every sentence the journey says, in one place, ready for translation.

Plain text only (no HTML or Markdown), so names and links a person sends can
never turn into markup. Functions build the messages that carry data.
"""

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
NOT_YET_AGREED = "Before we start, please read this and tap \"I agree\" if you are happy with it."


def privacy(retention_days: int) -> str:
    return (
        "Privacy\n\n"
        "- Photos you upload are read into memory, hashed (SHA-256, MD5 and a perceptual "
        "hash that survives recompression) and discarded. They are never written to disk.\n"
        "- I never detect, measure or compare faces. Matching uses Flickr photo IDs, account "
        "IDs, image addresses and file hashes from the datasets' own published lists.\n"
        "- After you agree, I keep: what you asked me to check, the results, and, for "
        "letters, your name, postal address, email, where you live and where you uploaded "
        "from. A photo of your signature is kept only until your letters are made.\n"
        "- Your letters are sent to you, here. I do not send anything to any company.\n"
        f"- Everything is deleted {retention_days} days after your last activity or your "
        "last letter's deadline, whichever is later.\n"
        "- /forget deletes everything about you at once.\n"
        "- Logs contain only your Telegram id, never your name, address or messages."
    )


def help_text() -> str:
    lines = ["How this works:",
             "1. Tell me how to find your photos: your Flickr account, Flickr photo links, "
             "the photos themselves, or image links.",
             "2. I look them up in the lists of photos published for known face datasets.",
             "3. If there is a match, I write a letter to each company that built or is "
             "reported to have used that dataset, as PDF files you sign and send yourself.",
             "4. I remind you when a company's reply is due.", "", "Commands:"]
    lines += [f"/{name} - {description}" for name, description in COMMANDS]
    lines += ["", "This is not legal advice. For advice about your situation, talk to a lawyer."]
    return "\n".join(lines)


# -- choosing what to check -----------------------------------------------
MENU = ("How would you like to check?\n\n"
        "You can also just send me a Flickr link, your Flickr user name, or a photo.")
MENU_ACCOUNT = "My Flickr account"
MENU_LINKS = "Flickr photo links"
MENU_PHOTOS = "Upload photos"
MENU_URLS = "Image links (URLs)"

ASK_ACCOUNT = ("Send your Flickr account: your user name, your profile link "
               "(like flickr.com/photos/janedoe) or your NSID (like 12345678@N00).")
ASK_LINKS = ("Send one or more Flickr photo links, one per line "
             "(like flickr.com/photos/janedoe/1808093328 or flic.kr/p/7Afjsu).")
ASK_PHOTOS = ("Send the photos you want to check: as photos or, better, as files "
              "(files arrive unchanged, so exact matches are possible). You can send several "
              "at once. Tap \"Check now\" when you are done.")
ASK_URLS = "Send one or more image links (URLs), one per line."
CHECK_NOW = "Check now"
BACK_TO_MENU = "Back"


def photos_received(count: int) -> str:
    noun = "photo" if count == 1 else "photos"
    return (f"Got it: {count} {noun} ready to check so far. Send more, or tap \"Check now\". "
            "The photos themselves are already gone; I kept only their fingerprints.")


def checked_what(flickr: int, urls: int, photos: int) -> str:
    """"Checked: 2 Flickr links or accounts, 3 photos." for the results."""
    parts = [(flickr, "Flickr link or account", "Flickr links or accounts"),
             (urls, "image link", "image links"), (photos, "photo", "photos")]
    said = [f"{n} {one if n == 1 else many}" for n, one, many in parts if n]
    return "Checked: " + ", ".join(said) + "." if said else ""


def inputs_added(added: int, problems: Sequence[str]) -> str:
    text = f"Added {added} item{'s' if added != 1 else ''} to check." if added else ""
    if problems:
        text += ("\n\n" if text else "") + "I could not use:\n" + "\n".join(f"- {p}" for p in problems)
    return text


NOTHING_TO_CHECK = "There is nothing to check yet. Send a Flickr link, user name, photo or image link."
TOO_MANY_ITEMS = "That is more than I can take at once; I used the first {limit}."


def account_progress(done: int, total: int) -> str:
    return f"Looked through {done} of {total} public photos of that account..."


# -- results ----------------------------------------------------------------
MATCH_KINDS = {
    "flickr-photo": "by Flickr photo ID",
    "flickr-owner": "by Flickr account",
    "url": "by image address",
    "file-hash": "by exact file",
    "perceptual": "by image similarity",
}
STRENGTHS = {
    "court-record": "court record",
    "press": "press report",
    "activist": "activist research",
    "self-reported": "the company's own statement",
    "creator-publication": "the dataset creators' publication",
}


def results_summary(groups: Sequence[dict], checked: Sequence[str], problems: Sequence[str]) -> str:
    """``groups``: one dict per matched dataset with name, creator, year, count,
    kinds (list of match kinds), users (list of (company name, strength))."""
    lines: list[str] = []
    if groups:
        total = sum(g["count"] for g in groups)
        lines.append(f"Found {total} match{'es' if total != 1 else ''} in {len(groups)} "
                     f"dataset{'s' if len(groups) != 1 else ''}:")
        for g in groups:
            how = ", ".join(MATCH_KINDS.get(k, k) for k in g["kinds"])
            lines += ["", f"{g['name']}: {g['count']} photo{'s' if g['count'] != 1 else ''} ({how})",
                      f"Built by {g['creator']} ({g['year']})."]
            if g.get("synthetic"):
                lines.append("(This is the demo's synthetic sample with fictional IDs, not the real "
                             "dataset.)")
            if g["users"]:
                reported = "; ".join(f"{name} ({STRENGTHS.get(s, s)})" for name, s in g["users"])
                lines.append(f"Reported to have used it: {reported}.")
        lines += ["", "These are reports and allegations, not findings that anyone broke the law."]
    else:
        lines.append("No match in the datasets I hold.")
        lines += ["", miss_note(checked)]
    if problems:
        lines += ["", "Some of what you sent could not be checked fully:"] + [f"- {p}" for p in problems]
    return "\n".join(lines)


def too_many_matches(kept: int, dropped: int) -> str:
    return (f"That is more than I can keep: I kept the first {kept:,} matches; {dropped:,} more "
            "were found. Letters list the ones kept; check again in parts (photo links) for the rest.")


def miss_note(checked: Sequence[str]) -> str:
    names = ", ".join(checked) if checked else "none"
    return ("What a miss does not prove: I can only search the datasets whose published lists I "
            f"hold ({names}). Some datasets were handed out on request only, so my copy may be "
            "partial, and others (like LAION) list web addresses rather than Flickr photos. "
            "Photos sent through Telegram are recompressed, so they only match datasets whose "
            "images I could fingerprint.")


LIST_PHOTOS = "Show matched photos"
WRITE_LETTERS = "Write letters"
CHECK_MORE = "Check more"
START_OVER = "Check something else"
PREV_PAGE = "< Previous"
NEXT_PAGE = "Next >"
BACK_TO_RESULTS = "Back to results"


def matches_page(rows: Sequence[str], page: int, pages: int) -> str:
    return f"Matched photos (page {page + 1} of {pages}):\n\n" + "\n".join(rows)


NO_LETTERS_WITHOUT_MATCH = ("I can only write letters about a dataset your photos were found in. "
                            "Try checking more of your photos or links.")

# -- the letter form ----------------------------------------------------------
ASK_SHOWN = ("First: who appears in these photos? The privacy laws protect the person shown in a "
             "photo, not the person who took or uploaded it, so the letters depend on it.")
SHOWN_ME = "I appear in them"
SHOWN_CHILD = "My child (under 18) appears in them"
SHOWN_NOT_ME = "I only took or uploaded them"
SHOWN_WHO = {"me": "you", "child": "your child", "not-me": "you"}
NOT_SHOWN_NOTE = ("Noted. Your letters will ask the companies to stop using and delete the photos "
                  "you took or uploaded, without claims about face data, which only the people "
                  "shown can make. With your letters you get a short text to pass on to them.")
SHOWN_ALL = "In all of them"
SHOWN_PICK = "In some: I'll say which"
SHOWN_SOME = "In some, I won't pick"
BACK = "Back"
ASK_CHILD_NAME = ("What is your child's name? It goes into the letters so the companies know "
                  "whose data you ask about. You can also leave it out.")
CHILD_NAME_SKIP = "Leave the name out"
BAD_CHILD_NAME = ("Please send your child's name as plain text, between 2 and 100 characters, "
                  "or tap \"Leave the name out\".")


def ask_shown_scope(who: str, count: int) -> str:
    verb = "Do" if who == "you" else "Does"
    every = "both" if count == 2 else f"all {count}"
    return (f"{verb} {who} appear in {every} matched photos, or only in some of them? "
            "The letters then list only those photos.")


def ask_shown_pick(examples: Sequence[str]) -> str:
    return ("Send the photo IDs or links of the photos, one per line or separated by spaces. "
            "Matched photos include: " + ", ".join(examples) + ". (\"Show matched photos\" on the "
            "results lists them all.)")


NOT_MATCHED_PHOTOS = ("I can only use photo IDs or links of matched photos, and I could not use: "
                      "{items}. Send them again, or tap a button.")


def picked(count: int) -> str:
    return f"Noted: {count} photo{'s' if count != 1 else ''}."



ASK_RESIDENCE = ("Where do you live? The letters depend on it "
                 "(Illinois, for example, has its own biometric privacy law).")
ASK_UPLOADED_FROM = ("Where did you upload these photos from (where you lived at the time)? "
                     "Courts have looked at this too.")
SAME_AS_RESIDENCE = "Same as where I live now"
OTHER_US_STATE = "Other US state"
EU_EEA = "EU / EEA country"
ELSEWHERE = "Somewhere else"
ASK_US_STATE = "Which US state? Tap it, or type its name."
ASK_DE_STATE = ("Which German state (Land)? Its data protection authority is the one you can "
                "complain to, and the letters name it. Tap it, or type its name.")
NO_LAND = "I'd rather not say"
ASK_COUNTRY = "Which country? Type its name (for example: Germany, Brazil, Canada)."
UNKNOWN_REGION = ("I don't know that place. Type a US state (like Illinois or IL) or a country "
                  "(like Germany or DE), or use the buttons.")
def noted(place: str) -> str:
    return f"Noted: {place}."


SIGNATURE_RECEIVED = "Signature received."
ASK_NAME = "What is your full name, as it should appear on the letters?"
BAD_NAME = "Please send your name as plain text, between 2 and 100 characters."
ASK_ADDRESS = ("What is your postal address? Send it in one message, one line per line "
               "(street, city, postcode, country), or on one line with commas between the parts. "
               "Companies use it to identify you and to reply.")
BAD_ADDRESS = ("Please send your address as 2 to 6 lines of plain text, each at most 80 characters, "
               "in one message.")
ASK_EMAIL = "What email address should companies reply to?"
BAD_EMAIL = ("That doesn't look like an email address. Please send it again, like "
             "ann@example.org.")
ASK_SIGNATURE = ("How do you want to sign? A typed signature (\"/s/ Your Name\") is accepted in "
                 "many places; you can also send a photo of your handwritten signature on white paper.")
SIGN_TYPED = "Typed signature"
SIGN_IMAGE = "Photo of my signature"
ASK_SIGNATURE_IMAGE = ("Send a photo or scan of your signature (as a file keeps it sharp). "
                       "I keep it only until your letters are made.")
BAD_SIGNATURE_IMAGE = "I could not use that image for a signature: {reason} Send another, or tap \"Typed signature\"."
BIPA_DESTROY = "Destroy now"
BIPA_PRESERVE = "Preserve until resolved, then destroy"
BIPA_DESTROY_ANYWAY = "Yes, destroy now"
DEFAULT_MARK = " (suggested)"


def ask_choice(cases: Sequence[str]) -> str:
    text = ("Your letters can ask the companies either to destroy any face data derived from "
            "the photos now, or to preserve it until any claim is resolved and destroy it then. "
            "Destroying now ends the use of the data sooner; preserving keeps evidence in case of "
            "legal action. Your choice goes into your letters under the laws that let you go to court; "
            "the others ask for deletion.")
    if cases:
        text += ("\n\nA court case over this data is pending: " + "; ".join(cases) + ". So I "
                 "suggest preserving.")
    return text + "\n\nIf you are thinking about legal action, talk to a lawyer before choosing."


def destroy_warning(cases: Sequence[str]) -> str:
    return ("Before you choose: " + "; ".join(cases) + (" is" if len(cases) == 1 else " are") +
            " pending over this data. Asking for it to be destroyed now can remove evidence for "
            "that case and for any claim of yours. Destroy it now anyway?")


def ask_recipients(left_out: Sequence[tuple[str, str]]) -> str:
    """``left_out``: (organisation, datasets) named only by activist research."""
    text = ("These organisations built or are reported to have used a dataset with your photos. "
            "Tap one to leave it out or put it back, then tap \"Done\".")
    if left_out:
        text += "\n\nNot selected, because only activist research names them:\n" + "\n".join(
            f"- {name} ({datasets})" for name, datasets in left_out)
    return text


RECIPIENTS_DONE = "Done"
NO_RECIPIENTS = "Please keep at least one organisation selected."
CONFIRM_LETTERS = "Make my letters"
EDIT = "Change {field}"
FIELD_LABELS = {
    "shown": "who is in the photos",
    "residence": "where I live",
    "uploaded_from": "upload place",
    "name": "name",
    "address": "address",
    "email": "email",
    "signature": "signature",
    "bipa_choice": "destroy or preserve",
    "recipients": "companies",
}


SHOWN_SUMMARY = {"me": "you", "child": "your child (you write as parent or guardian)",
                 "not-me": "not you: you took or uploaded them"}


def summary(form: dict, region_name, plan: Sequence[tuple[str, Sequence[str]]], problem: str = "") -> str:
    """``plan``: (organisation, [letter titles]) for each recipient, as the letters will be made."""
    signature = "typed" if form.get("signature") == "typed" else "photo of your signature"
    shown = SHOWN_SUMMARY.get(form.get("shown", ""), "")
    if form.get("shown_some"):
        shown += ", in some of the photos"
    elif form.get("shown_photos"):
        shown += f", in {len(form['shown_photos'])} of the photos"
    if form.get("child_name"):
        shown += f" ({form['child_name']})"
    lines = ["Please check before I make your letters:", "",
             f"In the photos: {shown}",
             f"Name: {form.get('name', '')}",
             "Address: " + ", ".join(form.get("address", [])),
             f"Email: {form.get('email', '')}",
             f"Where you live: {region_name(form.get('residence', ''))}"]
    if form.get("shown") != "not-me":
        lines.append(f"Where you uploaded from: {region_name(form.get('uploaded_from', ''))}")
    lines.append(f"Signature: {signature}")
    if form.get("bipa_choice"):
        lines.append("Destroy or preserve: " + (BIPA_DESTROY if form["bipa_choice"] == "destroy"
                                                else BIPA_PRESERVE))
    if problem:
        lines += ["", problem]
    else:
        lines += ["", "The letters:"]
        for company, titles in plan:
            lines.append(f"- {company}: " + "; ".join(titles))
    return "\n".join(lines)


# -- delivery -----------------------------------------------------------------
MAKING_LETTERS = "Making your letters..."


def delivered(count: int, zipped: bool) -> str:
    how = "in one ZIP file" if zipped else "above"
    return (f"Your {count} letter{'s are' if count != 1 else ' is'} {how}, after your cover sheet: "
            "for each, a PDF to print or attach and an .eml email draft you can open in your mail "
            "program. The cover sheet says how to send each one. Read each letter before sending, "
            "sign the printed copies if you post them, and keep proof of sending. I will remind "
            "you when replies are due.\n\n"
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
LETTERS_FAILED = "I could not make your letters: {reason} Nothing you entered is lost; tap to try again."

# -- status, forget, reminders -----------------------------------------------------
NO_CASES = "You have no saved letters. Send /start to check your photos."


def status(cases: Iterable[dict], today: date) -> str:
    lines = ["Your letters:"]
    for case in cases:
        for letter in case.get("letters", []):
            due = date.fromisoformat(letter["due"])
            when = ("overdue since" if due < today else "reply due") + f" {due.isoformat()}"
            lines.append(f"- {letter['company_name']} ({letter['kind']}), ref {letter['reference']}: {when}")
    return "\n".join(lines)


def reminder(company: str, reference: str, due: date, escalation: str) -> str:
    return (f"Reminder: {company}'s reply to your letter {reference} was due on {due.isoformat()}. "
            f"If they have not answered: {escalation}\n\nThis is not legal advice.")


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
