"""parse_flickr_ref over the forms people actually paste, and over hostile text."""

from __future__ import annotations

import random

import pytest

from bot.errors import InputError, ReferenceParseError
from bot.flickr import (FORMS_THAT_WORK, FlickrRef, base58_decode, base58_encode,
                        flickr_keys_from_url, is_nsid, normalise_nsid, parse_account_ref,
                        parse_flickr_ref)
from bot.flickr.refs import ascii_digits

P = "4325695128"          # a real photo ID; flic.kr/p/7Afjsu
N = "12345678@N00"

# (text, kind, value, owner)
VALID = [
    # photo pages
    (f"https://www.flickr.com/photos/{N}/{P}/", "photo", P, N),
    (f"https://www.flickr.com/photos/{N}/{P}", "photo", P, N),
    (f"http://www.flickr.com/photos/{N}/{P}/", "photo", P, N),
    (f"www.flickr.com/photos/{N}/{P}/", "photo", P, N),
    (f"flickr.com/photos/{N}/{P}/", "photo", P, N),
    (f"//www.flickr.com/photos/{N}/{P}/", "photo", P, N),
    (f"https://flickr.com/photos/janedoe/{P}/", "photo", P, None),
    (f"https://m.flickr.com/photos/janedoe/{P}/", "photo", P, None),
    (f"https://secure.flickr.com/photos/janedoe/{P}/", "photo", P, None),
    (f"https://www.flickr.com/photos/janedoe/{P}/in/photostream/", "photo", P, None),
    (f"https://www.flickr.com/photos/janedoe/{P}/in/album-72157624166479543/", "photo", P, None),
    (f"https://www.flickr.com/photos/janedoe/{P}/in/dateposted-public/", "photo", P, None),
    (f"https://www.flickr.com/photos/janedoe/{P}/sizes/o/", "photo", P, None),
    (f"https://www.flickr.com/photos/janedoe/{P}/sizes/l/in/photostream/", "photo", P, None),
    (f"https://www.flickr.com/photos/janedoe/{P}/lightbox/", "photo", P, None),
    (f"https://www.flickr.com/photos/janedoe/{P}/meta/", "photo", P, None),
    (f"https://www.flickr.com/photos/janedoe/{P}/?utm_source=twitter&utm_medium=social",
     "photo", P, None),
    (f"https://www.flickr.com/photos/janedoe/{P}/?fbclid=IwAR0abc#comment72157", "photo", P,
     None),
    (f"https://www.flickr.com/photos/{N.replace('@', '%40')}/{P}/", "photo", P, N),
    (f"https://www.flickr.com/photos/12345678@n00/{P}/", "photo", P, N),
    (f"HTTPS://WWW.FLICKR.COM/photos/janedoe/{P}/", "photo", P, None),
    (f"https://www.flickr.com./photos/janedoe/{P}/", "photo", P, None),
    (f"https://www.flickr.com:443/photos/janedoe/{P}/", "photo", P, None),
    (f"https://m.flickr.com/#/photos/janedoe/{P}/", "photo", P, None),
    (f"https%3A%2F%2Fwww.flickr.com%2Fphotos%2Fjanedoe%2F{P}%2F", "photo", P, None),
    (f"https:/www.flickr.com/photos/janedoe/{P}/", "photo", P, None),
    # wrapping, trailing junk, whitespace, invisible characters
    (f"  https://www.flickr.com/photos/janedoe/{P}/  \n", "photo", P, None),
    (f"<https://www.flickr.com/photos/janedoe/{P}/>", "photo", P, None),
    (f"(https://www.flickr.com/photos/janedoe/{P}/).", "photo", P, None),
    (f'"https://www.flickr.com/photos/janedoe/{P}/",', "photo", P, None),
    (f"\u201chttps://flic.kr/p/7Afjsu\u201d", "photo", P, None),
    (f"'https://flic.kr/p/7Afjsu'!", "photo", P, None),
    ("https://flic.kr/p/7Afjsu\u2026", "photo", P, None),
    ("\u200bhttps://flic.kr/p/7Afjsu\ufeff", "photo", P, None),
    ("\u202ahttps://flic.kr/p/7Afjsu\u202c", "photo", P, None),
    # full-width letters (browsers read them as ASCII too)
    ("\uff46\uff4c\uff49\uff43\uff0e\uff4b\uff52/p/7Afjsu", "photo", P, None),
    # image URLs, every host generation and size suffix
    (f"https://live.staticflickr.com/65535/{P}_0123456789_b.jpg", "photo", P, None),
    (f"https://live.staticflickr.com/65535/{P}_0123456789.jpg", "photo", P, None),
    (f"https://live.staticflickr.com/65535/{P}_0123456789_3k.jpg", "photo", P, None),
    (f"https://live.staticflickr.com/65535/{P}_0123456789_4k.jpg", "photo", P, None),
    (f"https://live.staticflickr.com/65535/{P}_0123456789_k_d.jpg", "photo", P, None),
    (f"https://live.staticflickr.com/65535/{P}_a1b2c3d4e5_o.png", "photo", P, None),
    (f"https://live.staticflickr.com/65535/{P}_a1b2c3d4e5_o.gif", "photo", P, None),
    (f"https://live.staticflickr.com/65535/{P}_0123456789_b.jpg?zz=1", "photo", P, None),
    (f"https://farm3.staticflickr.com/2042/{P}_0123456789_z.jpg", "photo", P, None),
    (f"http://farm66.staticflickr.com/65535/{P}_0123456789_c.jpg", "photo", P, None),
    (f"https://c1.staticflickr.com/9/8123/{P}_fe23cce7f1_b.jpg", "photo", P, None),
    (f"https://c2.staticflickr.com/2/1/{P}_fe23cce7f1_h.jpg", "photo", P, None),
    (f"http://farm1.static.flickr.com/2/{P}_1e92283336_m.jpg", "photo", P, None),
    (f"http://static.flickr.com/2/{P}_1e92283336_t.jpg", "photo", P, None),
    (f"http://static.flickr.com/2/{P}_1E92283336_S.JPG", "photo", P, None),
    (f"http://photos23.flickr.com/{P}_1e92283336_q.jpg", "photo", P, None),
    (f"farm4.staticflickr.com/3032/{P}_4c3b4a1f4c_n.jpg", "photo", P, None),
    (f"https://farm4.staticflickr.com/3032/{P}_4c3b4a1f4c_w.jpg", "photo", P, None),
    (f"HTTPS://LIVE.STATICFLICKR.COM/65535/{P}_0123456789_B.JPG", "photo", P, None),
    ("https://live.staticflickr.com/65535/123_0123456789_b.jpg", "photo", "123", None),
    # buddy icons name the account
    (f"https://farm1.staticflickr.com/123/buddyicons/{N}.jpg", "owner", N, None),
    (f"https://live.staticflickr.com/5/buddyicons/{N}_r.jpg?1370976393", "owner", N, None),
    # photo.gne, embeds, short links
    (f"https://www.flickr.com/photo.gne?id={P}", "photo", P, None),
    (f"https://www.flickr.com/photo.gne?rb=1&id={P}", "photo", P, None),
    (f"http://flickr.com/photo_zoom.gne?id={P}&size=l", "photo", P, None),
    ("https://www.flickr.com/photo.gne?short=7Afjsu", "photo", P, None),
    (f"https://embedr.flickr.com/photos/{P}", "photo", P, None),
    ("https://flic.kr/p/7Afjsu", "photo", P, None),
    ("http://flic.kr/p/7Afjsu/", "photo", P, None),
    ("flic.kr/p/7Afjsu", "photo", P, None),
    ("www.flic.kr/p/7Afjsu", "photo", P, None),
    ("https://flic.kr/p/7Afjsu?utm_campaign=x", "photo", P, None),
    ("https://FLIC.KR/p/7Afjsu", "photo", P, None),
    # bare values
    (P, "photo", P, None),
    (f"  {P}.", "photo", P, None),
    ("00" + P, "photo", P, None),
    ("9223372036854775807", "photo", "9223372036854775807", None),
    ("7", "photo", "7", None),
    ("\uff14\uff13\uff12\uff15\uff16\uff19\uff15\uff11\uff12\uff18", "photo", P, None),
    (N, "owner", N, None),
    ("12345678@n00", "owner", N, None),
    (f"{N}/", "owner", N, None),
    ("9019583@N08", "owner", "9019583@N08", None),
    ("35034348999@N01", "owner", "35034348999@N01", None),
    # profiles and account pages
    (f"https://www.flickr.com/photos/{N}/", "owner", N, None),
    (f"https://www.flickr.com/photos/{N}", "owner", N, None),
    (f"https://www.flickr.com/people/{N}/", "owner", N, None),
    (f"https://www.flickr.com/photos/{N}/albums", "owner", N, None),
    (f"https://www.flickr.com/photos/{N}/with/{P}/", "owner", N, None),
    ("https://www.flickr.com/photos/janedoe/", "alias", "janedoe", None),
    ("https://www.flickr.com/photos/JaneDoe", "alias", "JaneDoe", None),
    ("flickr.com/photos/jane_doe-2/", "alias", "jane_doe-2", None),
    ("https://www.flickr.com/people/janedoe/", "alias", "janedoe", None),
    ("https://www.flickr.com/people/janedoe/contacts/", "alias", "janedoe", None),
    ("https://www.flickr.com/photos/janedoe/albums/72157624166479543", "alias", "janedoe",
     None),
    ("https://www.flickr.com/photos/janedoe/sets/72157624166479543/", "alias", "janedoe",
     None),
    ("https://www.flickr.com/photos/janedoe/favorites/", "alias", "janedoe", None),
    ("https://www.flickr.com/photos/janedoe/galleries/", "alias", "janedoe", None),
    ("https://www.flickr.com/photos/janedoe/page3", "alias", "janedoe", None),
    ("https://m.flickr.com/photos/janedoe/", "alias", "janedoe", None),
    ("https://m.flickr.com/#/photos/janedoe/", "alias", "janedoe", None),
    # typed usernames
    ("janedoe", "alias", "janedoe", None),
    ("@janedoe", "alias", "janedoe", None),
    ("Jane Doe", "alias", "Jane Doe", None),
    ("  Jane   Doe  ", "alias", "Jane Doe", None),
    ("jane.doe", "alias", "jane.doe", None),
    ("O'Brien Photos", "alias", "O'Brien Photos", None),
    ("J\u00fcrgen M\u00fcller", "alias", "J\u00fcrgen M\u00fcller", None),
    ("\u5199\u771f\u5bb6", "alias", "\u5199\u771f\u5bb6", None),
]


