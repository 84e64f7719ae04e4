"""A member's authorization of the organisation as their agent, as its own PDF.

Two documents:

- :func:`render_authorization`: the authorization a member signs (in Telegram, typed or
  drawn): who authorizes whom, the scope (the campaign's datasets, companies and letter
  kinds), what the organisation may and may not do, the duration (until revoked, and
  at most 12 months), how to revoke (``/leave`` in the bot, or an email to the
  organisation), the signature and the date. The wording follows what 11 CCR §7063 and
  §7026(j) ask of an agent's written, signed permission.
- :func:`render_authorization_record`: for members imported by CSV, whose signed paper
  authorization the organisation keeps itself (the ``authorization`` column). rightsbot
  has no copy of that paper, so the run encloses a page that says plainly that it is the
  organisation's own record of the authorization it holds, with its reference, and not
  the member's signature; a company that wants the signed original asks the organisation.

Both are deterministic (same inputs, same bytes) and name the reference
:func:`authorization_reference` gives, which the letters quote.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from typing import TYPE_CHECKING

from ..letters.model import Bullets, Heading, Paragraph
from ..letters.rules import load_rules
from .pages import SimpleDocument, page_size_for, render_document

if TYPE_CHECKING:  # pragma: no cover
    from .definition import Campaign
    from .members import Member

DURATION_MONTHS = 12
KEYWORD = "rightsbot-campaign-authorization"
RECORD_KEYWORD = "rightsbot-campaign-authorization-record"


def authorization_reference(campaign: "Campaign", member: "Member") -> str:
    """The reference the letters quote: the organisation's own (CSV ``authorization``
    column) when it gave one, else ``AUTH-<slug>-<16 base32>`` derived from the campaign
    and the member (the same member always gets the same reference)."""
    given = " ".join((member.authorization or "").split())
    if given:
        return given
    key = "\x1f".join([campaign.slug, member.member_id, member.joined or ""])
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return f"AUTH-{campaign.slug}-{base64.b32encode(digest[:10]).decode('ascii')}"


def scope_items(campaign: "Campaign") -> tuple[str, ...]:
    """The scope in plain sentences: datasets, companies, letter kinds."""
    from ..companies import load_directory
    from ..registry import load_registry
    targets = campaign.targets
    if targets.datasets:
        registry = load_registry()
        names = [registry.get(s).name if s in registry else s for s in targets.datasets]
        datasets = "the datasets " + "; ".join(names)
    else:
        datasets = "any dataset in which rightsbot's check finds my photos"
    if targets.companies:
        directory = load_directory()
        names = [directory.get(s).name if s in directory else s for s in targets.companies]
        companies = "to these organisations: " + "; ".join(names)
    else:
        companies = "to the organisations that made or are reported to have used those datasets"
    if targets.kinds:
        rules = load_rules()
        kinds = "; ".join(rules.get(k).title if rules.known(k) else k for k in targets.kinds)
        letters = f"these requests: {kinds}"
    else:
        letters = "the requests that the privacy law where I live gives me"
    return (f"Datasets: {datasets}.", f"Recipients: requests {companies}.",
            f"Requests: {letters}, including requests to know, to delete or destroy, to opt out "
            "of sale or sharing and to limit the use of sensitive personal information "
            "(biometric data), where that law provides them.")


def _end(on: date) -> date:
    try:
        return on.replace(year=on.year + DURATION_MONTHS // 12)
    except ValueError:   # 29 February
        return on.replace(year=on.year + DURATION_MONTHS // 12, day=28)


def render_authorization(campaign: "Campaign", member: "Member", on: date,
                         signature: bytes | None) -> bytes:
    """The member's signed authorization as PDF bytes (``signature``: a drawn signature's
    PNG/JPEG, or None for a typed one)."""
    org = campaign.organisation
    reference = authorization_reference(campaign, member)
    who = member.name if member.shown != "child" else f"{member.name} (for my child, as parent or guardian)"
    blocks = [
        Paragraph(f"Reference: {reference}"),
        Paragraph(f"I, {who}, of {', '.join(member.address)} ({member.email}), authorize "
                  f"{org.name}, {', '.join(org.address)} ({org.email}), to act as my authorized "
                  "agent for the requests below, in my name and on my behalf, in the campaign "
                  f"\"{campaign.slug}\"."),
        Heading("Scope"),
        Bullets(scope_items(campaign)),
        Paragraph(f"{org.name} may send these requests as my agent, enclose this authorization, "
                  "receive the replies and any data sent in reply, and act on them for me. It may "
                  "not use my personal information for anything else, must keep it secure, and "
                  "may not settle, waive or release any claim of mine."),
        Heading("Duration"),
        Paragraph(f"This authorization is valid from {on.isoformat()} until I revoke it, and at "
                  f"most until {_end(on).isoformat()} ({DURATION_MONTHS} months)."),
        Heading("How to revoke"),
        Paragraph(f"I can revoke it at any time by sending /leave to the rightsbot chat of the "
                  f"campaign, or by email to {org.email}. Revoking it stops any further request "
                  "in my name; the requests already sent remain mine and are listed for me."),
    ]
    return render_document(SimpleDocument(
        title="Authorization of an agent for privacy requests", blocks=tuple(blocks),
        page_size=page_size_for(member.residence), author=member.name,
        subject=f"Authorization {reference}", keywords=KEYWORD, signer=member.name,
        signature=signature, signed_on=on))


def render_authorization_record(campaign: "Campaign", member: "Member", on: date) -> bytes:
    """The organisation's record of a signed authorization it holds on paper (CSV members)."""
    org = campaign.organisation
    reference = authorization_reference(campaign, member)
    blocks = [
        Paragraph(f"Reference: {reference}"),
        Paragraph("This page is the organisation's own record. It is not the member's signature "
                  "and not a copy of the signed authorization."),
        Paragraph(f"{org.name}, {', '.join(org.address)}, holds a written authorization signed by "
                  f"{member.name}, filed under the reference {reference}, by which "
                  f"{member.name} authorized {org.name} to act as their agent for the requests in "
                  "the enclosed letters."),
        Heading("Scope stated by the organisation"),
        Bullets(scope_items(campaign)),
        Paragraph(f"A copy of the signed authorization will be provided on request: write to "
                  f"{org.email} quoting the reference {reference}. The member can also confirm "
                  "the authorization to you directly."),
    ]
    signer = org.signatory or org.name
    blocks.append(Paragraph(f"Recorded for {org.name} by {signer} on {on.isoformat()}."))
    return render_document(SimpleDocument(
        title="Record of an authorization held by the organisation", blocks=tuple(blocks),
        page_size=page_size_for(member.residence), author=org.name,
        subject=f"Authorization record {reference}", keywords=RECORD_KEYWORD))


__all__ = ["authorization_reference", "render_authorization", "render_authorization_record",
           "scope_items", "DURATION_MONTHS"]
