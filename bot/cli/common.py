"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator, TypeVar

from tqdm import tqdm

from ..config import Config

T = TypeVar("T")


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", type=Path, default=None,
                        help="TOML configuration file (default: ./config.toml if present, "
                             "else built-in defaults)")


def add_index_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", metavar="PATH", type=Path, default=None,
                        help="SQLite dataset index to use (overrides [index] path)")


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def load_config(args: argparse.Namespace) -> Config:
    """The configuration named by --config, with --index applied if given."""
    config = Config.load(getattr(args, "config", None))
    index = getattr(args, "index", None)
    if index is not None:
        config = config.with_overrides(index={"path": Path(index).expanduser().resolve()})
    return config


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False, sort_keys=False)
    sys.stdout.write("\n")


def progress(iterable: Iterable[T], *, total: int | None = None, desc: str = "",
             unit: str = "it") -> Iterator[T]:
    """A progress bar on stderr, shown only when stderr is a terminal."""
    return iter(tqdm(iterable, total=total, desc=desc, unit=unit, file=sys.stderr,
                     disable=None, dynamic_ncols=True, leave=False))


def progress_bar(*, total: int | None = None, desc: str = "", unit: str = "it",
                 unit_scale: bool = False) -> tqdm:
    """A manual progress bar (call ``.update(n)``), shown only on a terminal."""
    return tqdm(total=total, desc=desc, unit=unit, unit_scale=unit_scale, file=sys.stderr,
                disable=None, dynamic_ncols=True, leave=False)


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain text table with aligned columns."""
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
