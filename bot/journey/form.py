"""Steps that fill in the letter form: places, name, address, email, signature,
the Illinois choice, recipients, and a summary to confirm or edit any field."""

from __future__ import annotations

from ..errors import InputError
from ..regions import parse_region, region_name, us_states
from . import texts
from .io import Reply, Upload
from .keyboards import rows
from .steps import Outputs, Step, Turn, with_lead

# The order the form asks in; bipa_choice only when an Illinois letter applies.
ORDER = ("residence", "uploaded_from", "name", "address", "email", "signature", "bipa_choice",
         "recipients", "summary")
QUICK_STATES = (("Illinois", "US-IL"), ("California", "US-CA"), ("Texas", "US-TX"),
                ("Washington", "US-WA"), ("Colorado", "US-CO"))
QUICK_COUNTRIES = (("Germany", "DE"), ("France", "FR"), ("Italy", "IT"), ("Spain", "ES"),
                   ("Netherlands", "NL"), ("Poland", "PL"), ("Ireland", "IE"), ("Sweden", "SE"))


def bipa_applies(turn: Turn) -> bool:
    form = turn.session.form
    return any(k.startswith("bipa") for k in turn.services.letter_kinds(
        form.get("residence", ""), form.get("uploaded_from", "")))


def advance(turn: Turn, done: str, lead: str = "") -> Outputs:
    """After ``done`` is filled in: back to the summary when editing, else onwards
    (``lead`` said first, in the same message)."""
    session = turn.session
    if session.data.get("return_to") == "summary" and done != "residence" and done != "uploaded_from":
        session.data["return_to"] = None
        yield from turn.go("summary", lead)
        return
    if done == "uploaded_from" and session.data.get("return_to") == "summary":
        session.data["return_to"] = None
        # a new place can change the letters: ask the Illinois choice if it now applies
        if not bipa_applies(turn):
            session.form.pop("bipa_choice", None)
        nxt = "bipa_choice" if bipa_applies(turn) and not session.form.get("bipa_choice") else "summary"
        yield from turn.go(nxt, lead)
        return
    following = ORDER[ORDER.index(done) + 1]
    if following == "bipa_choice" and not bipa_applies(turn):
        session.form.pop("bipa_choice", None)
        following = "recipients"
    if following == "recipients":
        session.form.setdefault("recipients", [slug for slug, _ in turn.services.recipients(session.result)])
    yield from turn.go(following, lead)


class RegionStep(Step):
    """Where the person lives / uploaded from: quick buttons, sub-lists, or free text."""

    def __init__(self, field: str, question: str) -> None:
        self.field, self.question, self.name = field, question, field

    def begin(self, turn: Turn) -> Outputs:
        turn.session.data["return_to"] = None
        yield from turn.go(self.field)

    def prompt(self, turn: Turn) -> Outputs:
        quick = [turn.btn(label, "set", code) for label, code in QUICK_STATES]
        quick += [turn.btn(texts.OTHER_US_STATE, "states"), turn.btn(texts.EU_EEA, "eu"),
                  turn.btn("United Kingdom", "set", "GB"), turn.btn(texts.ELSEWHERE, "country")]
        if self.field == "uploaded_from":
            quick.insert(0, turn.btn(texts.SAME_AS_RESIDENCE, "same"))
        yield Reply(self.question, rows(quick, 3))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        form = turn.session.form
        if action == "set" and arg:
            yield from self.accept(turn, arg)
        elif action == "same" and form.get("residence"):
            yield from self.accept(turn, form["residence"])
        elif action == "states":
            yield from self.sub_list(turn, "us-state", edit=True)
        elif action in ("eu", "country"):
            yield from self.sub_list(turn, "country", edit=True, eu=action == "eu")
        elif action == "places":
            turn.session.data.pop("region_context", None)
            yield from self.prompt(turn)
        else:
            yield from super().on_press(turn, action, arg)

    def on_text(self, turn: Turn, text: str) -> Outputs:
        context = turn.session.data.get("region_context") or "any"
        try:
            code = parse_region(text, context)
        except InputError as exc:
            if context == "any":
                yield from with_lead(self.prompt(turn), str(exc))
            else:   # keep the list the person was looking at
                yield from with_lead(self.sub_list(turn, context, edit=False), str(exc))
            return
        yield from self.accept(turn, code)

    def sub_list(self, turn: Turn, context: str, *, edit: bool, eu: bool = False) -> Outputs:
        """The US states, or the country question (with quick EU buttons)."""
        turn.session.data["region_context"] = context
        if context == "us-state":
            buttons = [turn.btn(name, "set", code) for code, name in us_states()]
            yield Reply(texts.ASK_US_STATE, rows(buttons, 3), edit=edit)
        else:
            buttons = [turn.btn(label, "set", code) for label, code in QUICK_COUNTRIES] if eu else []
            yield Reply(texts.ASK_COUNTRY, rows(buttons, 4) + ((turn.btn(texts.BACK_TO_MENU, "places"),),),
                        edit=edit)

    def accept(self, turn: Turn, code: str) -> Outputs:
        turn.session.data.pop("region_context", None)
        if not turn.services.is_region(code):
            yield from with_lead(self.prompt(turn), texts.UNKNOWN_REGION)
            return
        turn.session.form[self.field] = code
        yield from advance(turn, self.field, texts.noted(region_name(code)))


