"""Which letter kinds an organisation may send as a member's agent: data, with sources.

Three routes:

- ``agent``: the law itself names an authorized-agent route. The letter (in the
  member's voice, with the agent wording of ``templates/en/_agent.txt.j2``) goes into
  the organisation's sealed bundle with the member's authorization.
- ``transmitted``: the law names no agent route for requests to a controller, but a
  request made by the person and handed over by a representative they authorized in
  writing is the ordinary way; the letter stays the member's own, goes into the bundle
  with the authorization, and the organiser is told the company may ask the member to
  confirm.
- ``direct``: no agent route, or one rightsbot has not verified. The member gets their
  own letters (without agent wording) to send themselves; the organiser gets a note.

Conservative on purpose: a kind missing here is ``direct``. Changing an entry needs a
source (shared/domain/laws.md first).
"""

from __future__ import annotations

from dataclasses import dataclass

ROUTES_KINDS = ("agent", "transmitted", "direct")


@dataclass(frozen=True)
class Route:
    route: str        # "agent" | "transmitted" | "direct"
    source: str       # where the decision comes from
    note: str = ""    # for the organiser (never printed in a letter)


AGENT_ROUTES: dict[str, Route] = {
    "ccpa": Route("agent", "11 CCR §7001(d), §7063 (signed permission; the business may ask the "
                  "consumer to verify or confirm); §7026(j) for opt-outs; laws.md, California [V]"),
    "colorado": Route("agent", "C.R.S. §6-1-1306(1)(a)(II) (issue 11; the template cites it); "
                      "laws.md does not yet quote its text",
                      "Colorado: the statutory agent route covers opting out; the controller may "
                      "ask the member to confirm the other requests in the letter."),
    "gdpr": Route("transmitted", "GDPR Art. 80(1) lets a mandated non-profit body lodge "
                  "complaints and seek remedies (Arts. 77-79), not make Art. 15/17/21 requests "
                  "itself; so the letter is the member's own request, transmitted by the "
                  "organisation with the member's written authorization",
                  "GDPR letters are each member's own requests, transmitted by the organisation; "
                  "the controller may ask the member to confirm. Complaints to a supervisory "
                  "authority under Art. 80 need a mandate and a body that meets Art. 80(1)."),
    "generic": Route("transmitted", "no statute: a plain request, made by the person and "
                     "handed over by a representative they authorized in writing"),
    "uploader": Route("transmitted", "no statute: a plain request by the uploader, handed over "
                      "by a representative they authorized in writing"),
    "bipa-demand": Route("direct", "BIPA (740 ILCS 14) has no request or agent mechanism; the "
                         "notice and demand preserves the member's own claim (private action, "
                         "§20), which an organisation should not make for them",
                         "Illinois (BIPA): the notice and demand is the member's own letter; they "
                         "send it themselves (or through a lawyer)."),
    "wa-biometric": Route("direct", "RCW 19.375 / My Health My Data Act: no agent route "
                          "verified for rightsbot"),
    "cubi": Route("direct", "Texas CUBI (Bus. & Com. Code §503.001) gives no request or agent "
                  "route; AG enforcement only"),
    "us-state-privacy": Route("direct", "state acts differ on agents (some allow them for "
                              "opt-outs only); laws.md marks the details [U]"),
    "pipeda": Route("direct", "PIPEDA: an agent route is not verified for rightsbot (laws.md [V "
                    "secondary] covers deadlines only)"),
    "fadp": Route("direct", "Swiss FADP: an agent route is not verified for rightsbot"),
}

DIRECT = Route("direct", "no entry: kinds without a verified agent route are the member's own")


def route_for(kind: str) -> Route:
    return AGENT_ROUTES.get(kind, DIRECT)


def sent_by_organisation(kind: str) -> bool:
    """Whether letters of ``kind`` go into the organisation's bundle."""
    return route_for(kind).route in ("agent", "transmitted")
