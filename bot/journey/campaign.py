"""Campaigns in the chat: the join link, the authorization, /leave, organisers' commands.

``/start <join code>`` (the link ``https://t.me/<bot>?start=<join code>``) of a campaign
registered in the bot's storage folder (bot.campaigns.registered) starts the person on
the campaign path: the intro (what the organisation does, the scope), then the normal
check and form (who is shown, where they live, name, address, email, signature), then
the authorization (scope, duration, how to revoke) instead of the recipients and their
own letters. Signing makes them a roster member (``tg-<id>``) and hands them the signed
authorization PDF. ``/leave`` revokes it and lists the letters already made in their
name. ``/campaign_stats`` and ``/campaign_export`` answer a campaign's organisers only;
for anyone else they are unknown commands (the engine's normal answer).

The session keeps ``campaign``: ``{"slug", "joining"}`` (no personal data). The domain
is :mod:`bot.campaigns.joining`; nothing here reads another person's data.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, RightsbotError
from . import texts
from .io import Document, Reply
from .steps import Outputs, Step, Turn
from .texts import campaign as ctexts

if TYPE_CHECKING:  # pragma: no cover
    from ..campaigns.definition import Campaign

log = logging.getLogger(__name__)

KEY = "campaign"
ORGANISER_COMMANDS = ("campaign_stats", "campaign_export")


# -- session helpers ------------------------------------------------------------------
def storage(turn: Turn) -> Path:
    """The bot's storage folder, where the registered campaigns are listed."""
    folder = getattr(turn.store, "folder", None)
    return Path(folder) if folder is not None else Path(turn.services.config.storage.path)


def current(turn: Turn) -> "Campaign | None":
    from ..campaigns.joining import campaign_by_slug
    state = turn.session.data.get(KEY)
    if not isinstance(state, dict) or not state.get("slug"):
        return None
    return campaign_by_slug(storage(turn), str(state["slug"]))


def gone(turn: Turn) -> Outputs:
    """The campaign was removed since the person started joining it: back to the menu."""
    turn.session.data.pop(KEY, None)
    yield from turn.go("menu", ctexts.CAMPAIGN_GONE)


def lookup(turn: Turn, payload: str) -> "Campaign | None":
    from ..campaigns.joining import campaign_for_code
    return campaign_for_code(storage(turn), payload)


def welcome(reply: Reply, campaign: "Campaign | None") -> Reply:
    """The welcome (with the campaign's slug in its buttons), led by the campaign's name."""
    if campaign is None:
        return reply
    return replace(reply, text=f"{ctexts.join_link_lead(campaign.organisation.name)}\n\n{reply.text}")


def begin(turn: Turn, campaign: "Campaign") -> Outputs:
    """Start the campaign path (the person has agreed to the bot's terms)."""
    turn.session.data[KEY] = {"slug": campaign.slug, "joining": False}
    log.info("user %s: opened the join link of campaign %s", turn.user_id, campaign.slug)
    yield from turn.go("campaign_intro")


def begin_slug(turn: Turn, slug: str) -> Outputs:
    """After agreeing on a welcome shown for a join link (its buttons carry the slug)."""
    from ..campaigns.joining import campaign_by_slug
    campaign = campaign_by_slug(storage(turn), slug)
    if campaign is None:
        yield from turn.go("menu", ctexts.CAMPAIGN_GONE)
        return
    yield from begin(turn, campaign)


def own_kinds(turn: Turn) -> tuple[str, ...]:
    """The letter kinds of this person that have no agent route (they send them themselves)."""
    from ..campaigns.routes import sent_by_organisation
    try:
        person = turn.services.person({**turn.session.form, "kinds": []}, None,
                                      turn.session.inputs["flickr"])
        kinds = turn.services.letters.kinds_for(person)
    except (KeyError, RightsbotError):
        return ()
    return tuple(k.kind for k in kinds if not sent_by_organisation(k.kind))


def _scope(campaign: "Campaign") -> tuple[str, ...]:
    from ..campaigns.authorization import scope_items
    return scope_items(campaign)


