"""``rightsbot companies``: the company directory, as a table, one record's details, or JSON."""

from __future__ import annotations

import argparse

from ..companies import Company, load_directory
from .common import add_json_option, format_table, print_json

ORDER = 41


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "companies", help="list the companies letters can be addressed to",
        description="List the company directory: each record's name, how to send a request and "
                    "whether its postal address has been verified. Give a slug to see one record "
                    "in full, with its sources and US contact.")
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
    rows = [[c.slug, c.name, c.medium, "yes" if c.address_verified else "no",
             "yes" if c.us_contact else ""] for c in directory]
    print(format_table(["slug", "name", "medium", "verified", "US contact"], rows))
    return 0


def describe(c: Company) -> str:
    lines = [f"{c.name} ({c.slug})", "",
             f"legal entity: {c.legal_entity} ({c.entity_type})",
             f"address:      {', '.join(c.address) if c.address else 'none on file'}"
             + ("" if c.address_verified or not c.address else "  [unverified: check before sending]"),
             f"email:        {c.email or '-'}",
             f"web form:     {c.webform or '-'}",
             f"medium:       {c.medium}",
             f"quality:      {c.quality}"]
    for source in c.sources:
        lines.append(f"source:       {source}")
    if c.upstream:
        lines.append(f"upstream:     {c.upstream} (CC0)")
    us = c.us_contact
    if us:
        lines += ["", f"US contact:   {us.entity}",
                  f"  address:    {', '.join(us.address) if us.address else 'none on file'}"
                  + ("" if us.verified or not us.address else "  [unverified]"),
                  f"  email:      {us.email or '-'}", f"  web form:   {us.webform or '-'}"]
        for source in us.sources:
            lines.append(f"  source:     {source}")
        lines += [f"  note:       {n}" for n in us.notes]
    if c.notes:
        lines.append("")
        lines += [f"note: {n}" for n in c.notes]
    return "\n".join(lines)
