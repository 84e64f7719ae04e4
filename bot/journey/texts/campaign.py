"""Texts of campaigns in the chat: the join link, the authorization, /leave, and the
organisers' /campaign_stats and /campaign_export."""

from __future__ import annotations

from typing import Sequence

UNKNOWN_JOIN_CODE = ("That link does not belong to a campaign I know (it may have ended or been "
                     "mistyped). You can still use me on your own: here is how.")
JOIN_BUTTON = "Join the campaign"
JOIN_NOT_NOW = "Not now, just use the bot"
JOIN_CONTINUE = "Continue joining"
AUTHORIZE_BUTTON = "Sign and authorize"
AUTHORIZE_CHANGE = "Change my details"
AUTHORIZE_NOT_NOW = "Not now"
CHECK_FIRST = ("First, tell me where your photos are, as usual. The campaign checks Flickr "
               "accounts, Flickr photo links and image links (photos you upload are checked "
               "here, but the campaign cannot re-check them later).")
JOIN_DECLINED = "Fine: you are not in the campaign. You can use the bot on your own."
CAMPAIGN_GONE = "That campaign is no longer running here. You can use the bot on your own."
NEEDS_LINKS = ("The campaign needs at least one Flickr account, Flickr photo link or image link "
               "to check for you (uploaded photos are not kept). Send one, then continue "
               "joining from the results.")
LEAVE_NOTHING = "You are not a member of any campaign, so there is nothing to leave."
LEAVE_STAY = "Nothing changed: you are still a member."
LEAVE_BUTTON = "Leave {organisation}"
STAY_BUTTON = "Stay"
EXPORT_NO_RUN = ("There is no run of the campaign {slug} yet (or its ZIP is not finished). "
                 "Run `rightsbot campaign run` first.")
EXPORT_TOO_LARGE = ("The ZIP of the latest run of {slug} is over Telegram's 50 MB limit for "
                    "bots; take it from the run folder on the server.")
EXPORT_CAPTION = "Campaign {slug}: every file of the latest run (letters, bundles, manifest)."
AUTHORIZATION_CAPTION = ("Your signed authorization (reference {reference}). Keep it: it says "
                         "what {organisation} may do for you and how to revoke it.")


def join_link_lead(organisation: str) -> str:
    return (f"You opened the join link of a campaign run by: {organisation}\n\nBefore "
            "anything else, here is how this bot works:")


def campaign_intro(organisation: str, scope: Sequence[str], member_since: str = "") -> str:
    if member_since:
        return (f"You are already a member of the campaign run by {organisation} (since "
                f"{member_since}). Send /leave to leave it. Signing again renews your "
                "authorization with your current details.")
    lines = [f"{organisation} runs a campaign: they send the privacy requests for their "
             "members, as their authorized agent, in one bundle per company.",
             "", "Joining takes three steps:",
             "1. I check where your photos are, as usual.",
             "2. You give your name, postal address and email, and sign.",
             f"3. You authorize {organisation} to act for you. What it covers:"]
    lines += [f"- {item}" for item in scope]
    lines += ["", "You can leave at any time with /leave. Nobody else in the campaign sees your "
                  "details."]
    return "\n".join(lines)


def authorize_prompt(organisation: str, email: str, scope: Sequence[str], months: int,
                     name: str, address: Sequence[str], member_email: str) -> str:
    lines = [f"Last step: authorize {organisation} to act as your agent.", "",
             "Scope:"]
    lines += [f"- {item}" for item in scope]
    lines += ["", f"Duration: until you revoke it, and at most {months} months.",
              f"How to revoke: send /leave here at any time, or write to {email}. Letters "
              "already sent stay sent; I list them for you.", "",
              "Signed as:", name, *address]
    if member_email:
        lines.append(member_email)
    lines += ["", f"{organisation} keeps these details, your check's links and your signature "
              "for as long as the authorization lasts, to make and send the requests; /leave or "
              "/forget removes them from the campaign.",
              "", "I will send you the signed authorization as a PDF."]
    return "\n".join(lines)


def own_letters_note(organisation: str, titles: Sequence[str]) -> str:
    """For a member whose law has no agent route for some letters (bot.campaigns.routes)."""
    listed = "\n".join(f"- {title}" for title in titles)
    return (f"Under the law where you live, {organisation} cannot send these for you; they are "
            f"your own letters to send:\n{listed}\nAfter you authorize, I make them for you "
            "here.")


def own_letters_next(organisation: str) -> str:
    return (f"Now your own letters (the ones {organisation} cannot send for you). Check the "
            "recipients, then make them; or send /cancel to do it later from the menu.")


def joined(organisation: str) -> str:
    return (f"Done: you are a member, and {organisation} can now send the requests for you. "
            "Your authorization is the PDF below. Send /leave to leave at any time.")


def ask_leave(organisations: Sequence[str]) -> str:
    if len(organisations) == 1:
        return (f"Leave the campaign of {organisations[0]}? This revokes your authorization: "
                "no new request is sent in your name.")
    return ("You are a member of several campaigns. Which one do you want to leave? Leaving "
            "revokes your authorization for that campaign.")


def left(organisation: str, letters: Sequence[tuple[str, str, str, str]]) -> str:
    """``letters``: (organisation written to, letter title, reference, run date)."""
    lines = [f"You have left the campaign of {organisation}. Your authorization is revoked "
             "and no new request will be sent in your name."]
    if letters:
        lines += ["", "Letters already made in your name (they stay with the companies; you "
                      "can write to them yourself about them):"]
        lines += [f"- {company}: {title} (reference {reference}, {day})"
                  for company, title, reference, day in letters]
    else:
        lines += ["", "No letter had been made in your name yet."]
    return "\n".join(lines)


def which_campaign(slugs: Sequence[str]) -> str:
    return ("You organise several campaigns; add its name: "
            + ", ".join(f"/campaign_stats {slug}" for slug in slugs))