# -- steps -----------------------------------------------------------------------------
class CampaignIntro(Step):
    name = "campaign_intro"

    def prompt(self, turn: Turn) -> Outputs:
        campaign = current(turn)
        if campaign is None:
            yield from gone(turn)
            return
        from ..campaigns.joining import member_of
        member = member_of(campaign, turn.user_id)
        since = member.joined if member is not None and member.active else ""
        yield Reply(ctexts.campaign_intro(campaign.organisation.name, _scope(campaign), since),
                    ((turn.btn(ctexts.JOIN_BUTTON, "join"),), (turn.btn(ctexts.JOIN_NOT_NOW, "no"),)))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        if action == "join" and current(turn) is not None:
            turn.session.data[KEY]["joining"] = True
            turn.session.clear_inputs()
            turn.session.data["return_to"] = None
            yield from turn.go("menu", ctexts.CHECK_FIRST)
        elif action == "no":
            turn.session.data.pop(KEY, None)
            yield from turn.go("menu", ctexts.JOIN_DECLINED)
        else:
            yield from super().on_press(turn, action, arg)


class CampaignAuthorize(Step):
    """The scope, duration and how to revoke; signing makes the person a member."""

    name = "campaign_authorize"

    def prompt(self, turn: Turn) -> Outputs:
        from ..campaigns.authorization import DURATION_MONTHS
        campaign = current(turn)
        if campaign is None:
            yield from gone(turn)
            return
        form, org = turn.session.form, campaign.organisation
        text = ctexts.authorize_prompt(org.name, org.email, _scope(campaign), DURATION_MONTHS,
                                       form.get("name", ""), form.get("address", []),
                                       form.get("email", ""))
        own = own_kinds(turn)
        if own:
            text += "\n\n" + ctexts.own_letters_note(
                org.name, [turn.services.kind_title(kind) for kind in own])
        yield Reply(text,
                    ((turn.btn(ctexts.AUTHORIZE_BUTTON, "sign"),),
                     (turn.btn(ctexts.AUTHORIZE_CHANGE, "change"),
                      turn.btn(ctexts.AUTHORIZE_NOT_NOW, "no"))))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        if action == "sign":
            yield from self.sign(turn)
        elif action == "change":
            turn.session.data["return_to"] = None
            turn.session.data["details_new"] = True
            yield from turn.go("name")
        elif action == "no":
            turn.session.data.pop(KEY, None)
            yield from turn.go("menu", ctexts.JOIN_DECLINED)
        else:
            yield from super().on_press(turn, action, arg)

    def sign(self, turn: Turn) -> Outputs:
        from ..campaigns.authorization import authorization_reference
        from ..campaigns.joining import join
        campaign = current(turn)
        if campaign is None:
            yield from gone(turn)
            return
        session, form = turn.session, turn.session.form
        if not (session.inputs["flickr"] or session.inputs["urls"]):
            yield from turn.go("menu", ctexts.NEEDS_LINKS)
            return
        try:
            member, pdf = join(
                campaign, turn.user_id, name=form.get("name", ""), address=form.get("address", []),
                email=form.get("email", ""), residence=form.get("residence", ""),
                uploaded_from=form.get("uploaded_from", ""), shown=form.get("shown", ""),
                flickr=session.inputs["flickr"], urls=session.inputs["urls"],
                signature=session.signature_image() if form.get("signature") == "image" else None,
                on=turn.today)
        except InputError as exc:
            yield from turn.reprompt(str(exc))
            return
        except RightsbotError as exc:
            log.error("user %s: joining campaign %s failed: %s", turn.user_id, campaign.slug,
                      type(exc).__name__)
            yield from turn.reprompt(texts.SOMETHING_WRONG)
            return
        session.data[KEY] = {"slug": campaign.slug, "joining": False}
        session.set_signature_image(None)       # kept in the campaign folder, not the session
        reference = authorization_reference(campaign, member)
        yield Reply(ctexts.joined(campaign.organisation.name))
        yield Document(f"authorization-{reference}.pdf", pdf, ctexts.AUTHORIZATION_CAPTION.format(
            reference=reference, organisation=campaign.organisation.name))
        own = own_kinds(turn)
        if own:      # the letters the organisation cannot send: the person's own, made here
            from .form import fresh_recipients
            form["kinds"] = list(own)
            form.pop("recipients", None)
            fresh_recipients(turn)
            yield from turn.go("recipients", ctexts.own_letters_next(campaign.organisation.name))
            return
        yield from turn.go("menu")


