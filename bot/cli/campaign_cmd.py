"""``rightsbot campaign``: campaigns for advocacy groups (add, list, import, run, report).

Each action lives in its own module, ``bot/cli/campaign_<action>.py``, with a
``register(commands)`` function that adds its sub-parser; this module only
gathers them into one group.
"""

from __future__ import annotations

import argparse
import importlib

ORDER = 16
ACTIONS = ("intake", "run", "report")   # modules bot/cli/campaign_<action>.py


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "campaign", help="campaigns for advocacy groups: members, agent letters, bundles, reports",
        description="Run the check and the letters for the members of an advocacy group, "
                    "as their authorized agent: import members, run, report.")
    commands = parser.add_subparsers(dest="campaign_command", metavar="ACTION")
    commands.required = True
    for action in ACTIONS:
        importlib.import_module(f"{__package__}.campaign_{action}").register(commands)