@pytest.mark.parametrize(("text", "kind", "value", "owner"), VALID,
                         ids=[repr(v[0])[:60] for v in VALID])
def test_real_world_forms(text, kind, value, owner):
    ref = parse_flickr_ref(text)
    assert (ref.kind, ref.value, ref.owner) == (kind, value, owner)
    assert ref.text == ref.text.strip() and ref.text


# (text, a fragment the message must contain)
INVALID = [
    ("", "empty"),
    ("   \n\t ", "empty"),
    ("\u200b\u200b", "empty"),
    ("javascript:alert(1)", "web links"),
    ("JavaScript:alert(document.cookie)//https://flickr.com/photos/x/1", "web links"),
    ("data:text/html,<script>alert(1)</script>", "web links"),
    ("file:///etc/passwd", "web links"),
    ("ftp://flickr.com/photos/janedoe/", "web links"),
    ("mailto:jane@example.com", "web links"),
    ("jane@example.com", "email"),
    ("https://example.com/photos/janedoe/4325695128/", "not a Flickr link"),
    ("https://flickr.com.evil.example/photos/janedoe/4325695128/", "not a Flickr link"),
    ("https://evilflickr.com/photos/janedoe/4325695128/", "not a Flickr link"),
    ("https://www.google.com/url?q=https://www.flickr.com/photos/janedoe/", "not a Flickr"),
    ("example.com", "not a Flickr link"),
    ("https://flickr.com@evil.example/photos/janedoe/4325695128/", "@"),
    ("https://user:pw@www.flickr.com/photos/janedoe/", "@"),
    ("https://evil.example\\@www.flickr.com/photos/janedoe/", "backslash"),
    ("https://www.flickr.com:99999/photos/janedoe/", "malformed"),
    # look-alike letters: Cyrillic і, Greek ο
    ("https://www.fl\u0456ckr.com/photos/janedoe/4325695128/", "not a Flickr link"),
    ("https://www.flickr.c\u03bfm/photos/janedoe/4325695128/", "not a Flickr link"),
    ("https://www.xn--flckr-5ve.com/photos/janedoe/", "not a Flickr link"),
    ("https://www.flickr.com/", "home page"),
    ("flickr.com", "home page"),
    ("https://www.flickr.com/photos/", "general"),
    ("https://www.flickr.com/photos/tags/sunset", "tags"),
    ("https://www.flickr.com/photos/me/", "logged in"),
    ("https://www.flickr.com/groups/faces/", "group"),
    ("https://www.flickr.com/search/?text=janedoe", "group, a search"),
    ("https://www.flickr.com/photos/jane%20doe/", "never have"),
    ("https://www.flickr.com/photos/%3Cscript%3E/", "never have"),
    ("https://www.flickr.com/photos/../etc/", "never have"),
    ("https://www.flickr.com/photo.gne?id=abc", "id="),
    ("https://www.flickr.com/photo.gne", "id="),
    ("https://www.flickr.com/photo.gne?" + "&".join(f"x{i}=1" for i in range(150)) + "&id=5",
     "too many"),
    ("https://www.flickr.com/settings/", "not a photo, profile"),
    ("https://flic.kr/p/0Olz", "damaged"),
    ("https://flic.kr/p/7Afjsu7Afjsu7Afjsu", "damaged"),
    ("https://flic.kr/p/zzzzzzzzzzz", "damaged"),  # > 2**63
    ("https://flic.kr/ps/2kE7Kp", "photostreams"),
    ("https://flic.kr/s/aHsjtaTXy5", "photostreams"),
    ("https://flic.kr/", "short photo link"),
    ("https://live.staticflickr.com/65535/", "no photo ID"),
    ("https://live.staticflickr.com/65535/picture.jpg", "no photo ID"),
    ("https://live.staticflickr.com/65535/4325695128_zzzz_b.jpg", "no photo ID"),
    ("https://live.staticflickr.com/65535/buddyicons/janedoe.jpg", "no photo ID"),
    ("https://live.staticflickr.com/65535/99999999999999999999_0123456789_b.jpg", "too long"),
    ("99999999999999999999", "too long"),
    ("9223372036854775808", "too long"),
    ("1" * 5000, "too long"),
    ("0", "not a Flickr photo ID"),
    ("000", "not a Flickr photo ID"),
    ("https://www.flickr.com/photos/janedoe/" + "9" * 25 + "/", "too long"),
    ("a\x00b", "control characters"),
    ("https://flic.kr/p/7Afjsu\x00", "control characters"),
    ("https://www.flickr.com/photos/janedoe/\x1b[31m", "control characters"),
    ("{{ 7*7 }}", "usernames"),
    ("${jndi:ldap://x}", "malformed"),
    ("<script>alert(1)</script>", "not a Flickr"),
    ("=HYPERLINK(\"x\")", "usernames"),
    ("https://flic.kr/p/7Afjsu https://flic.kr/p/7Afjsv", "one link at a time"),
    ("see https://flic.kr/p/7Afjsu", "one link at a time"),
    ("x" * 65, "not a Flickr link, ID or username"),
    ("https://www.flickr.com/photos/janedoe/" + "a" * 3000, "too long"),
    ("a" * 40_000, "too long"),
]


