"""Steps that fill in the letter form: places, name, address, email, signature,
recipients, the destroy-or-preserve choice, and a summary to confirm or edit any
field. Who is shown in the photos comes first (:mod:`bot.journey.shown`)."""

from __future__ import annotations

from ..errors import InputError
from ..regions import de_states, parse_region, region_name, us_states
from . import texts
from .io import Reply, Upload
from .keyboards import rows
from .steps import Outputs, Step, Turn, with_lead

# The order the form asks in. "uploaded_from" is skipped for someone not shown in the
# photos (their plain request does not depend on it); "bipa_choice" (destroy now or
# preserve) only when a letter rests on a law the person can sue under, or a chosen
# recipient is in pending litigation over the data.
ORDER = ("shown", "residence", "uploaded_from", "name", "address", "email", "signature",
         "recipients", "bipa_choice", "summary")
QUICK_STATES = (("Illinois", "US-IL"), ("California", "US-CA"), ("Texas", "US-TX"),
                ("Washington", "US-WA"), ("Colorado", "US-CO"))
QUICK_COUNTRIES = (("Germany", "DE"), ("France", "FR"), ("Italy", "IT"), ("Spain", "ES"),
                   ("Netherlands", "NL"), ("Poland", "PL"), ("Ireland", "IE"), ("Sweden", "SE"))


def choice_needed(turn: Turn) -> bool:
    """Whether to ask "destroy now or preserve" (see ORDER)."""
    return turn.services.choice_cases(turn.session.form, turn.session.result)[0]


def drop_choice(form: dict) -> None:
    form.pop("bipa_choice", None)
    form.pop("bipa_cases", None)


def choice_due(turn: Turn) -> bool:
    """Whether an edit made the destroy-or-preserve question due again: it is needed and
    unanswered, or the answer is "destroy" and a chosen recipient is now in a pending
    court case the person was not warned about. Drops an answer no longer needed."""
    form = turn.session.form
    needed, cases = turn.services.choice_cases(form, turn.session.result)
    if not needed:
        drop_choice(form)
        return False
    if not form.get("bipa_choice"):
        return True
    return form["bipa_choice"] == "destroy" and not set(cases) <= set(form.get("bipa_cases", ()))


def fresh_recipients(turn: Turn) -> bool:
    """Select the default recipients again when the datasets the letters are about
    changed since they were chosen (other photos picked); True if so."""
    form, services, result = turn.session.form, turn.services, turn.session.result
    scope = services.shown_datasets(form, result)
    if "recipients" in form:
        form.setdefault("recipients_for", scope)     # a session saved before this was kept
        if form["recipients_for"] == scope:
            return False
    form["recipients"] = services.default_recipients(result, form)
    form["recipients_for"] = scope
    return True


def _following(turn: Turn, done: str) -> str:
    form = turn.session.form
    step = ORDER[ORDER.index(done) + 1]
    while True:
        if step == "uploaded_from" and form.get("shown") == "not-me":
            form["uploaded_from"] = "unknown"     # a plain request does not depend on it
            form["uploaded_from_skipped"] = True
        elif step == "bipa_choice" and not choice_needed(turn):
            drop_choice(form)
        else:
            return step
        step = ORDER[ORDER.index(step) + 1]


def campaign_joining(session) -> bool:
    """On a campaign's join path (bot.journey.campaign): the form ends with the
    authorization instead of the recipients and the person's own letters."""
    state = session.data.get("campaign")
    return isinstance(state, dict) and bool(state.get("joining"))


