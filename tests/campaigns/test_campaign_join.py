"""Joining a campaign by link, in the journey (no Telegram): /start <join code> ->
agree -> join -> the usual check and form -> the authorization (scope, duration, how
to revoke) -> a roster member and the signed PDF; /leave revokes it and lists the letters
already made; /forget removes the member; organisers' commands answer organisers only."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.campaigns.members import Roster
from bot.campaigns.report import record_run
from bot.index.demo import build_demo_index
from bot.journey.engine import Journey
from bot.journey.io import Document, Reply
from bot.journey.services import Services
from bot.journey.texts import campaign as ctexts
from bot.journey import texts
from bot.storage import Store
from tests.campaigns.join_fixtures import (JOIN_CODE, ORGANISER, OTHER_ORGANISER, PIPA_PHOTO,
                                           bot_config, fake_run, registered_campaign)
from tests.journey.chatting import TODAY, Chat, contact, documents, flat, pdf_text, said

MEMBER, STRANGER = 4242, 5151


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo-index") / "index.sqlite"
    build_demo_index(path)
    return path


@pytest.fixture
def bot(tmp_path, demo_index):
    config = bot_config(tmp_path, demo_index)
    campaign = registered_campaign(tmp_path, config)
    with Store.from_config(config) as store:
        yield Journey(Services.from_config(config), store, today=lambda: TODAY), campaign


def join(chat: Chat, name: str = "Ann Example", residence: str = "Illinois") -> list:
    """The whole join path; the outputs of the signing press."""
    out = chat.command("start", JOIN_CODE)
    assert "Faces Back e.V." in said(out) and any("I agree" in b for b in chat.buttons)
    assert "Joining takes three steps" in said(chat.press("I agree"))
    assert ctexts.JOIN_BUTTON in chat.buttons
    assert ctexts.CHECK_FIRST in said(chat.press("Join the campaign"))
    chat.press("Flickr photo links")
    chat.text(PIPA_PHOTO)
    assert ctexts.JOIN_CONTINUE in chat.buttons and "Write letters" not in chat.buttons
    chat.press(ctexts.JOIN_CONTINUE)
    chat.press("I appear in them")
    chat.press(residence)
    chat.press("Same as where I live now")
    prompt = said(contact(chat, name=name))
    assert "Faces Back e.V. keeps these details" in prompt
    assert "Scope:" in prompt and "at most 12 months" in prompt and "/leave" in prompt
    assert "campaign@facesback.example" in prompt and name in prompt
    return chat.press(ctexts.AUTHORIZE_BUTTON)


def test_join_authorize_leave_and_forget(bot, tmp_path):
    journey, campaign = bot
    chat = Chat(journey, MEMBER)
    out = join(chat)
    (pdf,) = documents(out)
    assert pdf.filename.startswith("authorization-AUTH-test-campaign-")
    text = flat(pdf_text(pdf.data))
    assert "Ann Example" in text and "Faces Back e.V." in text and "/leave" in text
    assert "until I revoke it" in text and "Typed" not in said(out)
    member = Roster.open(campaign).by_telegram(MEMBER)
    assert member is not None and member.member_id == f"tg-{MEMBER}" and member.source == "telegram"
    assert member.telegram_id == MEMBER and member.active and member.joined == TODAY.isoformat()
    assert member.flickr == (PIPA_PHOTO,) and member.residence == "US-IL" and member.shown == "me"
    assert member.authorization in pdf.filename
    # BIPA has no agent route: the member's own notices come next, made here
    assert "your own letters" in said(out).lower()
    assert chat.journey.store.load_session(MEMBER)["step"] == "recipients"
    assert "signature_image" not in chat.journey.store.load_session(MEMBER)["form"]

    # a letter was made in their name in a recorded run; /leave lists it
    run = fake_run(campaign, tmp_path / "run", [[member.member_id, "meta", "bipa-demand",
                                                 "REF-ONE", "members/x/a.pdf", "0" * 64,
                                                 "2026-12-20", "agent", "bundles/meta.pdf"],
                                                ["m-other", "meta", "bipa-demand", "REF-OTHER",
                                                 "members/y/b.pdf", "1" * 64, "2026-12-20",
                                                 "agent", "bundles/meta.pdf"]])
    record_run(campaign, run)
    asked = said(chat.command("leave"))
    assert "Leave the campaign of Faces Back e.V.?" in asked
    left = said(chat.press("Leave Faces Back"))
    assert "You have left the campaign of Faces Back e.V." in left
    assert "REF-ONE" in left and "Meta" in left and "REF-OTHER" not in left
    member = Roster.open(campaign).get(f"tg-{MEMBER}")
    assert member.left == TODAY.isoformat() and Roster.open(campaign).active() == []
    assert ctexts.LEAVE_NOTHING in said(chat.command("leave"))

    chat.command("forget")
    assert "1 campaign membership" in said(chat.press("Yes"))
    assert Roster.open(campaign).all() == []


def test_an_illinois_member_gets_their_own_bipa_letters_without_agent_wording(bot):
    journey, _campaign = bot
    chat = Chat(journey, MEMBER)
    join(chat)
    chat.press("Done")
    chat.press("Preserve until resolved")
    summary = said(chat.outputs[-1:])
    assert "Notice and demand under the Illinois Biometric" in summary
    assert "Requests under" not in summary                     # only the member's own kinds
    out = chat.press("Make my letters")
    pdfs = [d for d in documents(out) if d.filename.endswith(".pdf") and "bipa" in d.filename]
    assert pdfs
    text = flat(pdf_text(pdfs[0].data))
    assert "Ann Example" in text and "Faces Back" not in text and "agent" not in text.lower()
    assert journey.store.load_session(MEMBER)["form"]["kinds"] == ["bipa-demand"]
    # a later, ordinary round of letters is not limited to those kinds any more
    chat.command("start")
    chat.press("Flickr photo links")
    chat.text(PIPA_PHOTO)
    chat.press("Write letters")
    assert "kinds" not in journey.store.load_session(MEMBER)["form"]


def test_a_california_member_has_nothing_of_their_own_to_send(bot):
    journey, _campaign = bot
    chat = Chat(journey, MEMBER)
    out = join(chat, residence="California")
    assert "your own letters" not in said(out).lower()
    assert journey.store.load_session(MEMBER)["step"] == "menu"


def test_drawn_signature_is_kept_for_the_run_and_embedded(bot):
    from tests.campaigns.run_fixtures import signature_png
    journey, campaign = bot
    chat = Chat(journey, MEMBER)
    chat.command("start", JOIN_CODE)
    chat.press("I agree")
    chat.press("Join the campaign")
    chat.press("Flickr photo links")
    chat.text(PIPA_PHOTO)
    chat.press(ctexts.JOIN_CONTINUE)
    chat.press("I appear in them")
    chat.press("Illinois")
    chat.press("Same as where I live now")
    chat.text("Bo Example")
    chat.text("1 Main St\nSpringfield, IL 62701")
    chat.text("bo@example.org")
    chat.press("Photo of my signature")
    chat.upload(signature_png(), filename="sig.png")
    (pdf,) = documents(chat.press(ctexts.AUTHORIZE_BUTTON))
    member = Roster.open(campaign).by_telegram(MEMBER)
    assert member.signature == f"signature-tg-{MEMBER}.png"
    assert (campaign.folder / member.signature).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from pypdf import PdfReader
    assert any(page.images for page in PdfReader(io.BytesIO(pdf.data)).pages)


def test_members_never_see_each_other(bot):
    journey, campaign = bot
    join(Chat(journey, MEMBER), name="Ann Example")
    other = Chat(journey, STRANGER)
    out = other.command("start", JOIN_CODE) + other.press("I agree")
    out += other.command("leave") + other.command("campaign_stats")
    everything = said(out)
    assert "Ann Example" not in everything and f"tg-{MEMBER}" not in everything
    assert "Campaign test-campaign" not in everything      # not an organiser
    assert ctexts.LEAVE_NOTHING in everything


def test_unknown_join_code_gets_a_plain_message_and_the_normal_bot(bot):
    journey, _ = bot
    chat = Chat(journey, STRANGER)
    out = chat.command("start", "no-such-code")
    assert said(out).startswith(ctexts.UNKNOWN_JOIN_CODE) and any("I agree" in b for b in chat.buttons)
    out = chat.press("I agree")
    assert "How would you like to check?" in said(out) and "Join" not in said(out)
    assert ctexts.UNKNOWN_JOIN_CODE in said(chat.command("start", "bad code {{x}}"))


def test_declining_leaves_the_normal_bot_and_no_member(bot):
    journey, campaign = bot
    chat = Chat(journey, STRANGER)
    chat.command("start", JOIN_CODE)
    chat.press("I agree")
    assert ctexts.JOIN_DECLINED in said(chat.press(ctexts.JOIN_NOT_NOW))
    assert Roster.open(campaign).all() == []
    assert "campaign" not in journey.store.load_session(STRANGER)


def test_photos_only_cannot_join(bot):
    from tests.imaging import jpeg_bytes, make_photo
    journey, campaign = bot
    chat = Chat(journey, MEMBER)
    chat.command("start", JOIN_CODE)
    chat.press("I agree")
    chat.press("Join the campaign")
    chat.upload(jpeg_bytes(make_photo(3, (64, 64))))
    chat.press("Check")
    chat.press(ctexts.JOIN_CONTINUE)
    chat.press("I appear in them")
    chat.press("Illinois")
    chat.press("Same as where I live now")
    contact(chat)
    assert ctexts.NEEDS_LINKS in said(chat.press(ctexts.AUTHORIZE_BUTTON))
    assert Roster.open(campaign).all() == []


@pytest.mark.parametrize("user", [STRANGER, MEMBER])
def test_organiser_commands_are_unknown_commands_for_everyone_else(bot, user):
    journey, _ = bot
    if user == MEMBER:
        join(Chat(journey, MEMBER))
    chat = Chat(journey, user)
    for command in ("campaign_stats", "campaign_export"):
        out = chat.command(command)
        assert said(out) == said(chat.command("no_such_command"))
        assert not documents(out)


def test_organisers_get_stats_and_export(bot, tmp_path):
    journey, campaign = bot
    join(Chat(journey, MEMBER))
    organiser = Chat(journey, ORGANISER)
    stats = said(organiser.command("campaign_stats"))
    assert "Campaign test-campaign (Faces Back e.V.)" in stats and "Members: 1 active" in stats
    assert "Ann Example" not in stats and "No run yet" in stats
    assert said(organiser.command("campaign_export")) == ctexts.EXPORT_NO_RUN.format(slug="test-campaign")

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("manifest.csv", "member_id\n")
    record_run(campaign, fake_run(campaign, tmp_path / "run", [], zip_bytes=archive.getvalue()))
    (document,) = documents(Chat(journey, OTHER_ORGANISER).command("campaign_export"))
    assert isinstance(document, Document) and document.filename == "test-campaign.zip"
    assert zipfile.ZipFile(io.BytesIO(document.data)).namelist() == ["manifest.csv"]
    assert all(isinstance(o, Reply) for o in organiser.command("campaign_stats"))
    assert texts.help_text().splitlines()[0] not in said(organiser.command("campaign_stats"))


def test_the_operator_at_the_terminal_organises_every_registered_campaign(bot):
    journey, _ = bot
    terminal = Journey(journey.services, journey.store, today=lambda: TODAY, reminders=False,
                       operator=True)
    chat = Chat(terminal, 0)
    chat.start()
    stats = said(chat.command("campaign_stats"))
    assert "Campaign test-campaign (Faces Back e.V.)" in stats
    # the same person id through the Telegram door is nobody's organiser
    assert said(Chat(journey, 0).command("campaign_stats")) == said(
        Chat(journey, 0).command("no_such_command"))