@pytest.mark.parametrize(("text", "fragment"), INVALID,
                         ids=[repr(v[0])[:60] for v in INVALID])
def test_hostile_and_wrong_input_gets_a_clear_error(text, fragment):
    with pytest.raises(ReferenceParseError) as caught:
        parse_flickr_ref(text)
    message = str(caught.value)
    assert fragment.lower() in message.lower()
    assert isinstance(caught.value, InputError)
    assert "Traceback" not in message and len(message) < 600


def test_wrong_host_errors_list_the_forms_that_work():
    with pytest.raises(ReferenceParseError) as caught:
        parse_flickr_ref("https://www.instagram.com/janedoe/")
    assert FORMS_THAT_WORK in str(caught.value)
    assert "flic.kr/p/" in FORMS_THAT_WORK and "12345678@N00" in FORMS_THAT_WORK


def test_non_text_is_refused():
    with pytest.raises(ReferenceParseError):
        parse_flickr_ref(b"https://flic.kr/p/7Afjsu")  # type: ignore[arg-type]


def test_text_keeps_what_was_pasted_trimmed_and_capped():
    ref = parse_flickr_ref("  \u200bhttps://flic.kr/p/7Afjsu \n")
    assert ref == FlickrRef("photo", P, "https://flic.kr/p/7Afjsu")


