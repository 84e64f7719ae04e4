"""The journey up to the results: consent, every way to check, bad input, paging."""

from __future__ import annotations

import json
import os

from bot.index.images import hash_image_folder
from bot.journey.io import Press, Reply, Text, Unsupported
from tests.imaging import jpeg_bytes, make_photo, png_bytes, telegram_recompress, truncated

from tests.journey.chatting import USER, Chat, said, typing

PIPA_PHOTO = "1808093328"
SYNTHETIC_ACCOUNT = "99990001@N99"


def stored_files(config) -> list[str]:
    folder = config.storage.path
    return [name for _, _, files in os.walk(folder) for name in files if not name.endswith(".lock")]


def test_start_explains_and_stores_nothing_before_consent(chat, store, config):
    out = chat.command("start")
    text = said(out)
    for phrase in ("never keep them", "never analyse faces", "not legal advice", "/forget",
                   "180 days"):
        assert phrase in text
    assert "I agree, let's start" in chat.buttons
    chat.text("hello?")
    chat.press("What exactly is stored?")
    assert "never written to disk" in said(chat.outputs)
    assert store.load_session(USER) is None
    assert stored_files(config) == []


def test_everything_before_consent_is_answered_with_the_welcome(chat):
    for out in (chat.text("1808093328"), chat.upload(jpeg_bytes(make_photo(1))),
                chat.send(Press("7:account")), chat.command("cancel"), chat.command("help")):
        assert "I agree" in said(out) or any(isinstance(o, Reply) and o.buttons for o in out)
    assert chat.journey.store.load_session(USER) is None


def test_consent_is_stored_and_leads_to_the_menu(chat, store):
    chat.start()
    assert "How would you like to check?" in said(chat.outputs)
    assert store.load_session(USER)["consented_at"]
    assert {"My Flickr account", "Flickr photo links", "Upload photos", "Image links (URLs)"} <= set(chat.buttons)


def test_photo_link_matches_pipa(chat):
    chat.start()
    chat.press("Flickr photo links")
    out = chat.text(f"https://www.flickr.com/photos/someone/{PIPA_PHOTO}/in/photostream/")
    text = said(out)
    assert typing(out)
    assert "People In Photo Albums (PIPA): 1 photo (by Flickr photo ID)" in text
    assert "UC Berkeley" in text and "Meta" in text
    assert "not findings that anyone broke the law" in text
    assert {"Write letters", "Show matched photos"} <= set(chat.buttons)


def test_a_link_sent_straight_from_the_menu_is_checked(chat):
    chat.start()
    assert "PIPA" in said(chat.text(f"flickr.com/photo.gne?id={PIPA_PHOTO}"))


def test_whole_account_by_nsid_and_paging(chat):
    chat.start()
    chat.press("My Flickr account")
    text = said(chat.text(f"https://www.flickr.com/photos/{SYNTHETIC_ACCOUNT}/"))
    assert "Diversity in Faces" in text and "MegaFace" in text
    assert "synthetic sample with fictional IDs" in text
    out = chat.press("Show matched photos")
    first = said(out)
    assert "page 1 of" in first and SYNTHETIC_ACCOUNT in first
    out = chat.press("Next")
    assert out[-1].edit and "page 2 of" in said(out)
    chat.press("Previous")
    assert "page 1 of" in said(chat.outputs[-1:])
    chat.press("Back to results")
    assert "Found" in said(chat.outputs[-1:])


def test_alias_without_flickr_key_explains_what_works(chat, monkeypatch):
    monkeypatch.delenv("FLICKR_API_KEY", raising=False)
    chat.start()
    chat.press("My Flickr account")
    text = said(chat.text("janedoe"))
    assert text.startswith("Nothing was checked") and "No match" not in text
    assert "janedoe: not checked" in text and "12345678@N00" in text and "links to your photos" in text
    assert "API key" not in text and "FLICKR_API_KEY" not in text     # server settings: the log


def test_bad_links_are_named_and_good_ones_still_checked(chat):
    chat.start()
    chat.press("Flickr photo links")
    text = said(chat.text(f"not-a-link https://example.com/x {PIPA_PHOTO} javascript:alert(1)"))
    assert "I could not use" in text and "javascript" in text
    assert "not-a-link" not in text        # a word, not a reference: ignored beside references
    assert "PIPA" in text


def test_nothing_usable_reprompts_and_keeps_state(chat, store):
    chat.start()
    chat.press("Flickr photo links")
    text = said(chat.text("{{ 7*7 }} <b>hi</b>"))
    assert "I didn't understand that" in text and "Send one or more Flickr photo links" in text
    assert store.load_session(USER)["step"] == "ask_links"


def test_image_url_matches_facescrub(chat):
    chat.start()
    chat.press("Image links")
    text = said(chat.text(
        "http://upload.wikimedia.org/wikipedia/commons/1/1b/Lorraine_Bracco_HS_Yearbook.jpeg"))
    assert "FaceScrub" in text and "by image address" in text


