"""Reading one big plain manifest with more than one process.

A YFCC100M-format file is the largest manifest there is (100M rows), and its parser,
not SQLite, is most of an import's time; it reads each line on its own. So a plain
(uncompressed, seekable) file of such a format is cut at line starts into parts
(:func:`plan`): the importing process parses the first part as usual, while forked
worker processes parse the others with the same parser. A worker sends back its rows
as one numpy array, with owner ids of its own, the owner names those ids stand for,
its tallies, its bad rows and its number of lines; the importing process maps the
owners to its own ids, puts bad-row line numbers in terms of the whole file, and adds
it all as if it had read the part itself. The index, the counts and the bad-row list
come out the same as from one process.
"""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import BinaryIO, Callable

import numpy as np

from .formats import FORMATS, Format
from .owners import OwnerMint
from .parsing import BAD_ROWS_LISTED, BadRow, FileTally, ParseContext
from .sources import MAX_LINE, Source, sniff

# formats whose parser reads every line on its own and yields only integer keys
PARALLEL_FORMATS = frozenset({"yfcc100m", "photo-ids"})
MIN_BYTES = 64 << 20      # smaller files are read faster than a process starts
MAX_PARTS = 4


@dataclass
class PartResult:
    pairs: np.ndarray          # (rows, width) int64; owner ids of the part's own (0 = none)
    names: list[bytes]         # owner name of part id i + 1
    rows: int
    bad: int
    no_key: int
    duplicates: int
    bad_rows: list[BadRow]
    lines: int


class _PartReader:
    """The bytes of ``raw`` up to ``end``, counting newlines on the way."""

    def __init__(self, raw: BinaryIO, end: int) -> None:
        self.raw, self.end, self.newlines = raw, end, 0

    def read1(self, size: int = -1) -> bytes:
        left = self.end - self.raw.tell()
        if left <= 0:
            return b""
        data = self.raw.read1(left if size < 0 else min(size, left))  # type: ignore[attr-defined]
        self.newlines += data.count(b"\n")
        return data

    read = read1

    def close(self) -> None:
        self.raw.close()


def plan(path: Path, size: int | None, format_name: str) -> list[tuple[int, int]] | None:
    """Byte ranges ``[start, end)`` to read in parallel, each starting at a line start,
    or None when the file is read by one process."""
    workers = min(os.cpu_count() or 1, MAX_PARTS)
    if format_name not in PARALLEL_FORMATS or size is None or size < MIN_BYTES or workers < 2:
        return None
    try:
        if not path.is_file() or sniff(path) != "plain":
            return None
        cuts = [0]
        with open(path, "rb") as fh:
            for k in range(1, workers):
                fh.seek(size * k // workers)
                probe = fh.read(MAX_LINE)
                newline = probe.find(b"\n")
                if newline >= 0:
                    cut = size * k // workers + newline + 1
                    if cuts[-1] < cut < size:
                        cuts.append(cut)
    except OSError:
        return None
    cuts.append(size)
    return list(zip(cuts, cuts[1:])) if len(cuts) > 2 else None


def _part_source(path: Path, start: int, end: int) -> tuple[Source, _PartReader]:
    raw = open(path, "rb")  # noqa: SIM115 - closed with the Source
    raw.seek(start)
    reader = _PartReader(raw, end)
    source = Source(path=path, name=path.name, size=end - start, compression="none",
                    stream=reader, raw=raw, continued=start > 0)  # type: ignore[arg-type]
    return source, reader


def _parse_part(path: str, start: int, end: int, format_name: str, options: dict) -> PartResult:
    """In a worker process: parse ``[start, end)`` of the file."""
    fmt = FORMATS[format_name]
    mint = OwnerMint()
    ctx = ParseContext(format_name, mint, options)
    ctx.tally = FileTally(Path(path).name)
    ctx.tally.no_key = 1   # a part inside the file never judges the whole file's format
    chunks = []
    width = len(fmt.columns)
    source, reader = _part_source(Path(path), start, end)
    with source:
        for batch in fmt.parse(source, ctx):
            if batch:
                chunks.append(np.fromiter(chain.from_iterable(batch), np.int64,
                                          count=width * len(batch)).reshape(-1, width))
    tally = ctx.tally
    pairs = np.concatenate(chunks) if chunks else np.zeros((0, width), np.int64)
    return PartResult(pairs, mint.names, tally.rows, tally.bad, tally.no_key - 1,
                      tally.duplicates, ctx.bad_rows, reader.newlines)


def read_parts(path: Path, parts: list[tuple[int, int]], fmt: Format, ctx: ParseContext,
               add: Callable[[list | np.ndarray], None],
               progress: Callable[[int], None] | None = None, *, last_file: bool = False) -> None:
    """Parse ``parts`` of ``path`` into ``add`` (the first here, the rest in workers),
    with ``ctx`` (its tally and bad rows) as one process reading them all would leave it.
    ``last_file``: no file of the load follows, so the owners of the last part need not
    be remembered for later lookups."""
    pool = multiprocessing.get_context("fork").Pool(len(parts) - 1)
    try:
        jobs = [pool.apply_async(_parse_part, (str(path), start, end, fmt.name, ctx.options))
                for start, end in parts[1:]]
        pool.close()
        source, reader = _part_source(path, *parts[0])
        with source:
            for batch in fmt.parse(source, ctx):
                if batch:
                    add(batch)
                if progress:
                    progress(source.position())
        lines = reader.newlines
        for n, ((_start, end), job) in enumerate(zip(parts[1:], jobs), start=2):
            part = job.get()
            _merge(part, lines, ctx, add, remember=not (last_file and n == len(parts)))
            lines += part.lines
            if progress:
                progress(end)
        pool.join()
    finally:
        pool.terminate()   # workers still parsing when the first part failed stop here


def _merge(part: PartResult, lines_before: int, ctx: ParseContext,
           add: Callable[[list | np.ndarray], None], *, remember: bool) -> None:
    if part.names:
        ids = np.zeros(len(part.names) + 1, dtype=np.int64)
        ids[1:] = ctx.owners.mint_many(part.names,  # type: ignore[attr-defined]
                                       remember=remember)
        part.pairs[:, 1] = ids[part.pairs[:, 1]]
    if len(part.pairs):
        add(part.pairs)
    tally = ctx.tally
    tally.rows += part.rows
    tally.bad += part.bad
    tally.no_key += part.no_key
    tally.duplicates += part.duplicates
    for bad in part.bad_rows:
        if len(ctx.bad_rows) >= BAD_ROWS_LISTED:
            break
        ctx.bad_rows.append(BadRow(bad.file, bad.line + lines_before, bad.reason))
