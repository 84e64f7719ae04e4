"""``rightsbot chat``: the bot's whole conversation in the terminal, no Telegram needed.

Buttons become numbers, uploads become file paths, and the letters are written
to ``[letters] output_dir`` (or ``--out``). Progress is saved after every step,
exactly as in Telegram, so the chat continues where it stopped.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import add_config_option, add_index_option, load_config

ORDER = 11


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "chat", help="the bot's conversation in this terminal (no Telegram needed)",
        description="Check your photos and make your letters in the terminal: the same "
                    "conversation as the Telegram bot. Type a number to press a button, a file "
                    "path to send a photo, /help for help.")
    add_config_option(parser)
    add_index_option(parser)
    parser.add_argument("--out", metavar="DIR", type=Path, default=None,
                        help="folder for the letters (overrides [letters] output_dir)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(args)
    return run_chat(config, args.out)


def run_chat(config, out: Path | None = None) -> int:
    from ..journey.engine import Journey
    from ..journey.services import Services
    from ..storage import Store
    from ..terminal.chat import TerminalChat

    services = Services.from_config(config)
    services.zip_threshold = None     # a folder holds many files well: no ZIP in the terminal
    with Store.from_config(config) as store:
        journey = Journey(services, store, reminders=False,   # closed between runs
                          operator=True)        # whoever runs it can read every file
        chat = TerminalChat(journey.handle, letters_dir=(out or config.letters.output_dir),
                            max_upload_bytes=config.photos.max_bytes)
        return chat.run()
