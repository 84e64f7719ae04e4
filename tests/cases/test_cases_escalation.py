"""The next letters: a complaint to the right body, with the right legal basis, for CA, DE,
FR, UK, TX; a second demand for IL (BIPA has no enforcing body) with the lawyer note for
the sender; each rendered, read back from the PDF, and dated from the letter's history."""

from __future__ import annotations

import io
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from bot.cases import lifecycle
from bot.cases.deadlines import DeadlineCounter
from bot.cases.escalation import NextLetterMaker, complaint_body, next_steps
from bot.errors import InputError
from bot.letters.rules import load_rules
from bot.letters.templates import LetterTemplates

RULES = load_rules()
COUNTER = DeadlineCounter(RULES, 30)
MAKER = NextLetterMaker(RULES, LetterTemplates())
SENDER = {"name": "Ann Example", "address": ["12 Main St", "Springfield"], "email": "ann@example.org"}
MADE = date(2026, 11, 2)


def refused(kind: str, residence: str) -> dict:
    produced = SimpleNamespace(
        reference="RB-20261102-BBBBBBBBBBBBBBBB", company="meta", company_name="Meta (Facebook)",
        kind=kind, kind_title=RULES.get(kind).title, escalation=RULES.get(kind).escalation,
        due=MADE + timedelta(days=30), calendars=(), document=SimpleNamespace(
            recipient=("Meta Platforms, Inc.", "1 Meta Way", "Menlo Park, CA 94025")))
    item = lifecycle.new_letter(produced, MADE, residence)
    item = lifecycle.mark(item, "sent", MADE, due_from=COUNTER.due_from, medium="email")
    return lifecycle.mark(item, "refused", MADE + timedelta(days=20), due_from=COUNTER.due_from)


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.mark.parametrize("kind, residence, body, basis", [
    ("ccpa", "US-CA", "California Privacy Protection Agency", "California Consumer Privacy Act"),
    ("gdpr", "DE-BE", "Berlin", "Article 77 GDPR"),
    ("gdpr", "FR", "Commission nationale de l'informatique et des libertés", "Article 77 GDPR"),
    ("gdpr", "GB", "Information Commissioner's Office", "Article 77 UK GDPR"),
    ("cubi", "US-TX", "Office of the Attorney General of Texas", "Texas"),
])
def test_a_refusal_leads_to_a_complaint_to_the_right_body(kind, residence, body, basis):
    letter = refused(kind, residence)
    today = MADE + timedelta(days=21)
    assert next_steps(letter, today, RULES)[0] == "complaint"
    made = MAKER.make("complaint", letter, SENDER, today)
    text = text_of(made.pdf)
    assert body in text and basis in text
    assert "Meta (Facebook) declined my request" in text
    assert "RB-20261102-BBBBBBBBBBBBBBBB" in text and made.document.reference in text
    assert "Ann Example" in text and "$" not in text and "not legal advice" not in text.lower()
    assert made.document.recipient[0].startswith(body.split(" (")[0][:10]) or body in \
        " ".join(made.document.recipient)
    assert made.eml.startswith(b"From:") or b"\r\nFrom:" in made.eml


def test_bipa_has_no_body_so_a_second_demand_with_the_lawyer_note_for_the_sender():
    letter = refused("bipa-demand", "US-IL")
    today = MADE + timedelta(days=21)
    assert complaint_body(letter, RULES) is None
    assert next_steps(letter, today, RULES) == ("followup",)
    made = MAKER.make("followup", letter, SENDER, today)
    text = text_of(made.pdf)
    assert "You declined the requests in that letter" in text
    assert made.document.recipient[0] == "Meta Platforms, Inc."        # the first letter's address
    assert "five years" in made.note and "lawyer" in made.note          # for the sender ...
    assert "five years" not in text                                    # ... not for the company
    assert made.due == today + timedelta(days=14)
    with pytest.raises(InputError, match="no public body"):
        MAKER.make("complaint", letter, SENDER, today)


def test_an_unanswered_letter_gets_a_follow_up_first_and_the_timeline():
    produced = SimpleNamespace(
        reference="RB-20261102-CCCCCCCCCCCCCCCC", company="ibm", company_name="IBM",
        kind="ccpa", kind_title="Requests under the CCPA", escalation="", calendars=(),
        due=MADE + timedelta(days=45), document=SimpleNamespace(recipient=("IBM",)))
    letter = lifecycle.mark(lifecycle.new_letter(produced, MADE, "US-CA"), "sent", MADE,
                            due_from=COUNTER.due_from, medium="post")
    due = date.fromisoformat(letter["due"])
    assert next_steps(letter, due, RULES) == ()
    assert next_steps(letter, due + timedelta(days=1), RULES) == ("followup", "complaint")
    made = MAKER.make("followup", letter, SENDER, due + timedelta(days=1))
    text = text_of(made.pdf)
    assert "I have not received one" in text and "by post" in text
    assert "I sent the letter; reply due by" in text
    followed = lifecycle.record_next(letter, "followup", due + timedelta(days=1), made.due, "IBM")
    assert followed["status"] == "followed-up" and followed["due"] == made.due.isoformat()
    assert lifecycle.view(followed, due + timedelta(days=2)).open


