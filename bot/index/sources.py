"""Reading manifest files: decompression by magic bytes, capped lines, streamed JSON.

Nothing here trusts the file: lines are capped (an over-long line becomes the
:data:`OVERLONG` marker so its number can be reported), JSON values are decoded
one at a time with a size cap, and binary or UTF-16 data is refused up front.
Named pipes work too (no seeking; the size is then unknown).
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import json
import lzma
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from ..errors import ImportFormatError, IndexStoreError

CHUNK_SIZE = 1 << 20
MAX_LINE = 4 << 20           # bytes; longer lines are bad rows
MAX_JSON_VALUE = 16 << 20    # characters in one JSON record
OVERLONG = b"\x00<line too long>"
BOMB_MIN_BYTES = 64 << 20    # decompressed bytes before the ratio is judged
BOMB_RATIO = 500             # decompressed / compressed bytes no real manifest reaches
# bytes that text manifests consist of (control characters other than tab/CR/LF are not)
_TEXT_BYTES = bytes([9, 10, 13]) + bytes(range(32, 127)) + bytes(range(128, 256))

_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"PAR1", "parquet"),
    (b"PK\x03\x04", "zip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"SQLite format 3\x00", "sqlite"),
)


@dataclass
class Source:
    """One opened manifest file: its decompressed bytes and how far the raw file is read."""
    path: Path
    name: str
    size: int | None          # raw size on disk, None for pipes
    compression: str          # "none", "gzip", "bzip2", "xz"
    stream: BinaryIO          # decompressed bytes
    raw: BinaryIO
    progress_hint: int | None = None   # set by readers that seek around (parquet)
    continued: bool = False   # a part of a file that starts at a line inside it (parallel.py)

    def position(self) -> int:
        """Raw (compressed) bytes consumed so far, for byte-based progress."""
        if self.progress_hint is not None:
            return self.progress_hint
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        for f in (self.stream, self.raw):
            try:
                f.close()
            except (OSError, ValueError, EOFError):
                pass

    def __enter__(self) -> "Source":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sniff(path: Path) -> str:
    """The container kind by magic bytes: a compression, "parquet", "zip"..., or "plain"."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    return _kind(head)


def _kind(head: bytes) -> str:
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return "plain"


def open_source(path: Path) -> Source:
    """Open a manifest, undoing gzip/bzip2/xz by their magic bytes (not the name)."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed by Source.close
    except IsADirectoryError:
        raise IndexStoreError(f"{path.name}: is a folder, not a manifest file") from None
    except OSError as exc:
        raise IndexStoreError(f"{path.name}: cannot read ({exc.strerror or exc})") from None
    try:
        size = os.fstat(raw.fileno()).st_size if path.is_file() else None
        head = raw.peek(16)[:16]
        kind = _kind(head)
        if kind == "gzip":
            stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
        elif kind == "bzip2":
            stream = bz2.BZ2File(raw, mode="rb")  # type: ignore[assignment]
        elif kind == "xz":
            stream = lzma.LZMAFile(raw, mode="rb")  # type: ignore[assignment]
        elif kind in ("zip", "zstd", "sqlite"):
            raise ImportFormatError(
                f"{path.name}: is a {kind} file; unpack it first (gzip, bzip2 and xz are read directly)")
        else:
            stream = raw
        return Source(path=path, name=path.name, size=size,
                      compression="none" if kind in ("plain", "parquet") else kind,
                      stream=stream, raw=raw)
    except BaseException:
        raw.close()
        raise


def check_text(source: Source, head: bytes, format_name: str) -> None:
    """Refuse data that is plainly not text (binary, UTF-16/32) before parsing it."""
    if head[257:262] == b"ustar":      # a tar archive (often .tar.gz): its members are inside
        raise ImportFormatError(
            f"{source.name}: is a tar archive; unpack it first and import the manifest files "
            "in it (a folder of them works too)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) > 3 and head[1:4:2] == b"\x00\x00"):
        raise ImportFormatError(
            f"{source.name}: looks UTF-16 encoded; convert it to UTF-8 before importing "
            f"it as {format_name}")
    sample = head[:65536]
    if sample and len(sample.translate(None, _TEXT_BYTES)) > len(sample) // 100 + 2:
        raise ImportFormatError(
            f"{source.name}: contains binary data, not a {format_name} text file")


class _Reader:
    """Reads decompressed chunks, turning decompression errors into plain messages, and
    stops a decompression bomb: real manifests shrink 5-30 times when compressed, gzip
    cannot exceed about 1030:1, but bzip2 and xz of a repeated byte go far beyond (a 1 kB
    bzip2 file can hold gigabytes of empty lines, hours of reading)."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.produced = 0

    def read(self, size: int = CHUNK_SIZE) -> bytes:
        try:
            # read1: one decompression step at a time, so a cut-off file loses only the
            # last step, not everything a big read() had decompressed before the error
            data = self.source.stream.read1(size)  # type: ignore[attr-defined]
        except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:
            raise TruncatedInput(f"{self.source.name}: compressed data is damaged or cut off "
                                 f"({exc.__class__.__name__})") from None
        self.produced += len(data)
        if self.source.compression != "none" and self.produced > BOMB_MIN_BYTES:
            consumed = self.source.position()     # 0 when unknown (a pipe): no judgement
            if consumed and self.produced > BOMB_RATIO * consumed:
                raise ImportFormatError(
                    f"{self.source.name}: decompresses to more than {BOMB_RATIO:,} times its "
                    "size, which no real manifest does (a decompression bomb?); nothing was "
                    "imported")
        return data


class TruncatedInput(Exception):
    """The compressed stream ends early or is corrupt; rows read so far stand."""


