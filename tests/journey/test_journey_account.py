"""A whole Flickr account by user name, through the Flickr API (a local look-alike):
the alias is resolved, every public photo is looked up, progress is shown in one
message that is updated, and PIPA (photo IDs without owners) matches."""

from __future__ import annotations

import pytest

from bot.journey import services as services_module
from bot.journey.engine import Journey
from bot.journey.io import Reply, Typing
from bot.journey.services import Services
from tests.flickr.fake_flickr_server import API_KEY, FakeFlickr
from tests.journey.chatting import TODAY, Chat, said

PIPA_PHOTO = "1808093328"


@pytest.fixture
def flickr():
    with FakeFlickr() as server:
        server.add_user("11223344@N05", alias="annexample", username="Ann Example", photos=1200,
                        include=(PIPA_PHOTO,))
        yield server


def test_account_by_alias_lists_photos_with_progress(flickr, config, store, monkeypatch):
    monkeypatch.setenv("FLICKR_API_KEY", API_KEY)
    monkeypatch.setattr(services_module, "PROGRESS_EVERY", 0.0)
    config = config.with_overrides(flickr={"api_url": flickr.url})
    chat = Chat(Journey(Services.from_config(config), store, today=lambda: TODAY))
    chat.start()
    chat.press("My Flickr account")
    out = chat.text("https://www.flickr.com/photos/annexample/")
    progress = [o for o in out if isinstance(o, Reply) and o.replace == "check-progress"]
    assert progress and all("public photos of that account" in o.text for o in progress)
    assert "of 1200" in progress[-1].text
    assert isinstance(out[0], Typing)
    text = said(out[-1:])
    assert "People In Photo Albums (PIPA): 1 photo (by Flickr photo ID)" in text
    assert len(flickr.calls("flickr.people.getPublicPhotos")) == 3      # 1,200 photos, 500 a page
    # the account is remembered only as the person typed it; its photo list is not stored
    assert "1200" not in str(store.load_session(chat.user_id)["inputs"])


def test_unknown_account_is_a_plain_answer(flickr, config, store, monkeypatch):
    monkeypatch.setenv("FLICKR_API_KEY", API_KEY)
    config = config.with_overrides(flickr={"api_url": flickr.url})
    chat = Chat(Journey(Services.from_config(config), store, today=lambda: TODAY))
    chat.start()
    chat.press("My Flickr account")
    text = said(chat.text("nobody-by-this-name"))
    assert text.startswith("Nothing was checked") and "Not checked:" in text