def test_parse_account_ref_gives_the_owner_of_photo_pages():
    assert parse_account_ref(f"https://www.flickr.com/photos/janedoe/{P}/").value == "janedoe"
    assert parse_account_ref(f"https://www.flickr.com/photos/{N}/{P}/") == FlickrRef(
        "owner", N, f"https://www.flickr.com/photos/{N}/{P}/")
    assert parse_account_ref("Jane Doe").kind == "alias"
    for photo_only in ("https://flic.kr/p/7Afjsu", P,
                       f"https://live.staticflickr.com/65535/{P}_0123456789_b.jpg"):
        with pytest.raises(ReferenceParseError, match="one photo, not an account"):
            parse_account_ref(photo_only)


# --- digits of other scripts -------------------------------------------------------------

def in_script(text: str, zero: str) -> str:
    """``text`` with its ASCII digits written in the script whose zero is ``zero``."""
    return "".join(chr(ord(zero) + int(c)) if c.isdigit() else c for c in text)


SCRIPTS = {"arabic-indic": "\u0660", "extended-arabic-indic": "\u06f0", "devanagari": "\u0966",
           "bengali": "\u09e6", "thai": "\u0e50", "full-width": "\uff10", "math-bold": "\U0001d7ce"}


@pytest.mark.parametrize("zero", SCRIPTS.values(), ids=SCRIPTS.keys())
@pytest.mark.parametrize(("text", "kind", "value", "owner"), [
    (P, "photo", P, None),
    (N, "owner", N, None),
    (f"https://www.flickr.com/photos/{N}/{P}/", "photo", P, N),
    (f"https://www.flickr.com/photos/{N}/", "owner", N, None),
    (f"https://www.flickr.com/photos/janedoe/{P}/", "photo", P, None),
    (f"https://live.staticflickr.com/65535/{P}_0123456789_b.jpg", "photo", P, None),
    (f"https://www.flickr.com/photo.gne?id={P}", "photo", P, None),
])
def test_ids_typed_in_other_digit_forms_are_the_same_ids(zero, text, kind, value, owner):
    typed = in_script(text, zero)
    assert typed != text
    ref = parse_flickr_ref(typed)
    assert (ref.kind, ref.value, ref.owner) == (kind, value, owner)
    assert ref.value.isascii() and ref.text == typed          # what was typed stays as typed


