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
from bot.telegram import build_application
from bot.telegram.app import ALLOWED_UPDATES
from tests.botapi.fixtures import botapi  # noqa: F401
from tests.campaigns.join_fixtures import JOIN_CODE, ORGANISER, PIPA_PHOTO, bot_config, \
    registered_campaign
from tests.telegram.serving import pdf_text

pytestmark = pytest.mark.e2e


async def step(person, action: str, value: str, until: str, timeout: float = 60) -> str:
    if action == "text":
        person.send_text(value)
    else:
        person.press(value)
    seen = []
    while True:
        reply = await person.wait_for_reply(timeout=timeout)
        seen.append(" ".join([reply.text or reply.caption or reply.filename or ""]
                             + [label for label, _ in reply.buttons]))
        if until in seen[-1]:
            return "\n".join(seen)


async def test_join_authorize_leave_and_organiser_only_commands(botapi, tmp_path):  # noqa: F811
    build_demo_index(tmp_path / "demo.sqlite")
    config = bot_config(tmp_path, tmp_path / "demo.sqlite", base_url=botapi.base_url,
                        base_file_url=botapi.base_file_url)
    campaign = registered_campaign(tmp_path, config)
    dee, organiser, stranger = (botapi.user(8001, "Dee"), botapi.user(ORGANISER, "Org"),
                                botapi.user(8002, "Stan"))
    with Store.from_config(config) as store:
        journey = Journey(Services.from_config(config), store)
        app = build_application(config, journey, botapi.token, store=store)
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=1,
                                            allowed_updates=ALLOWED_UPDATES)
            try:
                welcome = await step(dee, "text", f"/start {JOIN_CODE}", "I agree")
                assert "Faces Back e.V." in welcome
                await step(dee, "press", "I agree, let's start", ctexts.JOIN_BUTTON)
                await step(dee, "press", ctexts.JOIN_BUTTON, "How would you like to check?")
                await step(dee, "press", "Flickr photo links", "Send one or more")
                await step(dee, "text", PIPA_PHOTO, ctexts.JOIN_CONTINUE)
                await step(dee, "press", ctexts.JOIN_CONTINUE, "who appears")
                await step(dee, "press", "I appear in them", "Where do you live?")
                await step(dee, "press", "Illinois", "Where did you upload")
                await step(dee, "press", "Same as where I live now", "full name")
                await step(dee, "text", "Dee Example", "postal address")
                await step(dee, "text", "4 Lake Shore Dr\nChicago, IL 60601", "email")
                await step(dee, "text", "dee@example.org", "How do you want to sign?")
                prompt = await step(dee, "press", "Typed signature", ctexts.AUTHORIZE_BUTTON)
                assert "at most 12 months" in prompt and "/leave" in prompt
                await step(dee, "press", ctexts.AUTHORIZE_BUTTON, "Your signed authorization")
                member = Roster.open(campaign).by_telegram(8001)
                assert member is not None and member.active and member.source == "telegram"

                # organiser-only: the organiser gets the figures, a stranger the normal bot
                stats = await step(organiser, "text", "/campaign_stats", "Campaign test-campaign")
                assert "Members: 1 active" in stats and "Dee Example" not in stats
                export = await step(organiser, "text", "/campaign_export", "no run")
                assert "test-campaign" in export
                for command in ("/campaign_stats", "/campaign_export"):
                    answer = await step(stranger, "text", command, "Commands:")
                    assert "Campaign test-campaign" not in answer and "Dee" not in answer
                assert not stranger.documents

                await step(dee, "text", "/leave", "Leave Faces Back")
                left = await step(dee, "press", "Leave Faces Back e.V.", "You have left")
                assert "No letter had been made in your name yet" in left
                assert not Roster.open(campaign).by_telegram(8001).active
            finally:
                await app.updater.stop()
                await app.stop()
    (pdf,) = [d for d in dee.documents if d.filename.startswith("authorization-")]
    text = pdf_text(pdf.data)
    assert "Dee Example" in text and "Faces Back e.V." in text and "until I revoke it" in text
