"""Configuration: one TOML file, frozen dataclasses, strict validation.

Every key lives in a section dataclass below; ``config.example.toml`` documents
each one (a test keeps the two in step). Unknown sections or keys and values of
the wrong type or range raise :class:`~bot.errors.ConfigError` naming the key,
e.g. ``index.match_radius: must be an integer from 0 to 32 (got 99)``.

Relative paths resolve against the folder of the config file, or against the
current directory when the built-in defaults are used. Secrets never come from
the file: see :func:`secret`.
"""

from __future__ import annotations

import re

import dataclasses
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError

DEFAULT_CONFIG_NAME = "config.toml"
MAX_CONFIG_BYTES = 1024 * 1024

# Environment variables that hold secrets; never read from the TOML file.
SECRET_VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "FLICKR_API_KEY",
    "TELEGRAM_WEBHOOK_SECRET",
    "RIGHTSBOT_SEAL_PASSWORD",
)


_LINK = re.compile(r"https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~!$&'()*+,;=:@%/?#-]*)?")
_LINK_MAX = 200


def _key(default: Any, *, kind: str | None = None, low: float | None = None,
         high: float | None = None, choices: tuple[str, ...] | None = None) -> Any:
    """A config key: its default plus how to validate it."""
    meta = {"kind": kind, "low": low, "high": high, "choices": choices}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class IndexConfig:
    path: Path = _key(Path("var/index.sqlite"), kind="path")
    demo: bool = _key(True)
    match_radius: int = _key(8, low=0, high=32)


@dataclass(frozen=True)
class PhotosConfig:
    max_bytes: int = _key(20 * 1024 * 1024, low=1024, high=200 * 1024 * 1024)
    max_pixels: int = _key(50_000_000, low=10_000, high=500_000_000)


@dataclass(frozen=True)
class FlickrConfig:
    api_url: str = _key("https://api.flickr.com/services/rest/", kind="url")
    timeout_seconds: float = _key(10.0, low=0.1, high=300)
    max_retries: int = _key(4, low=0, high=10)
    max_photos: int = _key(50_000, low=1, high=10_000_000)


@dataclass(frozen=True)
class StorageConfig:
    path: Path = _key(Path("var/storage"), kind="path")
    retention_days: int = _key(180, low=1, high=3650)


@dataclass(frozen=True)
class LettersConfig:
    output_dir: Path = _key(Path("letters"), kind="path")
    templates_dir: Path | None = _key(None, kind="path")
    language: str = _key("en", choices=("en",))
    deadline_days: int = _key(30, low=1, high=365)
    seal_key: Path | None = _key(None, kind="path")
    seal_cert: Path | None = _key(None, kind="path")
    seal_visible: bool = _key(False)
    share_link: str = _key("", kind="link")


@dataclass(frozen=True)
class TelegramConfig:
    base_url: str = _key("https://api.telegram.org/bot", kind="url")
    base_file_url: str = _key("https://api.telegram.org/file/bot", kind="url")
    mode: str = _key("polling", choices=("polling", "webhook"))
    webhook_url: str = _key("")
    webhook_listen: str = _key("127.0.0.1")
    webhook_port: int = _key(8443, low=1, high=65535)
    zip_threshold: int = _key(4, low=1, high=50)
    reminder_hour_utc: int = _key(9, low=0, high=23)


