"""Texts of the letter form."""

from __future__ import annotations

from datetime import date
from typing import Iterable, Sequence

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
                  "or choose \"Leave the name out\".")


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
                      "{items}. Send them again, or use a button.")


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
ASK_US_STATE = "Which US state? Choose it, or type its name."
ASK_DE_STATE = ("Which German state (Land)? Its data protection authority is the one you can "
                "complain to, and the letters name it. Choose it, or type its name.")
NO_LAND = "I'd rather not say"
ASK_COUNTRY = "Which country? Type its name (for example: Brazil, Canada, Japan)."
ASK_EU_COUNTRY = ("Which EU or EEA country? Choose it, or type its name (for example: Austria, "
                  "Belgium, Norway).")
UNKNOWN_REGION = ("I don't know that place. Type a US state (like Illinois or IL) or a country "
                  "(like Germany or DE), or use the buttons.")
def noted(place: str) -> str:
    return f"Noted: {place}."


SIGNATURE_RECEIVED = ("Signature received. It goes under each letter, and I delete it as soon "
                      "as your letters are made.")
ASK_NAME = "What is your full name, as it should appear on the letters?"
BAD_NAME = "Please send your name as plain text, between 2 and 100 characters."
ASK_ADDRESS = ("What is your postal address? Send it in one message, one line per line "
               "(street, city, postcode, country), or on one line with commas between the parts. "
               "Companies use it to identify you and to reply.")
BAD_ADDRESS = ("Please send your address as 2 to 6 lines of plain text, each at most 80 characters, "
               "in one message: one line per line, or all on one line with commas between the "
               "parts (like: 12 Main St, Springfield, IL 62701, USA).")
ASK_EMAIL = "What email address should companies reply to?"
KEEP_SAVED = "Keep: {value}"
USE_SAVED_DETAILS = "Use these again"
NEW_DETAILS = "Type new ones"


def saved_value(question: str, value: str) -> str:
    return f"{question}\n\nYou gave this before: {value}\nKeep it, or send a new one."


def ask_reuse(name: str, address: Sequence[str], email: str) -> str:
    return ("Use the name, address and email you gave before?\n\n"
            f"{name}\n" + "\n".join(address) + f"\n{email}")
BAD_EMAIL = ("That doesn't look like an email address. Please send it again, like "
             "ann@example.org.")
ASK_SIGNATURE = ("How do you want to sign? A typed signature (\"/s/ Your Name\") is accepted in "
                 "many places; you can also send a photo of your handwritten signature on white paper.")
SIGN_TYPED = "Typed signature"
SIGN_IMAGE = "Photo of my signature"
ASK_SIGNATURE_IMAGE = ("Send a photo or scan of your signature in dark ink on white paper (as a "
                       "file keeps it sharp). I keep it only until your letters are made.")
BAD_SIGNATURE_IMAGE = "I could not use that image for a signature: {reason} Send another, or choose \"Typed signature\"."
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
            "Choose one to leave it out or put it back, then choose \"Done\".")
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
