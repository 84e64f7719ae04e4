"""Texts of choosing what to check, and of the results."""

from __future__ import annotations

from datetime import date
from typing import Iterable, Sequence

# -- choosing what to check -----------------------------------------------
MENU = ("How would you like to check?\n\n"
        "You can also just send me a Flickr link, your account ID or a photo.")
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
              "at once. Choose \"Check now\" when you are done.")
ASK_URLS = "Send one or more image links (URLs), one per line."
CHECK_NOW = "Check now"
BACK_TO_MENU = "Back"


def photos_received(count: int) -> str:
    noun = "photo" if count == 1 else "photos"
    return (f"Got it: {count} {noun} ready to check so far. Send more, or choose \"Check now\". "
            "The photos themselves are already gone; I kept only their fingerprints.")


def checked_what(flickr: int, urls: int, photos: int) -> str:
    """"Checked: 2 Flickr links or accounts, 3 photos." for the results."""
    parts = [(flickr, "Flickr link or account", "Flickr links or accounts"),
             (urls, "image link", "image links"), (photos, "photo", "photos")]
    said = [f"{n} {one if n == 1 else many}" for n, one, many in parts if n]
    return "Checked: " + ", ".join(said) + "." if said else ""


def inputs_added(added: int, problems: Sequence[str], repeated: int = 0) -> str:
    parts = [f"Added {added} item{'s' if added != 1 else ''} to check."] if added else []
    if repeated:
        parts.append("Already on the list, so not added again: "
                     f"{repeated} item{'s' if repeated != 1 else ''}.")
    if problems:
        parts.append("I could not use:\n" + "\n".join(f"- {p}" for p in problems))
    return "\n\n".join(parts)


SEND_EXAMPLES = ("For example:\n"
                 "- a Flickr photo link: flickr.com/photos/janedoe/1808093328\n"
                 "- a short link: flic.kr/p/7Afjsu\n"
                 "- your Flickr account ID: 12345678@N00\n"
                 "- an image link: https://example.com/photo.jpg\n"
                 "- or a photo: send it as a file.")
NOT_UNDERSTOOD = ("I didn't understand that: I can only check links, IDs and photos, not "
                  "sentences. " + SEND_EXAMPLES)
NOT_UNDERSTOOD_ACCOUNT = ("I didn't understand that as a Flickr account. Send just your user "
                          "name (like janedoe), your profile link (like "
                          "flickr.com/photos/janedoe) or your account ID (like 12345678@N00).")
NOTHING_TO_CHECK = "There is nothing to check yet. Send a Flickr link, account ID, photo or image link."
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


# What the person is told about an input that was not checked, or checked in part, by
# reason (bot.check.NOT_CHECKED / CHECKED_IN_PART); never server settings, which go to
# the operator's log. Reasons not here are told in the check's own plain sentence.
ISSUE_TEXTS = {
    "needs-flickr-lookup": (
        "{query}: not checked. I can't look up Flickr user names or profile addresses here. "
        "Send links to your photos instead (open a photo on Flickr and copy the address), or "
        "your account ID if you know it: it looks like 12345678@N00, and it is in your profile "
        "link if you never chose a custom address."),
    "owner-only": (
        "{query}: checked in the datasets that record who uploaded each photo. Datasets that "
        "list only photo IDs (like PIPA) can't be searched by account here: send links to "
        "single photos to check those too."),
    "photo-list-failed": (
        "{query}: checked in the datasets that record who uploaded each photo, but Flickr did "
        "not give me the account's photo list just now, so datasets that list only photo IDs "
        "(like PIPA) were not searched. Try again later, or send links to single photos."),
    "photo-list-safe": (
        "{query}: Flickr gives me only the account's photos it rates \"safe\"; photos rated "
        "moderate or restricted were matched by account only. Send links to those photos to "
        "check them by ID too."),
    "photo-list-capped": (
        "{query}: the account has more public photos than I can go through at once; only the "
        "first ones were checked. Send links to other photos to check them too."),
    "photos-not-indexed": (
        "{query}: not checked. The dataset lists I hold have no image fingerprints, so photos "
        "can't be matched here. Send the photos' Flickr links instead."),
}


def issue_line(issue) -> str:
    """One line about an input not checked or checked in part (``issue``: a CheckIssue)."""
    template = ISSUE_TEXTS.get(issue.reason)
    return template.format(query=issue.query) if template else issue.text


def results_summary(groups: Sequence[dict], checked: Sequence[str], issues: Sequence = (),
                    nothing_checked: bool = False) -> str:
    """``groups``: one dict per matched dataset with name, creator, year, count,
    kinds (list of match kinds), users (list of (company name, strength)); ``issues``:
    the check's CheckIssues; ``nothing_checked``: no input could be checked at all."""
    lines: list[str] = []
    not_checked = [i for i in issues if not i.checked]
    in_part = [i for i in issues if i.checked]
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
    elif nothing_checked:
        lines.append("Nothing was checked: I could not check what you sent. "
                     "This is not a \"no match\".")
    elif not_checked:
        lines.append("No match in what I could check, but some of what you sent was not checked.")
        lines += ["", miss_note(checked)]
    else:
        lines.append("No match in the datasets I hold.")
        lines += ["", miss_note(checked)]
    if not_checked:
        lines += ["", "Not checked:"] + _collapsed(not_checked)
    if in_part:
        lines += ["", "Checked only in part:"] + _collapsed(in_part)
    return "\n".join(lines)


def _collapsed(issues: Sequence) -> list[str]:
    """One line per issue; many photos with the same reason are one line."""
    lines: list[str] = []
    photos = [i for i in issues if i.reason == "photos-not-indexed"]
    for issue in issues:
        if issue.reason == "photos-not-indexed" and len(photos) > 1:
            if issue is photos[0]:
                lines.append("- " + ISSUE_TEXTS["photos-not-indexed"].format(
                    query=f"Your {len(photos)} photos"))
            continue
        lines.append("- " + issue_line(issue))
    return lines


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
SHOW_PICTURES = "Show the pictures"
MAX_PICTURES = 30


def pictures_intro(shown: int, total: int) -> str:
    more = f" (the first {shown} of {total})" if total > shown else ""
    return (f"Here are the matched pictures{more}, straight from where the dataset lists them: "
            "Telegram fetches them, I don't download or keep them. Is it you?")


def dead_links(count: int) -> str:
    return (f"{count} picture{'s' if count != 1 else ''} could not be shown: the link no longer "
            "works (the photo was deleted or made private). The match still stands.")
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