def line_batches(source: Source, format_name: str, *, max_line: int | None = None,
                 chunk_size: int = CHUNK_SIZE) -> Iterator[tuple[int, list[bytes]]]:
    """Batches of lines ``(number of the first line, lines)`` without newlines.

    A line longer than ``max_line`` is replaced by :data:`OVERLONG` (and the
    rest of it skipped); CRLF endings are handled; a leading UTF-8 BOM is dropped.
    """
    max_line = max_line or MAX_LINE
    reader = _Reader(source)
    chunk = reader.read(chunk_size)
    if not source.continued:    # the start of the file: what kind of text, and its BOM
        check_text(source, chunk, format_name)
        if chunk.startswith(codecs.BOM_UTF8):
            chunk = chunk[3:]
    crlf = b"\r\n" in chunk[:65536]
    lineno = 1
    tail = b""
    skipping = False
    while chunk:
        if skipping:
            newline = chunk.find(b"\n")
            if newline < 0:
                chunk = reader.read(chunk_size)
                continue
            chunk = chunk[newline + 1:]
            skipping = False
        lines = chunk.split(b"\n")
        if tail:    # the line cut at the end of the last chunk (joined here, not the chunk)
            lines[0] = tail + lines[0]
        tail = lines.pop()
        if len(tail) > max_line:
            lines.append(OVERLONG)
            tail = b""
            skipping = True
        if lines:
            if max(map(len, lines)) > max_line:
                lines = [OVERLONG if len(line) > max_line else line for line in lines]
            if crlf:
                lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
            yield lineno, lines
            lineno += len(lines)
        chunk = reader.read(chunk_size)
    if tail:
        if crlf and tail.endswith(b"\r"):
            tail = tail[:-1]
        yield lineno, [OVERLONG if len(tail) > max_line else tail]


class JsonSyntaxError(Exception):
    """The JSON stream is broken at ``line``; what came before stands."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def json_records(source: Source, format_name: str, *,
                 max_value: int = MAX_JSON_VALUE) -> Iterator[tuple[int, str | int | None, object]]:
    """Stream ``(line, key, value)`` out of a JSON manifest without loading it.

    Top-level object: one item per member (key, value); a member whose value is
    an array is streamed element by element (key, element). Top-level array:
    one item per element (index, element). Each value is decoded on its own, so
    memory stays at one record (capped at ``max_value`` characters).
    """
    stream = _JsonStream(source, format_name, max_value)
    opener = stream.next_char()
    if opener == "[":
        yield from stream.array_items(None)
    elif opener == "{":
        first = True
        while True:
            char = stream.next_char()
            if char == "}":
                break
            if not first:
                if char != ",":
                    raise JsonSyntaxError("expected ',' or '}' between members", stream.line)
                char = stream.next_char()
            first = False
            if char != '"':
                raise JsonSyntaxError("expected a quoted member name", stream.line)
            stream.pos -= 1
            key = stream.value()
            if stream.next_char() != ":":
                raise JsonSyntaxError("expected ':' after a member name", stream.line)
            if stream.next_char() == "[":
                yield from stream.array_items(key)
            else:
                stream.pos -= 1
                line = stream.line
                yield line, key, stream.value()
    elif opener == "":
        return
    else:
        raise ImportFormatError(f"{source.name}: is not JSON (it does not start with {{ or [), "
                                f"so not a {format_name} manifest")


class _JsonStream:
    _WS = " \t\r\n"

    def __init__(self, source: Source, format_name: str, max_value: int) -> None:
        self.reader = _Reader(source)
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.line = 1
        self.max_value = max_value
        self.scan = json.JSONDecoder().raw_decode
        head = self.reader.read(CHUNK_SIZE)
        check_text(source, head, format_name)
        self._append(head[3:] if head.startswith(codecs.BOM_UTF8) else head)

    def _append(self, data: bytes) -> None:
        if not data:
            self.eof = True
        try:
            text = self.decoder.decode(data, final=self.eof)
        except UnicodeDecodeError:
            raise JsonSyntaxError("the text is not valid UTF-8", self.line) from None
        self.buf = self.buf[self.pos:] + text
        self.pos = 0

    def _fill(self) -> bool:
        if self.eof:
            return False
        self._append(self.reader.read(CHUNK_SIZE))
        return True

    def next_char(self) -> str:
        """The next non-space character (consumed), or "" at the end."""
        while True:
            buf, pos = self.buf, self.pos
            end = len(buf)
            while pos < end and buf[pos] in self._WS:
                if buf[pos] == "\n":
                    self.line += 1
                pos += 1
            self.pos = pos
            if pos < end:
                self.pos = pos + 1
                return buf[pos]
            if not self._fill():
                return ""

    def value(self) -> object:
        if self.next_char():
            self.pos -= 1   # skip white space, keep the value's first character
        while True:
            try:
                value, end = self.scan(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos > self.max_value:
                    raise JsonSyntaxError("a record is larger than the size cap", self.line) from None
                if not self._fill():
                    raise JsonSyntaxError(f"invalid JSON ({exc.msg})", self.line + exc.lineno - 1) \
                        from None
                continue
            if end == len(self.buf) and not self.eof and isinstance(value, (int, float)):
                self._fill()  # a number may continue in the next chunk
                continue
            self.line += self.buf.count("\n", self.pos, end)
            self.pos = end
            return value

    def array_items(self, key: object) -> Iterator[tuple[int, object, object]]:
        index = 0
        char = self.next_char()
        if char == "]":
            return
        self.pos -= 1
        while True:
            line = self.line
            item = self.value()
            yield line, (key if key is not None else index), item
            index += 1
            char = self.next_char()
            if char == "]":
                return
            if char != ",":
                raise JsonSyntaxError("expected ',' or ']' in an array", self.line)

