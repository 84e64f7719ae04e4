"""``rightsbot serve``: run the Telegram bot (long polling, or a webhook with --webhook).

The token comes from TELEGRAM_BOT_TOKEN, the webhook secret from
TELEGRAM_WEBHOOK_SECRET; everything else from ``[telegram]`` in the config, with
the command-line options below taking precedence. SIGINT/SIGTERM stop the bot
after the turns in progress; people's progress is saved after every turn, and
updates not yet handled are fetched again on the next start.
"""

from __future__ import annotations

import argparse
import logging
import re

from ..config import Config, secret
from ..errors import ConfigError
from .common import add_config_option, add_index_option, load_config

ORDER = 10

_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the Telegram bot",
        description="Run the Telegram bot. Needs TELEGRAM_BOT_TOKEN (from @BotFather); "
                    "without one, try `rightsbot chat` in the terminal.")
    add_config_option(parser)
    add_index_option(parser)
    parser.add_argument("--webhook", action="store_true",
                        help="receive updates on a webhook instead of long polling "
                             "(needs TELEGRAM_WEBHOOK_SECRET)")
    parser.add_argument("--webhook-url", metavar="URL", default=None,
                        help="public https URL Telegram posts to (overrides [telegram] webhook_url)")
    parser.add_argument("--listen", metavar="ADDRESS", default=None,
                        help="address the webhook server listens on "
                             "(overrides [telegram] webhook_listen)")
    parser.add_argument("--port", metavar="PORT", type=int, default=None,
                        help="port of the webhook server (overrides [telegram] webhook_port)")
    parser.set_defaults(func=run)


def bot_token() -> str:
    token = secret("TELEGRAM_BOT_TOKEN")
    if token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set. Get a token from @BotFather and "
                          "export it, or try the same conversation without Telegram: "
                          "`rightsbot chat`")
    if not _TOKEN.match(token):
        raise ConfigError("TELEGRAM_BOT_TOKEN does not look like a bot token "
                          "(the bot's number, a colon, then at least 20 letters, digits, _ or -, "
                          "as @BotFather gives it: 123456789:AAE...)")
    return token


# Libraries' loggers and the most they may say. At DEBUG, python-telegram-bot logs every
# update it processes and every Bot API call with its parameters (the person's messages:
# names, addresses, emails) and the Bot API URL, which holds the token; httpx logs request
# URLs (token again) at INFO; httpcore logs connection details. Their INFO and WARNING
# lines carry neither, so they stay, whatever [logging] level asks for.
LIBRARY_LOG_FLOORS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
}


def configure_logging(config: Config) -> None:
    level = logging.getLevelName(config.logging.level)
    logging.getLogger().setLevel(level)
    for name, floor in LIBRARY_LOG_FLOORS.items():
        logging.getLogger(name).setLevel(max(floor, level))


def run(args: argparse.Namespace) -> int:
    config = load_config(args)
    token = bot_token()
    webhook_wanted = args.webhook or config.telegram.mode == "webhook"

    from ..telegram import build_application, run_application, webhook_settings

    webhook = None
    if webhook_wanted:
        webhook = webhook_settings(config, url=args.webhook_url, listen=args.listen,
                                   port=args.port, secret=secret("TELEGRAM_WEBHOOK_SECRET"))
    configure_logging(config)

    from ..journey.engine import Journey
    from ..journey.services import Services
    from ..storage import Store

    from ..letters.pool import LetterPool

    store = Store.from_config(config)
    pool = LetterPool(config)
    try:
        services = Services.from_config(config)
        services.letter_pool = pool
        pool.warm_up()
        journey = Journey(services, store)
        application = build_application(config, journey, token, store=store)
        run_application(application, webhook)
    finally:
        pool.close()
        store.close()
    return 0