def test_percent_encoded_digits_of_other_scripts_in_a_link():
    arabic = in_script(P, SCRIPTS["arabic-indic"])
    encoded = "".join(f"%{b:02X}" for b in arabic.encode())
    assert parse_flickr_ref(f"https://www.flickr.com/photo.gne?id={encoded}").value == P
    assert parse_flickr_ref(f"https://www.flickr.com/photos/janedoe/{encoded}/").value == P


def test_a_typed_username_keeps_its_own_digits():
    # only IDs, NSIDs and links are numbers; a display name is looked up as written
    assert parse_flickr_ref("\u0623\u062d\u0645\u062f\u0663").value == (
        "\u0623\u062d\u0645\u062f\u0663")
    assert parse_account_ref(in_script(N, SCRIPTS["devanagari"])).value == N


@pytest.mark.parametrize("text", [
    P + "\u00b2",                       # superscript two, as in a footnote mark
    "\u00b9\u00b2\u00b3\u2074\u2075",           # superscripts
    "\u2081\u2082\u2083",                  # subscripts
    "\u2460\u2461\u2462",                  # circled
    "\u2776\u2777",                        # dingbat negative circled
    f"https://www.flickr.com/photos/janedoe/{P}\u00b9/",
    "jane\u00b2doe",
])
def test_superscript_subscript_and_circled_numbers_are_refused(text):
    with pytest.raises(ReferenceParseError, match="superscript, subscript or circled"):
        parse_flickr_ref(text)