class ConfirmLeave(Step):
    name = "campaign_leave"

    def prompt(self, turn: Turn) -> Outputs:
        from ..campaigns.joining import memberships
        campaigns = [c for c, _ in memberships(storage(turn), turn.user_id)]
        if not campaigns:
            yield from _back(turn, ctexts.LEAVE_NOTHING)
            return
        buttons = tuple((turn.btn(ctexts.LEAVE_BUTTON.format(organisation=c.organisation.name),
                                  "leave", c.slug),) for c in campaigns)
        yield Reply(ctexts.ask_leave([c.organisation.name for c in campaigns]),
                    buttons + ((turn.btn(ctexts.STAY_BUTTON, "stay"),),))

    def on_press(self, turn: Turn, action: str, arg: str) -> Outputs:
        from ..campaigns.joining import leave, memberships
        if action == "leave":
            found = [c for c, _ in memberships(storage(turn), turn.user_id) if c.slug == arg]
            if not found:
                yield from _back(turn, ctexts.LEAVE_NOTHING)
                return
            campaign = found[0]
            _member, letters = leave(campaign, turn.user_id, turn.today)
            state = turn.session.data.get(KEY)
            if isinstance(state, dict) and state.get("slug") == campaign.slug:
                turn.session.data.pop(KEY, None)
            log.info("user %s: left campaign %s", turn.user_id, campaign.slug)
            yield from _back(turn, ctexts.left(campaign.organisation.name, [
                (l.company_name, l.kind_title, l.reference, l.run_date) for l in letters]))
        elif action == "stay":
            yield from _back(turn, ctexts.LEAVE_STAY)
        else:
            yield from super().on_press(turn, action, arg)


def _back(turn: Turn, lead: str) -> Outputs:
    previous = turn.session.data.pop("before_leave", None)
    if previous not in turn.steps or previous == "campaign_leave":
        previous = "menu"
    yield from turn.go(previous, lead)


CAMPAIGN_STEPS: tuple[Step, ...] = (CampaignIntro(), CampaignAuthorize(), ConfirmLeave())


# -- commands ---------------------------------------------------------------------------
def leave_command(turn: Turn) -> Outputs:
    """/leave: which campaign to leave (asked even for one, it cannot be undone here)."""
    if turn.session.step != "campaign_leave":
        turn.session.data["before_leave"] = turn.session.step
    yield from turn.go("campaign_leave")


def organised(turn: Turn) -> list["Campaign"]:
    """The campaigns this person organises (empty for everyone else)."""
    from ..campaigns.joining import organiser_campaigns, registered_campaigns
    if turn.operator:           # the terminal chat: the person running the bot
        return registered_campaigns(storage(turn))
    return organiser_campaigns(storage(turn), turn.user_id)


def organiser_command(turn: Turn, name: str, payload: str,
                      campaigns: list["Campaign"]) -> Outputs:
    """/campaign_stats or /campaign_export for one of ``campaigns`` (the person organises
    them all); with several, the payload names the slug."""
    from ..campaigns.joining import export, stats
    if len(campaigns) > 1:
        chosen = [c for c in campaigns if c.slug == payload.strip()]
        if not chosen:
            yield Reply(ctexts.which_campaign([c.slug for c in campaigns]).replace(
                "/campaign_stats", f"/{name}"))
            return
        campaign = chosen[0]
    else:
        campaign = campaigns[0]
    log.info("user %s: organiser command %s for campaign %s", turn.user_id, name, campaign.slug)
    if name == "campaign_stats":
        yield Reply(stats(campaign, turn.store, turn.today))
        return
    found = export(campaign)
    if found == "no-run":
        yield Reply(ctexts.EXPORT_NO_RUN.format(slug=campaign.slug))
    elif found == "too-large":
        yield Reply(ctexts.EXPORT_TOO_LARGE.format(slug=campaign.slug))
    else:
        filename, data = found
        yield Document(filename, data, ctexts.EXPORT_CAPTION.format(slug=campaign.slug))
