"""``rightsbot companies``: the company directory, as a table, one record's details, or JSON."""

from __future__ import annotations

import argparse

from ..companies import JURISDICTIONS, Company, Entity, load_directory
from .common import add_json_option, format_table, print_json

ORDER = 41


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "companies", help="list the companies letters can be addressed to",
        description="List the company directory: one row per legal entity of each record, with "
                    "the law jurisdictions whose letters it receives (US, EU, GB, CA, CH), the "
                    "entity it represents, how to send a request and whether its postal address "
                    "has been verified. Give a slug to see one record in full, with each "
                    "entity's address, channels, sources and notes.")
    parser.add_argument("slug", nargs="?", help="show one company in full (e.g. ibm)")
    add_json_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    directory = load_directory()
    if args.slug:
        company = directory.get(args.slug)
        if args.json:
            print_json(company.to_json())
        else:
            print(describe(company))
        return 0
    if args.json:
        print_json({"companies": [c.to_json() for c in directory]})
        return 0
    rows = [[c.slug, e.key, _cut(e.name, 44), e.country, _role(c, e),
             " ".join(letters_for(c, e)) or "-", e.represents or "-", e.medium, _address_state(e)]
            for c in directory for e in c.entities]
    print(format_table(["slug", "key", "entity", "country", "role", "receives", "represents",
                        "medium", "address"], rows))
    return 0


def letters_for(c: Company, e: Entity) -> list[str]:
    """The jurisdictions whose letters go to ``e``: its own, and for the controller the rest."""
    return [j for j in JURISDICTIONS if c.receiver_for(j).key == e.key]


def describe(c: Company) -> str:
    lines = [f"{c.name} ({c.slug})", "",
             f"type:         {c.entity_type}",
             f"controller:   {c.controller.name} [{c.controller_key}]",
             f"quality:      {c.quality}"]
    if c.web:
        lines.append(f"web:          {c.web}")
    for source in c.sources:
        lines.append(f"source:       {source}")
    if c.upstream:
        lines.append(f"upstream:     {c.upstream} (CC0)")
    lines += ["", "Letters by law:"]
    for j in JURISDICTIONS:
        contact = c.contact_for(j)
        via = f", c/o {contact.care_of}" if contact.care_of else ""
        flag = "  [foreign affiliate only]" if contact.affiliate_note else ""
        lines.append(f"  {j}  {contact.entity}{via}{flag}")
    for e in c.entities:
        controller = " (controller)" if e.key == c.controller_key else ""
        lines += ["", f"[{e.key}] {e.name}{controller}"]
        lines.append(f"  country:    {e.country_name} ({e.country})")
        lines.append(f"  role:       {e.role}")
        lines.append(f"  receives:   {_receives(c, e)}")
        if e.represents:
            lines.append(f"  represents: {c.entity(e.represents).name} [{e.represents}]: letters "
                         "are addressed to it, care of this entity")
        lines.append(f"  address:    {', '.join(e.address) if e.address else 'none on file'}"
                     + ("" if e.address_verified or not e.address else "  [unverified]"))
        lines.append(f"  email:      {e.email or '-'}")
        lines.append(f"  web form:   {e.webform or '-'}")
        if e.phone:
            lines.append(f"  phone:      {e.phone}")
        if e.fax:
            lines.append(f"  fax:        {e.fax}")
        lines.append(f"  medium:     {e.medium}")
        lines += [f"  source:     {source}" for source in e.sources]
        lines += [f"  note:       {n}" for n in e.notes]
    if c.notes:
        lines.append("")
        lines += [f"note: {n}" for n in c.notes]
    return "\n".join(lines)


def _receives(c: Company, e: Entity) -> str:
    text = ", ".join(e.receives)
    rest = [j for j in letters_for(c, e) if j not in e.receives]
    if rest:
        extra = f"{', '.join(rest)} (as the controller: no other entity receives them)"
        text = f"{text}; {extra}" if text else extra
    return text or "-"


def _role(c: Company, e: Entity) -> str:
    return f"{e.role}, controller" if e.key == c.controller_key else e.role


def _address_state(e: Entity) -> str:
    if not e.address:
        return "none"
    return "verified" if e.address_verified else "unverified"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 3].rstrip() + "..."
