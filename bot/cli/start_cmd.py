"""``rightsbot start``: the main job. With TELEGRAM_BOT_TOKEN set, run the bot;
without it, the same conversation in this terminal (the README's first command)."""

from __future__ import annotations

import argparse
import sys

from ..config import secret
from .common import add_config_option, add_index_option

ORDER = 9


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "start", help="run the bot if TELEGRAM_BOT_TOKEN is set, else the terminal chat",
        description="The main job: `rightsbot serve` when TELEGRAM_BOT_TOKEN is set, "
                    "otherwise `rightsbot chat` (no token, no network: the bundled demo index).")
    add_config_option(parser)
    add_index_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if secret("TELEGRAM_BOT_TOKEN"):
        from . import serve_cmd
        args.webhook, args.webhook_url, args.listen, args.port = False, None, None, None
        print("rightsbot: TELEGRAM_BOT_TOKEN is set: starting the Telegram bot "
              "(Ctrl-C to stop).", file=sys.stderr)
        return serve_cmd.run(args)
    from . import chat_cmd
    args.out = None
    print("rightsbot: no TELEGRAM_BOT_TOKEN: running the conversation in this terminal "
          "(set the token to run the Telegram bot).", file=sys.stderr)
    return chat_cmd.run(args)