def advance(turn: Turn, done: str, lead: str = "") -> Outputs:
    """After ``done`` is filled in: back to the summary when editing (by way of the
    uploaded-from question after a new residence, of the recipients when other photos
    were picked, and of the destroy-or-preserve question when an edit made it due),
    else onwards (``lead`` said first, in the same message)."""
    session, form = turn.session, turn.session.form
    if session.data.get("return_to") == "summary":
        skipped = form.get("shown") != "not-me" and form.pop("uploaded_from_skipped", False)
        if (done == "residence" and form.get("shown") != "not-me") or (done == "shown" and skipped):
            yield from turn.go("uploaded_from", lead)
            return
        if fresh_recipients(turn):
            yield from turn.go("recipients", lead)
            return
        if choice_due(turn) and done != "bipa_choice":
            yield from turn.go("bipa_choice", lead)
            return
        session.data["return_to"] = None
        yield from turn.go("summary", lead)
        return
    following = _following(turn, done)
    if following == "recipients" and campaign_joining(turn.session):
        following = "campaign_authorize"    # a campaign member authorizes the organisation
    if following == "recipients":
        fresh_recipients(turn)
    yield from turn.go(following, lead)


class RegionStep(Step):
    """Where the person lives / uploaded from: quick buttons, sub-lists, or free text."""

    def __init__(self, field: str, question: str) -> None:
        self.field, self.question, self.name = field, question, field

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
        elif action == "no-land" and turn.session.data.get("region_context") == "de-state":
            yield from self.accept(turn, "DE", land_asked=True)
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
        back = (turn.btn(texts.BACK_TO_MENU, "places"),)
        if context == "us-state":
            buttons = [turn.btn(name, "set", code) for code, name in us_states()]
            yield Reply(texts.ASK_US_STATE, rows(buttons, 3) + (back,), edit=edit)
        elif context == "de-state":
            buttons = [turn.btn(name, "set", code) for code, name in de_states()]
            yield Reply(texts.ASK_DE_STATE, rows(buttons, 3) + ((turn.btn(texts.NO_LAND, "no-land"),),
                                                               back), edit=edit)
        else:
            buttons = [turn.btn(label, "set", code) for label, code in QUICK_COUNTRIES] if eu else []
            yield Reply(texts.ASK_EU_COUNTRY if eu else texts.ASK_COUNTRY, rows(buttons, 4) + (back,),
                        edit=edit)

    def accept(self, turn: Turn, code: str, *, land_asked: bool = False) -> Outputs:
        turn.session.data.pop("region_context", None)
        if not turn.services.is_region(code):
            yield from with_lead(self.prompt(turn), texts.UNKNOWN_REGION)
            return
        if code == "DE" and self.field == "residence" and not land_asked:
            # the Land names the data protection authority a German resident can turn to
            yield from self.sub_list(turn, "de-state", edit=turn.pressed)
            return
        turn.session.form[self.field] = code
        yield from advance(turn, self.field, texts.noted(region_name(code)))


KEEP_LABEL_CHARS = 40


class TextField(Step):
    """A field typed as text and checked by the services. A value given before (an earlier
    round of letters, or before /cancel) is offered to keep."""

    question = ""

    def prompt(self, turn: Turn) -> Outputs:
        saved = shown_value(turn.session.form.get(self.name))
        if not saved:
            yield Reply(self.question)
            return
        label = saved if len(saved) <= KEEP_LABEL_CHARS else saved[:KEEP_LABEL_CHARS - 1] + "…"
        yield Reply(texts.saved_value(self.question, saved),
                    ((turn.btn(texts.KEEP_SAVED.format(value=label), "keep"),),))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        if action == "keep" and turn.session.form.get(self.name):
            yield from advance(turn, self.name)
        else:
            yield from super().on_press(turn, action, arg)

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


def shown_value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value) if value else ""