class TextField(Step):
    """A field typed as text and checked by the services."""

    question = ""

    def prompt(self, turn: Turn) -> Outputs:
        yield Reply(self.question)

    def on_text(self, turn: Turn, text: str) -> Outputs:
        try:
            value = self.clean(turn, text)
        except InputError as exc:
            yield Reply(str(exc))
            return
        turn.session.form[self.name] = value
        yield from advance(turn, self.name)

    def clean(self, turn: Turn, text: str):
        return getattr(turn.services, f"clean_{self.name}")(text)


class NameStep(TextField):
    name, question = "name", texts.ASK_NAME


class AddressStep(TextField):
    name, question = "address", texts.ASK_ADDRESS


class EmailStep(TextField):
    name, question = "email", texts.ASK_EMAIL


class SignatureStep(Step):
    name = "signature"

    def prompt(self, turn: Turn) -> Outputs:
        yield Reply(texts.ASK_SIGNATURE, ((turn.btn(texts.SIGN_TYPED, "typed"),
                                           turn.btn(texts.SIGN_IMAGE, "image")),))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        if action == "typed":
            turn.session.form["signature"] = "typed"
            turn.session.set_signature_image(None)
            yield from advance(turn, "signature")
        elif action == "image":
            yield Reply(texts.ASK_SIGNATURE_IMAGE, ((turn.btn(texts.SIGN_TYPED, "typed"),),))
        else:
            yield from super().on_press(turn, action, arg)

    def on_upload(self, turn: Turn, upload: Upload) -> Outputs:
        problem = turn.services.upload_problem(upload)
        image = None
        if problem is None:
            try:
                image = turn.services.clean_signature_image(upload.data or b"")
            except InputError as exc:
                problem = texts.BAD_SIGNATURE_IMAGE.format(reason=str(exc))
        if image is None:
            yield Reply(problem or texts.NOT_AN_IMAGE.format(reason=""),
                        ((turn.btn(texts.SIGN_TYPED, "typed"),),))
            return
        turn.session.form["signature"] = "image"
        turn.session.set_signature_image(image)
        yield from advance(turn, "signature", texts.SIGNATURE_RECEIVED)


class BipaChoiceStep(Step):
    name = "bipa_choice"

    def prompt(self, turn: Turn) -> Outputs:
        yield Reply(texts.ASK_BIPA_CHOICE, ((turn.btn(texts.BIPA_DESTROY, "set", "destroy"),),
                                            (turn.btn(texts.BIPA_PRESERVE, "set", "preserve"),)))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        if action == "set" and arg in ("destroy", "preserve"):
            turn.session.form["bipa_choice"] = arg
            yield from advance(turn, "bipa_choice")
        else:
            yield from super().on_press(turn, action, arg)


class RecipientsStep(Step):
    name = "recipients"

    def prompt(self, turn: Turn) -> Outputs:
        chosen = set(turn.session.form.get("recipients", []))
        options = turn.services.recipients(turn.session.result)
        buttons = [turn.btn(("[x] " if slug in chosen else "[ ] ") + name, "toggle", str(i))
                   for i, (slug, name) in enumerate(options)]
        yield Reply(texts.ASK_RECIPIENTS, rows(buttons, 2) + ((turn.btn(texts.RECIPIENTS_DONE, "done"),),),
                    edit=turn.pressed)

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        form = turn.session.form
        options = [slug for slug, _ in turn.services.recipients(turn.session.result)]
        if action == "toggle" and arg.isdigit() and int(arg) < len(options):
            slug = options[int(arg)]
            chosen = form.setdefault("recipients", [])
            if slug in chosen:
                chosen.remove(slug)
            else:
                chosen.append(slug)
            yield from self.prompt(turn)
        elif action == "done":
            if not [s for s in form.get("recipients", []) if s in options]:
                yield from with_lead(self.prompt(turn), texts.NO_RECIPIENTS)
                return
            yield from advance(turn, "recipients")
        else:
            yield from super().on_press(turn, action, arg)


class SummaryStep(Step):
    name = "summary"

    def prompt(self, turn: Turn) -> Outputs:
        form, services = turn.session.form, turn.services
        names = dict(services.recipients(turn.session.result))
        chosen = [names[s] for s in form.get("recipients", []) if s in names]
        kinds = services.letter_kinds(form.get("residence", ""), form.get("uploaded_from", ""))
        fields = [f for f in ORDER[:-1] if f != "bipa_choice" or form.get("bipa_choice")]
        edits = [turn.btn(texts.EDIT.format(field=texts.FIELD_LABELS[f]), "edit", f) for f in fields]
        titles = [services.kind_title(kind) for kind in kinds]
        yield Reply(texts.summary(form, region_name, chosen, titles),
                    ((turn.btn(texts.CONFIRM_LETTERS, "make"),),) + rows(edits, 2))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        if action == "make":
            yield from turn.steps["delivered"].make(turn)  # type: ignore[attr-defined]
        elif action == "edit" and arg in ORDER[:-1]:
            turn.session.data["return_to"] = "summary"
            yield from turn.go(arg)
        else:
            yield from super().on_press(turn, action, arg)


FORM_STEPS: tuple[Step, ...] = (
    RegionStep("residence", texts.ASK_RESIDENCE), RegionStep("uploaded_from", texts.ASK_UPLOADED_FROM),
    NameStep(), AddressStep(), EmailStep(), SignatureStep(), BipaChoiceStep(), RecipientsStep(),
    SummaryStep())
