"""Validated data records: read one TOML or JSON file, check it against a JSON schema.

The dataset registry (:mod:`bot.registry`) and the company directory
(:mod:`bot.companies`) keep one small file per record. This module reads such
a file defensively (size cap, strict UTF-8, no symbolic links, duplicate JSON
keys refused) and validates it against a schema in ``bot/data/schemas/`` with
the ``jsonschema`` library. Every failure is a :class:`~bot.errors.DataError`
whose message names the file and the field, in words a person can act on, e.g.
``companies/acme.json: field 'email': must be an email address like
privacy@example.com (got 'not-an-email')``.
"""

from __future__ import annotations

import json
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .errors import DataError
from .resources import data_path

MAX_RECORD_BYTES = 256 * 1024
MAX_RECORDS = 10_000
_SHOWN_VALUE_CHARS = 60


def shown_path(path: Path) -> str:
    """The last two parts of a path (``companies/ibm.json``): enough to find it, no home folders."""
    parts = Path(path).parts
    return "/".join(parts[-2:]) if len(parts) >= 2 else str(path)


def record_files(folder: Path, suffix: str) -> list[Path]:
    """The record files (``*.toml`` or ``*.json``) in ``folder``, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder of {suffix} records")
    files = sorted(p for p in folder.iterdir() if p.suffix == suffix and not p.name.startswith("."))
    if len(files) > MAX_RECORDS:
        raise DataError(f"{folder}: more than {MAX_RECORDS} records; refusing to load them all")
    return files


def read_record(path: Path) -> dict[str, Any]:
    """Parse one ``.toml`` or ``.json`` record into a dict (not yet validated)."""
    path = Path(path)
    where = shown_path(path)
    if path.is_symlink():
        raise DataError(f"{where}: symbolic links are not accepted as records")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_RECORD_BYTES + 1)
    except OSError as exc:
        raise DataError(f"{where}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_RECORD_BYTES:
        raise DataError(f"{where}: larger than {MAX_RECORD_BYTES // 1024} KiB; a record is a small text file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{where}: not UTF-8 text (bad byte at position {exc.start})") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if path.suffix == ".toml":
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise DataError(f"{where}: not valid TOML ({exc})") from None
        except RecursionError:
            raise DataError(f"{where}: not valid TOML (nested too deeply)") from None
    elif path.suffix == ".json":
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
        except _DuplicateKey as exc:
            raise DataError(f"{where}: field {exc.args[0]!r} appears twice") from None
        except (json.JSONDecodeError, RecursionError) as exc:
            detail = f"line {exc.lineno}, column {exc.colno}: {exc.msg}" if isinstance(
                exc, json.JSONDecodeError) else "nested too deeply"
            raise DataError(f"{where}: not valid JSON ({detail})") from None
    else:
        raise DataError(f"{where}: records are .toml or .json files")
    if not isinstance(data, dict):
        raise DataError(f"{where}: must hold one object (a table of fields), not {_type_name(data)}")
    return data


@lru_cache(maxsize=None)
def _validator(name: str) -> Draft202012Validator:
    path = data_path("schemas", f"{name}.schema.json")
    with open(path, encoding="utf-8") as fh:
        schema = json.load(fh)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema(name: str) -> dict[str, Any]:
    """The bundled JSON schema ``bot/data/schemas/<name>.schema.json`` (``company``, ``dataset``)."""
    return _validator(name).schema  # type: ignore[return-value]


def check_record(data: dict[str, Any], schema_name: str, where: str) -> None:
    """Raise DataError naming ``where`` and the first bad field unless ``data`` fits the schema."""
    errors = sorted(_validator(schema_name).iter_errors(data), key=_error_order)
    if errors:
        raise DataError(f"{where}: {describe_error(errors[0])}")


def describe_error(error: ValidationError) -> str:
    """One plain sentence for one schema violation: the field, then what is wrong."""
    field = field_name(error.absolute_path)
    prefix = f"field {field!r}: " if field else ""
    kind = error.validator
    value = error.instance
    spec = error.schema if isinstance(error.schema, dict) else {}
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = set(spec.get("properties", {}))
        extra = sorted(k for k in value if k not in allowed)
        names = ", ".join(repr(k) for k in extra[:3])
        known = ", ".join(sorted(allowed))
        where = f"in {field!r} " if field else ""
        return f"unknown field {names} {where}(known fields: {known})"
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        inner = f"{field}.{missing}" if field else missing
        return f"field {inner!r} is missing"
    if kind == "type":
        wanted = error.validator_value
        wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
        return f"{prefix}must be {_article(wanted)} (got {_type_name(value)} {_shown(value)})"
    if kind in ("enum", "const"):
        options = error.validator_value if kind == "enum" else [error.validator_value]
        return f"{prefix}must be one of {', '.join(repr(o) for o in options)} (got {_shown(value)})"
    if kind == "pattern":
        hint = spec.get("x-hint", "in the expected form")
        return f"{prefix}must be {hint} (got {_shown(value)})"
    if kind == "minLength":
        return f"{prefix}must not be empty" if error.validator_value == 1 else \
            f"{prefix}must be at least {error.validator_value} characters long"
    if kind == "maxLength":
        return f"{prefix}is too long (at most {error.validator_value} characters)"
    if kind == "minItems":
        return f"{prefix}needs at least {error.validator_value} entr{'y' if error.validator_value == 1 else 'ies'}"
    if kind == "maxItems":
        return f"{prefix}has too many entries (at most {error.validator_value})"
    if kind == "uniqueItems":
        return f"{prefix}lists the same entry twice"
    if kind in ("minimum", "maximum"):
        word = "at least" if kind == "minimum" else "at most"
        return f"{prefix}must be {word} {error.validator_value} (got {_shown(value)})"
    return f"{prefix}{error.message}"


def field_name(path: Iterator[Any] | Any) -> str:
    """``users[2].source`` from a jsonschema path deque."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _error_order(error: ValidationError) -> tuple[int, str]:
    # Top-level problems (unknown or missing fields) first, then in document order.
    return (len(error.absolute_path), field_name(error.absolute_path))


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if value is None:
        return "nothing"
    return type(value).__name__


def _article(kind: str) -> str:
    names = {"string": "text", "integer": "a whole number", "boolean": "true or false",
             "array": "a list", "object": "a table", "number": "a number", "null": "empty"}
    return names.get(kind, kind)


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return f"with {len(value)} entr{'y' if len(value) == 1 else 'ies'}"
    text = repr(value)
    if len(text) > _SHOWN_VALUE_CHARS:
        text = text[:_SHOWN_VALUE_CHARS - 3] + "..."
    return text
