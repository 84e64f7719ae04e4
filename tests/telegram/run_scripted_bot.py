"""Run the real Telegram door with the scripted test journey in its own process:

    python -m tests.telegram.run_scripted_bot --base-url URL --file-url URL --token TOKEN

For tests that stop and restart the bot (SIGTERM, kill -9) and for the load
benchmark's door-only mode. Exits when stopped by SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from telegram.ext import AIORateLimiter

from bot.config import Config
from bot.telegram import build_application, run_application
from tests.telegram.scripted_journey import ScriptedJourney


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--file-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--no-rate-limit", action="store_true",
                        help="no outgoing rate limit (isolates the door's own cost)")
    parser.add_argument("--sequential", action="store_true",
                        help="one update at a time (python-telegram-bot's default), a baseline")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    config = Config.defaults(Path.cwd()).with_overrides(
        telegram={"base_url": args.base_url, "base_file_url": args.file_url})
    limiter = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3) \
        if args.no_rate_limit else None
    application = build_application(config, ScriptedJourney(), args.token, rate_limiter=limiter,
                                    concurrent_updates=1 if args.sequential else 256)
    run_application(application)
    print("STOPPED", flush=True)


if __name__ == "__main__":
    main()
