"""The ``rightsbot`` command line.

Each ``bot/cli/*_cmd.py`` module adds one subcommand (or a group) through
``register(subparsers)`` and is found automatically; modules set ``ORDER`` to
place themselves in ``--help``. A command builds one domain object, calls it,
and prints the result; domain errors become one line on stderr and exit 1.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
import traceback
from pathlib import Path
from typing import Sequence

from .. import __version__
from ..errors import RightsbotError

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rightsbot",
        description="Check whether your photos are in face-recognition training datasets, "
                    "and write the letters that demand their deletion.",
    )
    parser.add_argument("--version", action="version", version=f"rightsbot {__version__}")
    parser.add_argument("--config", dest="global_config", metavar="FILE", type=Path, default=None,
                        help="TOML configuration file, for the commands that read one; may also "
                             "be given after the command (rightsbot serve --config FILE)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    modules = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.endswith("_cmd"):
            modules.append(importlib.import_module(f"{__name__}.{info.name}"))
    for module in sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__)):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.global_config is not None:    # `rightsbot --config FILE serve`
        if not hasattr(args, "config"):
            parser.error(f"the {args.command} command does not read a configuration file")
        if args.config is not None and args.config != args.global_config:
            parser.error("--config was given twice, with different files")
        args.config = args.global_config
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        result = args.func(args)
    except RightsbotError as exc:
        print(f"rightsbot: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("rightsbot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `rightsbot datasets | head`
        return 0
    except Exception as exc:   # a bug: one plain line; its message may quote a person's data
        logging.getLogger(__name__).error("unexpected %s (message withheld)\n%s",
                                          type(exc).__name__,
                                          "".join(traceback.format_tb(exc.__traceback__)))
        print(f"rightsbot: error: something went wrong inside rightsbot ({type(exc).__name__}); "
              "please report it", file=sys.stderr)
        return EXIT_ERROR
    return int(result or 0)
