"""``rightsbot datasets``: the dataset registry, as a table, one dataset's details, or JSON."""

from __future__ import annotations

import argparse

from ..registry import Dataset, load_registry
from .common import add_json_option, format_table, print_json

ORDER = 40


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "datasets", help="list the face datasets rightsbot knows and who reportedly used them",
        description="List the datasets in the registry: who built each one, when, how it is "
                    "distributed, and how many companies are reported to have used it. Give a "
                    "slug to see one dataset with every reported user and its source.")
    parser.add_argument("slug", nargs="?", help="show one dataset in full (e.g. dif)")
    add_json_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    registry = load_registry()
    if args.slug:
        dataset = registry.get(args.slug)
        if args.json:
            print_json(dataset.to_json())
        else:
            print(describe(dataset))
        return 0
    if args.json:
        print_json({"datasets": [d.to_json() for d in registry]})
        return 0
    rows = [[d.slug, _cut(d.name, 34), d.creator, str(d.year), _cut(d.size, 38),
             _cut(d.status, 38), str(len(d.users))] for d in registry]
    print(format_table(["slug", "name", "creator", "year", "size", "status", "users"], rows))
    return 0


def describe(d: Dataset) -> str:
    lines = [f"{d.name} ({d.slug})", "",
             d.description, "",
             f"creator:      {d.creator}" + (f" (with {', '.join(d.co_creators)})" if d.co_creators else ""),
             f"year:         {d.year}",
             f"size:         {d.size}",
             f"status:       {d.status}",
             f"license:      {d.license}",
             f"source:       {d.source}"]
    if d.derived_from:
        lines.append(f"derived from: {', '.join(d.derived_from)}")
    lines.append(f"matching:     {d.miss_caveat()}")
    if d.removal:
        lines.append(f"removal:      {d.removal}")
    for link in d.links:
        lines.append(f"link:         {link}")
    lines.append("")
    if d.users:
        lines.append("Reported users (reports, not findings, unless a court says otherwise):")
        for u in d.users:
            lines += [f"  {u.company} [{u.strength}]", f"    {u.note}", f"    {u.source}"]
            if u.litigation is not None:
                lines.append(f"    court case ({u.litigation.status}): {u.litigation.case}")
    else:
        lines.append("No reported users recorded.")
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 3].rstrip() + "..."
