"""Run the fake Bot API server standalone: ``python -m tests.botapi [--port N]``.

Prints the base URLs to use as ``[telegram] base_url`` / ``base_file_url``, then
serves until interrupted. Handy for running ``rightsbot serve`` by hand without
Telegram (there are no simulated people in this mode; drive them from Python).
"""

from __future__ import annotations

import argparse
import signal
import threading

from .server import DEFAULT_TOKEN, BotApiServer


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.botapi")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with BotApiServer(args.token, port=args.port) as server:
        print(f"base_url = \"{server.base_url}\"\nbase_file_url = \"{server.base_file_url}\"\n"
              f"TELEGRAM_BOT_TOKEN={server.token}", flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
