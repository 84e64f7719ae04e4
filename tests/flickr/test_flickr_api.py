"""FlickrClient against a Flickr look-alike HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import socket
import threading

import pytest
import requests

import bot.flickr.api as api_module
from bot.config import Config
from bot.errors import (FlickrError, FlickrKeyInvalid, FlickrKeyMissing, FlickrUnavailable,
                        FlickrUserNotFound, ReferenceParseError)
from bot.flickr import FlickrClient, PublicPhotos
from tests.flickr.fake_flickr_server import API_KEY, FakeFlickr, Fault, photo_ids_for

NSID = "12345678@N00"
BIG = "98765432@N05"


@pytest.fixture
def flickr():
    with FakeFlickr() as server:
        server.add_user(NSID, alias="janedoe", username="Jane Doe", photos=3)
        server.add_user(BIG, alias="bigaccount", photos=1234)
        server.add_user("55555555@N01", username="nocustomurl", photos=0)
        yield server


@pytest.fixture
def slept():
    return []


def make_client(server: FakeFlickr, slept: list, *, key: str | None = API_KEY,
                timeout: float = 5.0, max_retries: int = 3, max_photos: int = 50_000,
                jitter: float = 0.0) -> FlickrClient:
    return FlickrClient(key, api_url=server.url, timeout=timeout, max_retries=max_retries,
                        max_photos=max_photos, sleep=slept.append, jitter=lambda: jitter)


def ok_body(data: dict) -> str:
    return json.dumps({**data, "stat": "ok"})


# --- resolve_user ---------------------------------------------------------------------

def test_alias_resolves_through_lookup_user_with_a_post_carrying_json_options(flickr, slept):
    client = make_client(flickr, slept)
    assert client.resolve_user("janedoe") == NSID
    (call,) = flickr.requests
    assert call.http_method == "POST"
    assert call.form["method"] == "flickr.urls.lookupUser"
    assert call.form["url"] == "https://www.flickr.com/photos/janedoe/"
    assert call.form["format"] == "json" and call.form["nojsoncallback"] == "1"
    assert call.form["api_key"] == API_KEY
    assert call.query == {}  # neither the key nor the name is in the URL
    assert call.headers["User-Agent"].startswith("rightsbot/")


def test_profile_and_photo_links_resolve_their_alias(flickr, slept):
    client = make_client(flickr, slept)
    assert client.resolve_user("https://www.flickr.com/photos/janedoe/") == NSID
    assert client.resolve_user("flickr.com/photos/JaneDoe/4325695128/in/photostream") == NSID
    assert client.resolve_user("https://www.flickr.com/people/janedoe/") == NSID


def test_username_with_spaces_goes_straight_to_find_by_username(flickr, slept):
    client = make_client(flickr, slept)
    assert client.resolve_user("Jane Doe") == NSID
    assert [r.form["method"] for r in flickr.requests] == ["flickr.people.findByUsername"]
    assert flickr.requests[0].form["username"] == "Jane Doe"


def test_alias_unknown_to_lookup_user_falls_back_to_find_by_username(flickr, slept):
    client = make_client(flickr, slept)
    assert client.resolve_user("nocustomurl") == "55555555@N01"
    assert [r.form["method"] for r in flickr.requests] == [
        "flickr.urls.lookupUser", "flickr.people.findByUsername"]


def test_nsids_need_neither_the_api_nor_a_key(flickr, slept):
    client = make_client(flickr, slept, key=None)
    assert client.resolve_user("12345678@n00") == NSID
    assert client.resolve_user("https://www.flickr.com/photos/12345678@N00/") == NSID
    assert client.resolve_user("https://www.flickr.com/photos/12345678@N00/4325695128/") == NSID
    assert flickr.requests == []


def test_unknown_user_is_a_clear_error_that_does_not_repeat_the_name(flickr, slept):
    client = make_client(flickr, slept)
    with pytest.raises(FlickrUserNotFound) as caught:
        client.resolve_user("nobody-here")
    assert "nobody-here" not in str(caught.value)
    assert "no account" in str(caught.value)
    assert len(flickr.requests) == 2  # lookupUser, then findByUsername
    assert slept == []                # "not found" is an answer, not a failure to retry


def test_missing_key_says_what_still_works(flickr, slept):
    client = make_client(flickr, slept, key=None)
    assert not client.has_key
    with pytest.raises(FlickrKeyMissing) as caught:
        client.resolve_user("janedoe")
    assert "FLICKR_API_KEY" in str(caught.value) and "12345678@N00" in str(caught.value)
    with pytest.raises(FlickrKeyMissing):
        client.public_photo_ids(NSID)
    assert flickr.requests == []


def test_invalid_key_is_error_100_and_falls_back_like_a_missing_key(flickr, slept):
    client = make_client(flickr, slept, key="not-the-key")
    with pytest.raises(FlickrKeyInvalid) as caught:
        client.resolve_user("janedoe")
    assert isinstance(caught.value, FlickrKeyMissing)
    assert "rejected" in str(caught.value)
    assert len(flickr.requests) == 1 and slept == []


def test_text_that_names_no_account_is_an_input_error(flickr, slept):
    client = make_client(flickr, slept)
    with pytest.raises(ReferenceParseError):
        client.resolve_user("https://flic.kr/p/7Afjsu")
    with pytest.raises(ReferenceParseError):
        client.resolve_user("https://example.com/photos/janedoe/")
    assert flickr.requests == []


def test_lookup_answer_without_an_nsid_is_reported_not_trusted(flickr, slept):
    flickr.script(Fault(body=ok_body({"user": {"id": "<script>", "username": {}}})))
    client = make_client(flickr, slept)
    with pytest.raises(FlickrUnavailable):
        client.resolve_user("janedoe")


def test_from_config_reads_the_key_from_the_environment(flickr, monkeypatch):
    monkeypatch.setenv("FLICKR_API_KEY", f"  {API_KEY}\n")
    config = Config.defaults().with_overrides(
        flickr={"api_url": flickr.url, "timeout_seconds": 2.0, "max_retries": 1,
                "max_photos": 700})
    with FlickrClient.from_config(config) as client:
        assert (client.timeout, client.max_retries, client.max_photos) == (2.0, 1, 700)
        assert client.resolve_user("janedoe") == NSID
    monkeypatch.delenv("FLICKR_API_KEY")
    assert not FlickrClient.from_config(config).has_key


# --- public_photo_ids -----------------------------------------------------------------

def test_multi_page_account_is_listed_to_the_end(flickr, slept):
    client = make_client(flickr, slept)
    seen = []
    ids = client.public_photo_ids(BIG, progress=lambda done, total: seen.append((done, total)))
    assert isinstance(ids, PublicPhotos)
    assert ids == photo_ids_for(BIG, 1234)
    assert len(set(ids)) == 1234
    assert (ids.total, ids.capped) == (1234, False)
    calls = flickr.calls("flickr.people.getPublicPhotos")
    assert [(c.form["page"], c.form["per_page"]) for c in calls] == [
        ("1", "500"), ("2", "500"), ("3", "500")]
    assert all(c.form["user_id"] == BIG for c in calls)
    assert seen == [(500, 1234), (1000, 1234), (1234, 1234)]


def test_total_as_a_number_works_too(slept):
    with FakeFlickr(total_as_string=False) as server:
        server.add_user(BIG, photos=501)
        ids = make_client(server, slept).public_photo_ids(BIG)
    assert len(ids) == 501 and ids.total == 501


def test_listing_stops_at_max_photos_and_says_it_was_capped(flickr, slept):
    client = make_client(flickr, slept, max_photos=1000)
    ids = client.public_photo_ids(BIG)
    assert len(ids) == 1000 and ids.capped and ids.total == 1234
    assert ids == photo_ids_for(BIG, 1234)[:1000]
    assert len(flickr.requests) == 2


def test_small_cap_uses_small_pages(flickr, slept):
    ids = make_client(flickr, slept, max_photos=2).public_photo_ids(NSID)
    assert len(ids) == 2 and ids.capped
    assert flickr.requests[0].form["per_page"] == "2"


def test_empty_account_is_an_empty_list(flickr, slept):
    ids = make_client(flickr, slept).public_photo_ids("55555555@N01")
    assert ids == [] and ids.total == 0 and not ids.capped


def test_unknown_nsid_is_user_not_found(flickr, slept):
    with pytest.raises(FlickrUserNotFound):
        make_client(flickr, slept).public_photo_ids("11111111@N00")


def test_not_an_nsid_is_refused_before_any_request(flickr, slept):
    with pytest.raises(FlickrError):
        make_client(flickr, slept).public_photo_ids("janedoe")
    assert flickr.requests == []


def test_entries_without_usable_ids_are_skipped(flickr, slept):
    page = {"photos": {"page": 1, "pages": 1, "perpage": 500, "total": "5", "photo": [
        {"id": "123456"}, {"id": 42}, {"id": "12a"}, "junk", {"id": "123456"}, {"id": "99"},
    ]}}
    flickr.script(Fault(body=ok_body(page)))
    ids = make_client(flickr, slept).public_photo_ids(NSID)
    assert ids == ["123456", "99"]


def test_a_photo_list_of_the_wrong_shape_is_unavailable(flickr, slept):
    flickr.script(Fault(body=ok_body({"photos": "none"})))
    with pytest.raises(FlickrUnavailable):
        make_client(flickr, slept).public_photo_ids(NSID)


# --- retries, timeouts, garbage -------------------------------------------------------

def test_429_with_retry_after_is_honoured(flickr, slept):
    flickr.script(Fault(status=429, headers={"Retry-After": "7"}, body="slow down"))
    assert make_client(flickr, slept).resolve_user("janedoe") == NSID
    assert slept == [7.0]
    assert len(flickr.requests) == 2


def test_retry_after_as_an_http_date_is_understood(flickr, slept):
    flickr.script(Fault(status=503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    assert make_client(flickr, slept).resolve_user("janedoe") == NSID
    assert slept == [0.5]  # a date in the past: no extra wait beyond the backoff


@pytest.mark.parametrize(("header", "expected"), [("2.5", 2.5), ("nan", 0.5), ("-3", 0.5),
                                                  ("soon", 0.5), ("", 0.5)])
def test_odd_retry_after_values(flickr, slept, header, expected):
    flickr.script(Fault(status=429, headers={"Retry-After": header}))
    assert make_client(flickr, slept).resolve_user("janedoe") == NSID
    assert slept == [expected]


def test_an_injected_session_is_used_and_left_open(flickr, slept):
    session = requests.Session()
    session.headers["X-Test-Session"] = "yes"
    client = FlickrClient(API_KEY, api_url=flickr.url, timeout=5, max_retries=0, max_photos=10,
                          session=session, sleep=slept.append)
    with client:
        assert client.resolve_user("janedoe") == NSID
    assert flickr.requests[0].headers.get("X-Test-Session") == "yes"
    assert session.get(flickr.url, params={"method": "x"}).status_code == 200  # still usable
    session.close()


def test_one_client_serves_many_threads(flickr, slept):
    client = make_client(flickr, slept)
    results: list = []

    def work() -> None:
        results.append((client.resolve_user("janedoe"), len(client.public_photo_ids(BIG))))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [(NSID, 1234)] * 6
    assert len(client._own_sessions) == 6  # one session per thread
    client.close()
    assert client._own_sessions == []


def test_retry_after_beyond_reason_gives_up_at_once(flickr, slept):
    flickr.script(Fault(status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(FlickrUnavailable) as caught:
        make_client(flickr, slept).resolve_user("janedoe")
    assert "60 minutes" in str(caught.value)
    assert slept == [] and len(flickr.requests) == 1


def test_server_errors_are_retried_with_growing_backoff(flickr, slept):
    flickr.script(Fault(status=500, body="<html>oops</html>"), Fault(status=502),
                  Fault(status=503))
    assert make_client(flickr, slept).resolve_user("janedoe") == NSID
    assert slept == [0.5, 1.0, 2.0]  # equal jitter with the random part at 0


def test_jitter_adds_up_to_half_again(flickr, slept):
    flickr.script(Fault(status=500), Fault(status=500))
    make_client(flickr, slept, jitter=1.0).resolve_user("janedoe")
    assert slept == [1.0, 2.0]


def test_persistent_failure_ends_as_unavailable_after_the_retries(flickr, slept):
    flickr.script(*[Fault(status=503) for _ in range(10)])
    with pytest.raises(FlickrUnavailable) as caught:
        make_client(flickr, slept, max_retries=3).resolve_user("janedoe")
    assert len(flickr.requests) == 4
    assert len(slept) == 3
    assert "HTTP 503" in str(caught.value) and "try again later" in str(caught.value)


def test_flickr_service_unavailable_code_is_retried(flickr, slept):
    flickr.script(Fault(body=json.dumps({"stat": "fail", "code": 105,
                                         "message": "Service currently unavailable"})))
    assert make_client(flickr, slept).resolve_user("janedoe") == NSID
    assert len(slept) == 1


def test_html_error_page_with_status_200_is_retried_then_reported(flickr, slept):
    flickr.script(*[Fault(body="<!DOCTYPE html><title>Flickr is down</title>")] * 3)
    with pytest.raises(FlickrUnavailable) as caught:
        make_client(flickr, slept, max_retries=2).resolve_user("janedoe")
    assert "not JSON" in str(caught.value)


@pytest.mark.parametrize("body", [
    b"\xff\xfe\x00garbage",
    b"[" * 100_000 + b"]" * 100_000,          # deeper than the JSON parser's recursion
    b'["a", "list"]',
    b'{"stat": "maybe"}',
    b'{"stat": "ok", "user": ',             # truncated
])
def test_garbage_bodies_are_retried_not_crashed_on(flickr, slept, body):
    flickr.script(Fault(body=body))
    assert make_client(flickr, slept).resolve_user("janedoe") == NSID
    assert len(flickr.requests) == 2


def test_jsonp_wrapper_is_tolerated(flickr, slept):
    flickr.script(Fault(body="jsonFlickrApi(" + ok_body({"user": {"id": BIG}}) + ")"))
    assert make_client(flickr, slept).resolve_user("janedoe") == BIG


def test_oversized_answer_is_refused(flickr, slept, monkeypatch):
    monkeypatch.setattr(api_module, "MAX_RESPONSE_BYTES", 1000)
    flickr.script(Fault(body=ok_body({"user": {"id": BIG}, "pad": "x" * 5000})))
    assert make_client(flickr, slept).resolve_user("janedoe") == NSID
    assert len(flickr.requests) == 2


def test_slow_answer_times_out_and_is_retried(flickr, slept):
    flickr.script(Fault(delay=1.5, body=ok_body({"user": {"id": BIG}})))
    assert make_client(flickr, slept, timeout=0.3).resolve_user("janedoe") == NSID
    assert len(flickr.requests) == 2


def test_a_dripping_body_is_cut_off_at_the_deadline(flickr, slept):
    # Each byte arrives well within the socket timeout, the whole would take ~10 s.
    dripped = ok_body({"user": {"id": BIG}, "pad": " " * 150})
    flickr.script(Fault(body=dripped, drip=0.05, headers={"Content-Type": "application/json"}))
    assert make_client(flickr, slept, timeout=0.5).resolve_user("janedoe") == NSID
    assert len(flickr.requests) == 2  # the dripped answer (BIG) was abandoned


def test_dropped_connection_is_retried(flickr, slept):
    flickr.script(Fault(drop=True))
    assert make_client(flickr, slept).resolve_user("janedoe") == NSID


def test_nothing_listening_is_unavailable(slept):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = FlickrClient(API_KEY, api_url=f"http://127.0.0.1:{port}/services/rest/",
                          timeout=1.0, max_retries=2, max_photos=10, sleep=slept.append,
                          jitter=lambda: 0.0)
    with pytest.raises(FlickrUnavailable) as caught:
        client.resolve_user("janedoe")
    assert "connection failed" in str(caught.value)
    assert len(slept) == 2


def test_client_errors_are_not_retried(flickr, slept):
    flickr.script(Fault(status=404, body="not here"))
    with pytest.raises(FlickrError) as caught:
        make_client(flickr, slept).resolve_user("janedoe")
    assert "HTTP 404" in str(caught.value) and "api_url" in str(caught.value)
    assert slept == [] and len(flickr.requests) == 1


def test_redirects_are_not_followed(flickr, slept):
    flickr.script(Fault(status=302, headers={"Location": "http://example.invalid/"}))
    with pytest.raises(FlickrError):
        make_client(flickr, slept).resolve_user("janedoe")
    assert len(flickr.requests) == 1


def test_unknown_failure_codes_are_plain_errors(flickr, slept):
    flickr.script(Fault(body=json.dumps({"stat": "fail", "code": 112, "message": "x"})))
    with pytest.raises(FlickrError) as caught:
        make_client(flickr, slept).public_photo_ids(NSID)
    assert "Flickr error 112" in str(caught.value)


def test_logs_carry_neither_the_key_nor_typed_names_nor_accounts(flickr, slept, caplog):
    """An NSID names a Flickr account, and through it the person: logged next to their
    Telegram id it would tie the two together."""
    caplog.set_level(logging.DEBUG)
    flickr.script(Fault(status=500))
    client = make_client(flickr, slept)
    assert client.resolve_user("Jane Doe") == NSID
    assert client.resolve_user("janedoe") == NSID
    client.public_photo_ids(BIG)
    with pytest.raises(FlickrUserNotFound):
        client.resolve_user("secretname")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records, "expected debug/info records to inspect"
    for forbidden in (API_KEY, "Jane", "janedoe", "secretname", NSID, BIG):
        assert forbidden.lower() not in text.lower()