def test_ascii_digits_changes_decimal_digits_only():
    assert ascii_digits("\u0661\u0662\u0663-\u096a\uff15\U0001d7d4") == "123-456"
    assert ascii_digits("x\u00b2\u2460\u00bd\u2167y") == "x\u00b2\u2460\u00bd\u2167y"   # not Nd: kept
    assert ascii_digits("plain 42") == "plain 42"


def test_manifest_urls_never_give_non_ascii_ids():
    arabic = in_script(f"http://www.flickr.com/photos/{N}/{P}/", SCRIPTS["arabic-indic"])
    assert flickr_keys_from_url(arabic) == (P, N)
    odd = "http://farm4.staticflickr.com/3032/" + in_script(P, SCRIPTS["thai"]) + "_4c3b4a1f4c.jpg"
    assert flickr_keys_from_url(odd) == (P, None)
    assert not is_nsid(in_script(N, SCRIPTS["arabic-indic"]))   # the pattern is ASCII-only


# --- base58 -----------------------------------------------------------------------------

def test_base58_flickr_test_vector():
    assert base58_encode(4325695128) == "7Afjsu"
    assert base58_decode("7Afjsu") == 4325695128


@pytest.mark.parametrize("number", [1, 57, 58, 59, 3363, 58**5, 10**10 + 7, 53_141_572_351,
                                    2**53 + 1, 2**63 - 1])
def test_base58_round_trips(number):
    code = base58_encode(number)
    assert base58_decode(code) == number
    assert not set(code) & set("0OIl")


@pytest.mark.parametrize("code", ["", "0", "O", "I", "l", "7Afj su", "7Afjs\u00fc",
                                  "z" * 12, "zzzzzzzzzzz"])
def test_base58_rejects_bad_codes(code):
    with pytest.raises(ValueError):
        base58_decode(code)


def test_base58_encode_rejects_non_numbers():
    with pytest.raises(ValueError):
        base58_encode(-1)
    with pytest.raises(TypeError):
        base58_encode("12")  # type: ignore[arg-type]
    assert base58_encode(0) == "1"


# --- helpers for the importers ----------------------------------------------------------

