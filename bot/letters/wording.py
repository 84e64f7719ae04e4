"""Words a letter chooses from what the person said: how many photographs, who appears
in them, and which of the person's Flickr accounts the letter needs."""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import ReferenceParseError
from ..flickr.refs import parse_flickr_ref
from .model import Person


def photo_words(count: int) -> dict[str, str]:
    """Words for the photographs a letter is about, singular or plural."""
    one = count == 1
    return {
        "photos": "a photograph" if one else "photographs",
        "Photos": "A photograph" if one else "Photographs",
        "were": "was" if one else "were",
        "these": "this photograph" if one else "these photographs",
        "those": "that photograph" if one else "those photographs",
        "them": "it" if one else "them",
        "they": "it" if one else "they",
        "themselves": "itself" if one else "themselves",
        "the_photos": "the photograph" if one else "the photographs",
        "The_photos": "The photograph" if one else "The photographs",
        "listed": "the photograph listed in the exhibit" if one else "the photographs listed in the exhibit",
    }


def opening_words(person: Person, count: int) -> dict[str, str]:
    """The letter's first words about the photos: who appears in them, in the words the
    person chose ("some of which show me" when they did not say which), so the opening
    never states more than the person said."""
    who = "my child" if person.shown == "child" else "me"
    appears = "my child appears" if person.shown == "child" else "I appear"
    if person.shown_some and count == 1:
        clause = f"a photograph that may show {who} was"
        subject = f"a photograph that may show {who}"
    elif person.shown_some:
        clause = f"photographs, some of which show {who}, were"
        subject = f"photographs, some of which show {who}"
    elif count == 1:
        clause, subject = f"a photograph in which {appears} was", f"photographs of {who}"
    else:
        clause, subject = f"photographs in which {appears} were", f"photographs of {who}"
    return {"lower": clause, "upper": clause[0].upper() + clause[1:], "subject": subject}


def letter_accounts(person: Person, found: Sequence[Any]) -> list[str]:
    """The person's own Flickr accounts this letter needs: the ones that own one of
    this letter's photos, or that found one (by owner, or through the account's photo
    list), compared whole, never as parts of other text; not every account the person
    named (minimisation), and nothing a check did not confirm."""
    owners = {m.owner.casefold() for m in found if getattr(m, "owner", None)}
    searched = {_account_of(m.query) for m in found
                if getattr(m, "match", "") in ("flickr-owner", "flickr-photo")}
    return [a for a in person.flickr_accounts if a.casefold() in owners | searched]


def _account_of(query: str) -> str:
    """The account a check input names, casefolded ("" for a photo or anything else)."""
    try:
        ref = parse_flickr_ref(query)
    except ReferenceParseError:
        return ""
    return ref.value.casefold() if ref.kind in ("owner", "alias") else ""
