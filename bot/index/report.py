"""What an import did (:class:`ImportReport`), and why one was refused, in plain words."""

from __future__ import annotations

from dataclasses import dataclass, field

from .parsing import BadRow, FileTally


@dataclass
class ImportReport:
    """What one import did; ``lines()`` is what the CLI prints."""
    dataset: str
    format: str
    files: list[FileTally] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    keys: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def bad(self) -> int:
        return sum(f.bad for f in self.files)

    @property
    def no_key(self) -> int:
        return sum(f.no_key for f in self.files)

    @property
    def partial(self) -> bool:
        """A damaged file was imported in part (only with ``accept_partial``)."""
        return any(f.stopped for f in self.files)

    def lines(self) -> list[str]:
        out = [f"{self.dataset}: {self.rows:,} rows imported from {len(self.files)} file(s) "
               f"as {self.format} in {self.seconds:.1f} s"]
        keys = ", ".join(f"{k.replace('_id', '')} {v:,}" for k, v in self.keys.items() if v)
        if keys:
            out.append(f"  keys: {keys}")
        duplicates = sum(f.duplicates for f in self.files)
        if duplicates:
            out.append(f"  {duplicates:,} repeated rows for the same photo were stored once")
        if self.no_key:
            out.append(f"  {self.no_key:,} rows carry no key that can match")
        if self.bad:
            out.append(f"  {self.bad:,} bad rows skipped; the first {len(self.bad_rows)}:")
            out.extend(f"    {row}" for row in self.bad_rows)
        for tally in self.files:
            if tally.stopped:
                out.append(f"  PARTIAL: {tally.stopped}; only the {tally.rows:,} rows read "
                           "before the damage were imported (--accept-partial)")
        return out

    def to_json(self) -> dict:
        return {"dataset": self.dataset, "format": self.format, "rows": self.rows,
                "bad_rows": self.bad, "no_key_rows": self.no_key, "keys": self.keys,
                "seconds": round(self.seconds, 3), "partial": self.partial,
                "files": [{"name": f.name, "rows": f.rows, "bad_rows": f.bad,
                           "no_key_rows": f.no_key, "stopped": f.stopped,
                           "damaged": f.stopped is not None} for f in self.files],
                "first_bad_rows": [{"file": b.file, "line": b.line, "reason": b.reason}
                                   for b in self.bad_rows]}


def damaged_message(damaged: list[FileTally]) -> str:
    """Why an import with damaged files was refused, and the way out."""
    first = damaged[0]
    others = f" (and {len(damaged) - 1} more damaged files)" if len(damaged) > 1 else ""
    rows = sum(t.rows for t in damaged)
    return (f"{first.stopped}{others}: nothing was imported and the index was not changed (a "
            "version imported before is still there, whole). Fetch the file again, or add "
            f"--accept-partial to import the {rows:,} rows read before the damage.")


def no_rows_message(report: ImportReport, format_name: str) -> str:
    if report.no_key and not report.bad:
        return (f"none of the {report.no_key:,} rows carries a key that can match (for IJB-C: its "
                "file names are not Flickr IDs); hash the dataset's images with "
                "`rightsbot index hash-images` instead. The index was not changed.")
    first = f" (first: {report.bad_rows[0]})" if report.bad_rows else ""
    stopped = next((f"; {t.stopped}" for t in report.files if t.stopped), "")
    return (f"no usable {format_name} rows found ({report.bad:,} bad){first}{stopped}; "
            "the index was not changed")
