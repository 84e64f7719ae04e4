"""Follow-up end to end (issue 10): the real python-telegram-bot Application with the real
journey, against the Bot API server on 127.0.0.1, with a clock the test moves. Letters
delivered -> "sent today" -> the clock advanced past the reply date -> the reminder
arrives -> "They refused" on the reminder -> the complaint arrives as a PDF, read back."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta, timezone

import pytest
from pypdf import PdfReader

from bot.config import Config
from bot.index.demo import build_demo_index
from bot.journey.engine import Journey
from bot.journey.services import Services
from bot.storage import Store
from bot.telegram.reminders import send_reminders
from tests.telegram.serving import polling, step_async

pytestmark = pytest.mark.e2e
PIPA_PHOTO = "1808093328"


class Clock:
    def __init__(self, today: date) -> None:
        self.today = today

    def __call__(self) -> date:
        return self.today


async def test_sent_reminded_refused_complaint(botapi, tmp_path):
    build_demo_index(tmp_path / "index.sqlite")
    config = Config.defaults(tmp_path).with_overrides(
        index={"path": tmp_path / "index.sqlite", "demo": False},
        telegram={"base_url": botapi.base_url, "base_file_url": botapi.base_file_url})
    clock = Clock(date(2026, 11, 26))
    cara = botapi.user(7001, "Cara")
    with Store.from_config(config) as store:
        journey = Journey(Services.from_config(config), store, today=clock)
        async with polling(config, journey, botapi.token, store) as app:
            await step_async(cara, "text", "/start", "I agree")
            await step_async(cara, "press", "I agree, let's start", "How would you like to check?")
            await step_async(cara, "press", "Flickr photo links", "Send one or more")
            await step_async(cara, "text", PIPA_PHOTO, "Write letters")
            await step_async(cara, "press", "Write letters", "who appears")
            await step_async(cara, "press", "I appear in them", "Where do you live?")
            await step_async(cara, "press", "California", "Where did you upload")
            await step_async(cara, "press", "Same as where I live now", "full name")
            await step_async(cara, "text", "Cara Example", "postal address")
            await step_async(cara, "text", "1 Pine St, Los Angeles, CA 90012, USA", "email")
            await step_async(cara, "text", "cara@example.org", "How do you want to sign?")
            await step_async(cara, "press", "Typed signature", "Choose one to leave it out")
            text = await step_async(cara, "press", "Done", "Make my letters")
            if "Destroy now" in text:
                await step_async(cara, "press", "Destroy now", "Make my letters")
            await step_async(cara, "press", "Make my letters", "When do you send them?")
            sent = await step_async(cara, "press", "Today, by email or web form", "Replies are due")
            assert "sent on 2026-11-26" in sent
            due = max(date.fromisoformat(l["due"]) for c in store.cases(7001)
                      for l in c["letters"])

            clock.today = due + timedelta(days=7)          # past every reply date
            # 18:00 UTC: 10:00 in California, outside Cara's quiet hours
            now = datetime.combine(clock.today, time(18), tzinfo=timezone.utc)
            sent_count, _ = await send_reminders(app.bot, app.bot_data["door"], now)
            assert sent_count == 2                          # Meta and UC Berkeley
            reminders = [await cara.wait_for_reply(timeout=30) for _ in range(2)]
            assert all("was due on" in r.text for r in reminders)
            assert await send_reminders(app.bot, app.bot_data["door"], now) == (0, 0)
            meta = next(r for r in reminders if "Meta" in r.text)
            assert "They refused" in [label for label, _ in meta.buttons]

            cara.press("They refused", message_id=meta.message_id)   # on the reminder
            refused = (await cara.wait_for_reply(timeout=30)).text
            assert "Noted: they refused" in refused and "California Privacy Protection" in refused
            made = await step_async(cara, "press", "Make a complaint", "Email draft")
            assert "This is not legal advice" in made
    (pdf,) = [m for m in cara.documents if m.filename.startswith("complaint-")
              and m.filename.endswith(".pdf")]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "Cara Example" in text and "Meta (Facebook) declined my request" in text
    assert "California Privacy Protection Agency" in text and "California Consumer Privacy Act" in text
    # the first letter is enclosed after the signature, as it was sent
    assert "Copies of my letters are enclosed after my signature" in text
    assert "Enclosure 1: my letter of 26 November 2026 to Meta (Facebook)" in text
    assert text.count("1808093328") >= 1