class NameStep(TextField):
    """The name; with a name, address and email from before, first: use them again?"""

    name, question = "name", texts.ASK_NAME

    def prompt(self, turn: Turn) -> Outputs:
        form = turn.session.form
        editing = turn.session.data.get("return_to") == "summary"
        if editing or turn.session.data.get("details_new") or not all(
                form.get(k) for k in ("name", "address", "email")):
            yield from super().prompt(turn)
            return
        yield Reply(texts.ask_reuse(form["name"], form["address"], form["email"]),
                    ((turn.btn(texts.USE_SAVED_DETAILS, "reuse"),
                      turn.btn(texts.NEW_DETAILS, "new")),))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        form = turn.session.form
        if action == "reuse" and all(form.get(k) for k in ("name", "address", "email")):
            yield from advance(turn, "email")
        elif action == "new":
            turn.session.data["details_new"] = True     # asked field by field from here
            yield from turn.reprompt()
        else:
            if action == "keep":
                turn.session.data.pop("details_new", None)
            yield from super().on_press(turn, action, arg)

    def on_text(self, turn: Turn, text: str) -> Outputs:
        turn.session.data.pop("details_new", None)
        yield from super().on_text(turn, text)


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
        # its own message: the next question's keyboard is edited in place as the person
        # chooses, which would wipe out a note said in the same message
        yield Reply(texts.SIGNATURE_RECEIVED)
        yield from advance(turn, "signature")


class BipaChoiceStep(Step):
    """Destroy now, or preserve until any claim is resolved, for every letter of the
    delivery. Preserving is the default where a chosen recipient is in pending
    litigation over the data; "destroy now" then needs a second, warned press."""

    name = "bipa_choice"

    def prompt(self, turn: Turn) -> Outputs:
        cases = turn.services.choice_cases(turn.session.form, turn.session.result)[1]
        preserve = turn.btn(texts.BIPA_PRESERVE + (texts.DEFAULT_MARK if cases else ""), "set", "preserve")
        destroy = turn.btn(texts.BIPA_DESTROY, "set", "destroy")
        order = ((preserve,), (destroy,)) if cases else ((destroy,), (preserve,))
        yield Reply(texts.ask_choice(cases), order)

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        cases = turn.services.choice_cases(turn.session.form, turn.session.result)[1]
        if action == "set" and arg == "destroy" and cases:
            yield Reply(texts.destroy_warning(cases),
                        ((turn.btn(texts.BIPA_DESTROY_ANYWAY, "confirm", "destroy"),),
                         (turn.btn(texts.BIPA_PRESERVE, "set", "preserve"),)))
        elif (action == "set" and arg in ("destroy", "preserve")) or (action == "confirm" and arg == "destroy"):
            turn.session.form["bipa_choice"] = arg
            turn.session.form["bipa_cases"] = cases     # what the person was warned about
            yield from advance(turn, "bipa_choice")
        else:
            yield from super().on_press(turn, action, arg)


class RecipientsStep(Step):
    name = "recipients"

    def prompt(self, turn: Turn) -> Outputs:
        chosen = set(turn.session.form.get("recipients", []))
        options = turn.services.recipient_options(turn.session.result, turn.session.form)
        buttons = [turn.btn(("[x] " if o.slug in chosen else "[ ] ") + o.name, "toggle", str(i))
                   for i, o in enumerate(options)]
        left_out = [(o.name, o.datasets) for o in options if not o.default]
        yield Reply(texts.ask_recipients(left_out),
                    rows(buttons, 2) + ((turn.btn(texts.RECIPIENTS_DONE, "done"),),),
                    edit=turn.pressed)

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        form = turn.session.form
        options = [o.slug for o in turn.services.recipient_options(turn.session.result, form)]
        if action == "toggle" and arg.isascii() and arg.isdigit() and int(arg) < len(options):
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
        fields = [f for f in ORDER[:-1] if (f != "bipa_choice" or form.get("bipa_choice"))
                  and (f != "uploaded_from" or form.get("shown") != "not-me")]
        edits = [turn.btn(texts.EDIT.format(field=texts.FIELD_LABELS[f]), "edit", f) for f in fields]
        try:
            plan = services.preview(form, turn.session.result, turn.today)
        except InputError as exc:
            plan, problem = [], str(exc)
        else:
            problem = ""
        yield Reply(texts.summary(form, region_name, plan, problem),
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