def test_no_match_explains_what_a_miss_does_not_prove(chat):
    chat.start()
    chat.press("Flickr photo links")
    text = said(chat.text("https://www.flickr.com/photos/nobody/1234567/"))
    assert "No match" in text and "What a miss does not prove" in text
    assert "Write letters" not in chat.buttons


def test_uploads_are_hashed_and_an_album_answered_once(chat, store):
    chat.start()
    chat.press("Upload photos")
    first = chat.upload(jpeg_bytes(make_photo(1)), as_photo=True, group="album-1")
    second = chat.upload(jpeg_bytes(make_photo(2)), as_photo=True, group="album-1")
    assert "1 photo ready" in said(first)
    assert second == []
    session = store.load_session(USER)
    assert [sorted(p) for p in session["inputs"]["photos"]] == [["md5", "name", "phash", "sha256"]] * 2
    # the photo bytes are nowhere in the stored session
    assert "JFIF" not in str(session)
    out = chat.press("Check now")
    assert "No match" in said(out)


def test_bad_uploads_get_plain_answers(chat):
    chat.start()
    chat.press("Upload photos")
    assert "too large" in said(chat.upload(None, size=50 * 1024 * 1024))
    assert "couldn't read that as an image" in said(chat.upload(b"%PDF-1.4 not an image"))
    broken = truncated(jpeg_bytes(make_photo(3)), 0.4)
    assert "couldn't read that as an image" in said(chat.upload(broken))
    assert "Check now" in chat.buttons


def test_recompressed_photo_matches_by_perceptual_hash(chat, config, tmp_path):
    images = tmp_path / "dataset-images"
    images.mkdir()
    original = make_photo(11)
    # MegaFace's own layout: <owner NSID>/<photo ID>_<n>.jpg names each image's photo
    (images / "12345678@N00").mkdir()
    (images / "12345678@N00" / "8032652775_0.jpg").write_bytes(jpeg_bytes(original))
    (images / "12345678@N00" / "1000000001_0.jpg").write_bytes(jpeg_bytes(make_photo(12)))
    (images / "loose.jpg").write_bytes(jpeg_bytes(make_photo(13)))
    hash_image_folder(config.index.path, "megaface", images, max_bytes=config.photos.max_bytes,
                      max_pixels=config.photos.max_pixels, workers=1)
    chat.start()
    chat.press("Upload photos")
    chat.upload(telegram_recompress(png_bytes(original)), as_photo=True)
    text = said(chat.press("Check now"))
    assert "MegaFace" in text and "by image similarity" in text
    listing = said(chat.press("Show matched photos"))
    assert "8032652775" in listing and "similarity distance" in listing
    assert "12345678@N00" in listing                     # the photo's page, with its owner
    assert "1000000001" not in listing


def test_stale_buttons_get_a_friendly_answer(chat):
    chat.start()
    menu_buttons = dict(chat.buttons)
    chat.press("Flickr photo links")
    out = chat.send(Press(menu_buttons["Upload photos"]))
    assert "earlier message" in said(out)
    assert "Send one or more Flickr photo links" in said(out)
    assert "earlier message" in said(chat.send(Press("garbage")))


def test_unexpected_inputs_are_answered(chat):
    chat.start()
    assert "only read text, photos and image files" in said(chat.send(Unsupported("sticker")))
    assert "How this works" in said(chat.text("/nonsense"))
    chat.press("Flickr photo links")
    out = chat.command("cancel")
    assert "Nothing you entered is lost" in said(out) and "How would you like" in said(out)


def test_progress_survives_a_restart(services, store, journey, config):
    first = Chat(journey)
    first.start()
    first.press("Flickr photo links")
    # a new journey object (as after a process restart) continues the same step
    from bot.journey.engine import Journey
    again = Chat(Journey(services, store))
    text = said(again.command("resume"))
    assert "Welcome back" in text and "Send one or more Flickr photo links" in text
    assert "PIPA" in said(again.send(Text("1808093328")))


def test_a_huge_account_is_kept_compactly_and_bounded(chat, config, store, tmp_path):
    from bot.index import import_manifest
    from bot.journey.results import MAX_STORED_MATCHES
    owner = "12345678@N00"
    paths = tmp_path / "megaface.txt"
    paths.write_text("".join(f"FlickrFinal2/123/{owner}/{9100000000000 + i}_0.jpg\n"
                             for i in range(MAX_STORED_MATCHES + 500)))
    import_manifest(config.index.path, "megaface", "megaface", [paths])
    chat.start()
    chat.press("My Flickr account")
    text = said(chat.text(owner))
    assert f"MegaFace and MF2: {MAX_STORED_MATCHES:,}".replace(",", "") in text.replace(",", "")
    assert "500 more were found" in text
    session = store.load_session(chat.user_id)
    assert len(session["result"]["rows"]) == MAX_STORED_MATCHES
    assert len(json.dumps(session)) < 1024 * 1024          # under the store's cap for a session
    chat.press("Show matched photos")
    assert f"page 1 of {MAX_STORED_MATCHES // 10}" in said(chat.outputs[-1:])
    assert f"https://www.flickr.com/photos/{owner}/9100000000000/" in said(chat.outputs[-1:])