def test_hostile_values_print_literally():
    letter = refused("ccpa", "US-CA")
    letter["company_name"] = "{{ 7*7 }} <b>Co</b>"
    made = MAKER.make("complaint", letter, {**SENDER, "name": "= Ann ~ {% x %}"},
                      MADE + timedelta(days=21))
    text = text_of(made.pdf)
    assert "{{ 7*7 }} <b>Co</b>" in text and "= Ann ~ {% x %}" in text and "49" not in text


def test_a_request_for_id_gets_a_reply_that_offers_the_least():
    letter = refused("ccpa", "US-CA")
    letter = lifecycle.mark(letter, "asked-id", MADE + timedelta(days=22), due_from=COUNTER.due_from)
    today = MADE + timedelta(days=23)
    assert next_steps(letter, today, RULES) == ("id-reply",)
    made = MAKER.make("id-reply", letter, SENDER, today)
    text = text_of(made.pdf)
    assert "I will not send a copy of an identity document" in text
    assert "ann@example.org" in text and made.document.recipient[0] == "Meta Platforms, Inc."
    after = lifecycle.record_next(letter, "id-reply", today, made.due, made.recipient)
    assert after["status"] == "followed-up" and "identification" in after["history"][-1]["reason"]


def test_the_follow_up_and_the_complaint_enclose_the_earlier_letters():
    original = ("Ann Example\n\nReference: RB-20261102-BBBBBBBBBBBBBBBB\n\nNotice under BIPA\n\n"
                "I appear in photo 1808093328 <b>&amp; {{ x }}</b>.\n\n/s/ Ann Example")
    produced = SimpleNamespace(
        reference="RB-20261102-BBBBBBBBBBBBBBBB", company="meta", company_name="Meta (Facebook)",
        kind="ccpa", kind_title=RULES.get("ccpa").title, escalation=RULES.get("ccpa").escalation,
        due=MADE + timedelta(days=30), calendars=(), text=original,
        document=SimpleNamespace(recipient=("Meta Platforms, Inc.", "1 Meta Way")))
    letter = lifecycle.mark(lifecycle.new_letter(produced, MADE, "US-CA"), "sent", MADE,
                            due_from=COUNTER.due_from, medium="email")
    assert letter["text"] == original
    late = MADE + timedelta(days=60)
    followup = MAKER.make("followup", letter, SENDER, late)
    text = text_of(followup.pdf)
    assert "A copy of it is enclosed." in text
    assert "Enclosure 1: my letter of 2 November 2026 to Meta (Facebook)" in text
    assert "I appear in photo 1808093328 <b>&amp; {{ x }}</b>." in text      # printed literally
    assert "Enclosure" not in followup.own_text and "Enclosure 1" in followup.document.text()
    letter = lifecycle.record_next(letter, "followup", late, followup.due, followup.recipient,
                                   followup.document.reference, followup.own_text)
    letter = lifecycle.mark(letter, "refused", late + timedelta(days=5), due_from=COUNTER.due_from)
    complaint = MAKER.make("complaint", letter, SENDER, late + timedelta(days=6))
    text = text_of(complaint.pdf)
    assert "Copies of my letters are enclosed after my signature" in text
    assert "Enclosure 1: my letter of 2 November 2026" in text
    assert f"Enclosure 2: my follow-up letter of {late.day} January 2027" in text
    assert text.count("I appear in photo 1808093328") == 1     # the follow-up's copy is not nested
    assert "ends with a copy of your earlier letters" in complaint.how


def test_a_letter_without_a_kept_copy_asks_the_sender_to_attach_theirs():
    letter = refused("ccpa", "US-CA")           # made before copies were kept: no "text"
    made = MAKER.make("complaint", letter, SENDER, MADE + timedelta(days=21))
    assert "Enclosure" not in text_of(made.pdf)
    assert "I can provide a copy of my letter" in text_of(made.pdf)
    assert "your first letter and any reply" in made.how


def test_a_case_keeps_copies_only_up_to_its_budget():
    from bot.cases import book

    class Store:
        def cases(self, user_id):
            return []

        def add_case(self, user_id, case):
            self.case = case
            return "c1"

    big = "x" * lifecycle.MAX_KEPT_TEXT
    letters = [SimpleNamespace(reference=f"RB-20261102-{i:016d}", company="meta",
                               company_name="Meta", kind="ccpa", kind_title="t", escalation="",
                               due=MADE, calendars=(), text=big) for i in range(15)]
    store = Store()
    book.record_delivery(store, 1, letters, MADE, "US-CA")
    kept = [bool(item["text"]) for item in store.case["letters"]]
    assert kept == [True] * (book.MAX_KEPT_TEXTS // len(big)) + [False] * (15 - book.MAX_KEPT_TEXTS // len(big))
    too_long = SimpleNamespace(**{**vars(letters[0]), "text": big + "x"})
    assert lifecycle.new_letter(too_long, MADE, "US-CA")["text"] == ""