@dataclass(frozen=True)
class LoggingConfig:
    level: str = _key("INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))


@dataclass(frozen=True)
class Config:
    index: IndexConfig = field(default_factory=IndexConfig)
    photos: PhotosConfig = field(default_factory=PhotosConfig)
    flickr: FlickrConfig = field(default_factory=FlickrConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    letters: LettersConfig = field(default_factory=LettersConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    source: Path | None = None  # the file this came from, None for built-in defaults

    @classmethod
    def defaults(cls, base: Path | None = None) -> "Config":
        """The built-in defaults, relative paths resolved against ``base`` (cwd)."""
        return cls.from_mapping({}, base=base or Path.cwd())

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, base: Path,
                     source: Path | None = None) -> "Config":
        sections: dict[str, Any] = {}
        known = {f.name: f for f in dataclasses.fields(cls) if f.name != "source"}
        for name in data:
            if name not in known:
                raise ConfigError(f"{name}: unknown section (known: {', '.join(sorted(known))})")
        for name, f in known.items():
            raw = data.get(name, {})
            if not isinstance(raw, Mapping):
                raise ConfigError(f"{name}: must be a table, like [{name}]")
            sections[name] = _build_section(f.default_factory, name, raw, base)  # type: ignore[misc]
        return cls(**sections, source=source)

    @classmethod
    def load(cls, path: Path | str | None = None) -> "Config":
        """Load ``path``; with None, ``./config.toml`` if present, else defaults."""
        if path is None:
            candidate = Path.cwd() / DEFAULT_CONFIG_NAME
            if not candidate.is_file():
                return cls.defaults()
            path = candidate
        path = Path(path).expanduser()
        try:
            info = path.stat()
            if stat.S_ISDIR(info.st_mode):
                raise ConfigError(f"{path}: is a folder, not a config file")
            if not stat.S_ISREG(info.st_mode):    # a pipe would block, a device never end
                raise ConfigError(f"{path}: is not a regular file, so not a config file")
            if info.st_size > MAX_CONFIG_BYTES:
                raise ConfigError(f"{path}: too large for a config file ({info.st_size:,} bytes; "
                                  f"at most {MAX_CONFIG_BYTES:,})")
            with open(path, "rb") as fh:
                data = tomllib.loads(fh.read(MAX_CONFIG_BYTES + 1).decode("utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        except RecursionError:
            raise ConfigError(f"{path}: not valid TOML (nested too deeply)") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read ({exc})") from None
        return cls.from_mapping(data, base=path.resolve().parent, source=path.resolve())

    def with_overrides(self, **sections: Mapping[str, Any]) -> "Config":
        """A copy with some keys replaced, e.g. ``with_overrides(index={"path": p})``.

        Values are taken as already-typed Python values (paths as Path)."""
        changes = {name: dataclasses.replace(getattr(self, name), **values)
                   for name, values in sections.items()}
        return dataclasses.replace(self, **changes)


def _build_section(factory: Any, section: str, raw: Mapping[str, Any], base: Path) -> Any:
    fields = {f.name: f for f in dataclasses.fields(factory)}
    for key in raw:
        if key not in fields:
            raise ConfigError(
                f"{section}.{key}: unknown key (known in [{section}]: {', '.join(sorted(fields))})")
    values = {}
    for key, value in raw.items():
        values[key] = _check_value(f"{section}.{key}", fields[key], value, base)
    # defaults for paths still need resolving against base
    for key, f in fields.items():
        if key not in values and f.metadata.get("kind") == "path" and f.default is not None:
            values[key] = _resolve(f.default, base)
    return factory(**values)


def _resolve(path: Path, base: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else (base / path)


def _check_value(name: str, f: dataclasses.Field, value: Any, base: Path) -> Any:
    meta = f.metadata
    default = f.default
    kind = meta.get("kind")
    if kind == "path":
        if not isinstance(value, str):
            raise ConfigError(f"{name}: must be a path in quotes (got {value!r})")
        if value == "" and default is None:
            return None
        if value == "" or "\x00" in value:
            raise ConfigError(f"{name}: must not be empty")
        return _resolve(Path(value), base)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{name}: must be true or false (got {value!r})")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{name}: must be a whole number (got {value!r})")
        _check_range(name, value, meta, "an integer")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{name}: must be a number (got {value!r})")
        _check_range(name, value, meta, "a number")
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ConfigError(f"{name}: must be a string in quotes (got {value!r})")
        choices = meta.get("choices")
        if choices and value not in choices:
            raise ConfigError(f"{name}: must be one of {', '.join(choices)} (got {value!r})")
        if kind == "url" and not value.startswith(("http://", "https://")):
            raise ConfigError(f"{name}: must be an http:// or https:// URL (got {value!r})")
        if kind == "link" and value and (len(value) > _LINK_MAX or not _LINK.fullmatch(value)):
            raise ConfigError(f"{name}: must be empty or one https:// link without spaces, "
                              f"at most 200 characters (got {value[:60]!r})")
        return value
    raise ConfigError(f"{name}: unsupported value {value!r}")  # pragma: no cover


def _check_range(name: str, value: float, meta: Mapping[str, Any], what: str) -> None:
    low, high = meta.get("low"), meta.get("high")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(f"{name}: must be {what} from {_number(low)} to {_number(high)} "
                          f"(got {value!r})")


def _number(value: float | None) -> str:
    # whole numbers in full (209715200, not 2.09715e+08), others as short as they go
    if value is None:
        return "any"
    return str(value) if isinstance(value, int) else f"{value:g}"


def secret(name: str) -> str | None:
    """A secret from the environment (stripped), or None when unset or blank."""
    if name not in SECRET_VARIABLES:
        raise KeyError(name)
    value = os.environ.get(name, "").strip()
    return value or None


def documented_keys() -> dict[str, list[str]]:
    """Every section and key, in declaration order (used by the docs test)."""
    out: dict[str, list[str]] = {}
    for section in dataclasses.fields(Config):
        if section.name == "source":
            continue
        out[section.name] = [f.name for f in dataclasses.fields(section.default_factory)]  # type: ignore[arg-type]
    return out
