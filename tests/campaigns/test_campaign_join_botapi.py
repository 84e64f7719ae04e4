"""The join, authorize and leave flow through the loopback Bot API server (tests/botapi):
the real python-telegram-bot Application and the real journey, people pressing buttons on
the messages they were sent; the organiser-only rule for /campaign_stats and
/campaign_export on the same bot."""

from __future__ import annotations

import pytest

from bot.campaigns.members import Roster
from bot.index.demo import build_demo_index
from bot.journey.engine import Journey
from bot.journey.services import Services
from bot.journey.texts import campaign as ctexts
from bot.storage import Store
from tests.botapi.fixtures import botapi  # noqa: F401
from tests.campaigns.join_fixtures import JOIN_CODE, ORGANISER, PIPA_PHOTO, bot_config, \
    registered_campaign
from tests.telegram.serving import pdf_text, polling, step_async

pytestmark = pytest.mark.e2e


async def test_join_authorize_leave_and_organiser_only_commands(botapi, tmp_path):  # noqa: F811
    build_demo_index(tmp_path / "demo.sqlite")
    config = bot_config(tmp_path, tmp_path / "demo.sqlite", base_url=botapi.base_url,
                        base_file_url=botapi.base_file_url)
    campaign = registered_campaign(tmp_path, config)
    dee, organiser, stranger = (botapi.user(8001, "Dee"), botapi.user(ORGANISER, "Org"),
                                botapi.user(8002, "Stan"))
    with Store.from_config(config) as store:
        journey = Journey(Services.from_config(config), store)
        async with polling(config, journey, botapi.token, store) as app:
            welcome = await step_async(dee, "text", f"/start {JOIN_CODE}", "I agree")
            assert "Faces Back e.V." in welcome
            await step_async(dee, "press", "I agree, let's start", ctexts.JOIN_BUTTON)
            await step_async(dee, "press", ctexts.JOIN_BUTTON, "How would you like to check?")
            await step_async(dee, "press", "Flickr photo links", "Send one or more")
            await step_async(dee, "text", PIPA_PHOTO, ctexts.JOIN_CONTINUE)
            await step_async(dee, "press", ctexts.JOIN_CONTINUE, "who appears")
            await step_async(dee, "press", "I appear in them", "Where do you live?")
            await step_async(dee, "press", "Illinois", "Where did you upload")
            await step_async(dee, "press", "Same as where I live now", "full name")
            await step_async(dee, "text", "Dee Example", "postal address")
            await step_async(dee, "text", "4 Lake Shore Dr\nChicago, IL 60601", "email")
            await step_async(dee, "text", "dee@example.org", "How do you want to sign?")
            prompt = await step_async(dee, "press", "Typed signature", ctexts.AUTHORIZE_BUTTON)
            assert "at most 12 months" in prompt and "/leave" in prompt
            await step_async(dee, "press", ctexts.AUTHORIZE_BUTTON, "Your signed authorization")
            member = Roster.open(campaign).by_telegram(8001)
            assert member is not None and member.active and member.source == "telegram"

            # organiser-only: the organiser gets the figures, a stranger the normal bot
            stats = await step_async(organiser, "text", "/campaign_stats", "Campaign test-campaign")
            assert "Members: 1 active" in stats and "Dee Example" not in stats
            export = await step_async(organiser, "text", "/campaign_export", "no run")
            assert "test-campaign" in export
            for command in ("/campaign_stats", "/campaign_export"):
                answer = await step_async(stranger, "text", command, "Commands:")
                assert "Campaign test-campaign" not in answer and "Dee" not in answer
            assert not stranger.documents

            await step_async(dee, "text", "/leave", "Leave Faces Back")
            left = await step_async(dee, "press", "Leave Faces Back e.V.", "You have left")
            assert "No letter had been made in your name yet" in left
            assert not Roster.open(campaign).by_telegram(8001).active
    (pdf,) = [d for d in dee.documents if d.filename.startswith("authorization-")]
    text = pdf_text(pdf.data)
    assert "Dee Example" in text and "Faces Back e.V." in text and "until I revoke it" in text