@pytest.mark.parametrize(("url", "expected"), [
    # YFCC100M page_url / download_url forms (the fast path)
    (f"http://www.flickr.com/photos/{N}/{P}/", (P, N)),
    (f"http://www.flickr.com/photos/12345678%40N00/{P}/", (P, N)),
    (f"http://www.flickr.com/photos/janedoe/{P}/", (P, None)),
    (f"http://farm4.staticflickr.com/3032/{P}_4c3b4a1f4c.jpg", (P, None)),
    (f"https://live.staticflickr.com/65535/{P}_4c3b4a1f4c_b.jpg", (P, None)),
    (f"https://c1.staticflickr.com/9/8123/{P}_fe23cce7f1_b.jpg", (P, None)),
    (f"http://farm1.static.flickr.com/2/{P}_1e92283336_m.jpg", (P, None)),
    # unusual Flickr forms (the full parser)
    (f"http://photos23.flickr.com/{P}_1e92283336.jpg", (P, None)),
    ("https://flic.kr/p/7Afjsu", (P, None)),
    (f"https://www.flickr.com/photo.gne?id={P}", (P, None)),
    (f"https://www.flickr.com/photos/{N}/", (None, N)),
    (f"HTTP://WWW.FLICKR.COM/PHOTOS/{N}/{P}/", (P, N)),
    (f"https://www.flickr.com/photos/{N}/00{P}/", (P, N)),
    # nothing to take
    ("https://www.flickr.com/photos/janedoe/", (None, None)),
    ("http://example.com/faces/0001.jpg", (None, None)),
    (f"http://example.com/www.flickr.com/photos/{N}/{P}/", (None, None)),
    ("https://www.flickr.com/photos/janedoe/99999999999999999999/", (None, None)),
    ("", (None, None)),
    ("not a url at all", (None, None)),
    ("flickr\x00", (None, None)),
])
def test_flickr_keys_from_url(url, expected):
    assert flickr_keys_from_url(url) == expected


def test_fast_path_agrees_with_the_full_parser():
    urls = [f"http://www.flickr.com/photos/{N}/{P}/",
            f"http://farm4.staticflickr.com/3032/{P}_4c3b4a1f4c.jpg",
            f"https://live.staticflickr.com/65535/{P}_4c3b4a1f4c_o.png"]
    for url in urls:
        ref = parse_flickr_ref(url)
        assert flickr_keys_from_url(url) == (ref.value, ref.owner)


def test_nsid_helpers():
    assert is_nsid(N) and is_nsid("9019583@N08")
    assert not is_nsid("janedoe") and not is_nsid(N + " ") and not is_nsid("@N00")
    assert normalise_nsid(" 12345678@n00 ") == N
    with pytest.raises(ValueError):
        normalise_nsid("janedoe")


# --- fuzz: random pastes never raise anything but ReferenceParseError ---------------------

PIECES = ["https://", "http://", "//", "www.", "m.", "flickr.com", "flic.kr", "staticflickr.com",
          "live.", "farm3.", "/photos/", "/people/", "/p/", "/", "?", "#", "&", "=", "id",
          "photo.gne", "4325695128", "_0123456789", "_b", ".jpg", "12345678@N00", "@", "%40",
          "%", "%2F", "%3A", ":", ":443", "\\", " ", "\t", "\u200b", "\u0456", "\uff46", "\x00",
          "\x7f", "..", "janedoe", "7Afjsu", "0", "9" * 25, "<", ">", "\"", "'", "(", ")",
          "javascript:", "data:", "{{", "}}", "\U0001F600", "é", "ß", "İ", "\u0664\u0663\u0662",
          "\u06f5", "\u0967\u0968", "\u00b2", "\u2460", "\uff19"]


def test_random_pastes_never_crash():
    rng = random.Random(20240611)
    seen = {"parsed": 0, "refused": 0}
    for _ in range(5000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12)))
        try:
            ref = parse_flickr_ref(text)
        except ReferenceParseError:
            seen["refused"] += 1
        else:
            seen["parsed"] += 1
            assert ref.kind in ("photo", "owner", "alias") and ref.value
            if ref.kind == "photo":
                assert ref.value.isascii() and ref.value.isdigit() and 0 < int(ref.value) < 2**63
            elif ref.kind == "owner":
                assert ref.value.isascii() and is_nsid(ref.value)
        photo, owner = flickr_keys_from_url(text)
        assert photo is None or (photo.isascii() and photo.isdigit() and int(photo) < 2**63)
        assert owner is None or is_nsid(owner)
    assert seen["parsed"] > 100 and seen["refused"] > 100
