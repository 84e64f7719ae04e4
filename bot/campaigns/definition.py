"""A campaign definition (CAMPAIGN.toml), validated like the config.

Top-level keys ``slug``, ``join_code``, ``organisers``, ``deadline_days``; tables
``[organisation]`` (``name``, ``address``, ``signatory``, ``email``, ``sign_key``,
``sign_cert``), ``[targets]`` (optional ``datasets``, ``companies``, ``kinds``) and an
optional ``[storage]`` (``path``). Unknown keys are errors naming them; every error
is a :class:`~bot.errors.ConfigError` that names the file and the key
(``campaign.toml: organisation.email: 'x@' is not an email address``).

Paths (``sign_key``, ``sign_cert``, ``storage.path``) are relative to the TOML's
folder. A relative key or certificate path must stay inside that folder (no
``..`` escapes, no symlink pointing out); an absolute path is taken as the
operator wrote it. The key must load with its certificate (password from
``RIGHTSBOT_SEAL_PASSWORD``, never from the file) unless ``check_key=False``.
Member data lives in :attr:`Campaign.folder`, never inside the TOML. See
docs/campaigns.md.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..errors import ConfigError, RightsbotError

MAX_CAMPAIGN_FILE = 256 * 1024
MAX_ORGANISERS = 100
MAX_TARGETS = 200
MAX_ADDRESS_LINES = 6
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
JOIN_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
TELEGRAM_ID_MAX = 2 ** 53          # Telegram user ids fit in 52 bits
PASSWORD_VARIABLE = "RIGHTSBOT_SEAL_PASSWORD"

TOP_KEYS = ("slug", "join_code", "organisers", "deadline_days", "organisation", "targets",
            "storage")
ORGANISATION_KEYS = ("name", "address", "signatory", "email", "sign_key", "sign_cert")
TARGET_KEYS = ("datasets", "companies", "kinds")
STORAGE_KEYS = ("path",)


@dataclass(frozen=True)
class Organisation:
    name: str
    address: tuple[str, ...]
    signatory: str
    email: str
    sign_key: Path            # resolved against the TOML's folder
    sign_cert: Path


@dataclass(frozen=True)
class Targets:
    datasets: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Campaign:
    slug: str                       # [a-z0-9][a-z0-9-]{0,39}
    join_code: str                  # [A-Za-z0-9_-]{1,64} (Telegram deep-link payload alphabet)
    organisers: tuple[int, ...]     # Telegram user ids
    deadline_days: int
    organisation: Organisation
    targets: Targets
    source: Path                    # the TOML file (absolute)
    folder: Path                    # member data: [storage] path, else <toml folder>/<slug>/

    def is_organiser(self, telegram_id: int) -> bool:
        return telegram_id in self.organisers

    def join_payload(self) -> str:
        """What follows ``/start`` in the join link ``https://t.me/<bot>?start=<payload>``."""
        return self.join_code


def load_campaign(path: Path | str, *, check_key: bool = True) -> Campaign:
    """Read and validate a campaign TOML; ConfigError names the file and the key.

    ``check_key=False`` checks that the key and certificate files exist but does
    not open the key (for listings in a process without the seal password)."""
    path = Path(path).expanduser()
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise ConfigError(f"{path}: is a folder, not a campaign file")
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path}: is not a regular file, so not a campaign file")
        if info.st_size > MAX_CAMPAIGN_FILE:
            raise ConfigError(f"{path}: too large for a campaign file ({info.st_size:,} bytes; "
                              f"at most {MAX_CAMPAIGN_FILE:,})")
        with open(path, "rb") as fh:
            raw = fh.read(MAX_CAMPAIGN_FILE + 1)
        data = tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"campaign file not found: {path}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML (nested too deeply)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    source = path.resolve()
    return parse_campaign(data, source=source, check_key=check_key)


def parse_campaign(data: Mapping[str, Any], *, source: Path, check_key: bool = True) -> Campaign:
    """Validate a parsed campaign table; ``source`` is the TOML file (absolute)."""
    where = source.name
    try:
        return _parse(data, source, check_key)
    except _KeyProblem as exc:
        raise ConfigError(f"{where}: {exc.key}: {exc.detail}") from None


class _KeyProblem(Exception):
    def __init__(self, key: str, detail: str):
        super().__init__(f"{key}: {detail}")
        self.key, self.detail = key, detail


def _parse(data: Mapping[str, Any], source: Path, check_key: bool) -> Campaign:
    base = source.parent
    _known(data, TOP_KEYS, "")
    for key in ("slug", "join_code", "organisers", "deadline_days", "organisation"):
        if key not in data:
            raise _KeyProblem(key, "missing (required)")
    slug = _pattern(data["slug"], "slug", SLUG, "lowercase letters, digits and '-', at most 40, "
                    "starting with a letter or digit, like \"flickr-faces-2026\"")
    join_code = _pattern(data["join_code"], "join_code", JOIN_CODE,
                         "letters, digits, '_' and '-', at most 64 (a Telegram /start payload)")
    organisers = _organisers(data["organisers"])
    deadline = data["deadline_days"]
    if isinstance(deadline, bool) or not isinstance(deadline, int) or not 1 <= deadline <= 365:
        raise _KeyProblem("deadline_days", f"must be a whole number from 1 to 365 (got {deadline!r})")
    organisation = _organisation(_table(data, "organisation"), base, check_key)
    targets = _targets(_table(data, "targets"))
    storage = _table(data, "storage")
    _known(storage, STORAGE_KEYS, "storage")
    if "path" in storage:
        folder = _path(storage["path"], "storage.path", base)
    else:
        folder = base / slug
    if folder == source:
        raise _KeyProblem("storage.path", "must be a folder, not the campaign file itself")
    return Campaign(slug=slug, join_code=join_code, organisers=organisers, deadline_days=deadline,
                    organisation=organisation, targets=targets, source=source, folder=folder)


def _known(table: Mapping[str, Any], known: tuple[str, ...], section: str) -> None:
    unknown = sorted(str(k) for k in table if k not in known)
    if unknown:
        prefix = f"{section}." if section else ""
        names = ", ".join(prefix + k for k in unknown)
        where = f"[{section}]" if section else "the top level"
        raise _KeyProblem(names, f"unknown key{'s' if len(unknown) > 1 else ''} "
                          f"(known at {where}: {', '.join(known)})")


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise _KeyProblem(key, f"must be a table, like [{key}]")
    return value


def _pattern(value: Any, key: str, pattern: re.Pattern[str], hint: str) -> str:
    if not isinstance(value, str):
        raise _KeyProblem(key, f"must be text in quotes ({hint})")
    if not pattern.fullmatch(value):
        raise _KeyProblem(key, f"{value[:60]!r} is not allowed: {hint}")
    return value


def _organisers(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise _KeyProblem("organisers", "must be a list of Telegram user IDs, like [123456789]")
    if len(value) > MAX_ORGANISERS:
        raise _KeyProblem("organisers", f"at most {MAX_ORGANISERS} IDs (got {len(value)})")
    out: list[int] = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int) or not 0 < item < TELEGRAM_ID_MAX:
            raise _KeyProblem(f"organisers[{i}]", f"must be a Telegram user ID, a positive whole "
                              f"number without quotes (got {item!r})")
        if item not in out:
            out.append(item)
    return tuple(out)


def _organisation(table: Mapping[str, Any], base: Path, check_key: bool) -> Organisation:
    from ..letters.person_file import clean_address_line, clean_email, clean_name

    _known(table, ORGANISATION_KEYS, "organisation")
    for key in ORGANISATION_KEYS:
        if key not in table:
            raise _KeyProblem(f"organisation.{key}", "missing (required)")

    def text(key: str) -> str:
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            raise _KeyProblem(f"organisation.{key}", "must be text in quotes, not empty")
        return value

    try:
        name = clean_name(text("name"), "organisation.name")
        signatory = clean_name(text("signatory"), "organisation.signatory")
        lines = table["address"]
        if not isinstance(lines, list) or not all(isinstance(v, str) for v in lines):
            raise _KeyProblem("organisation.address", 'must be a list of lines, like '
                              'address = ["1 Main Street", "Springfield, IL 62701"]')
        address = tuple(clean_address_line(line, f"organisation.address[{i}]")
                        for i, line in enumerate(lines))
        address = tuple(line for line in address if line)
        if not address or len(address) > MAX_ADDRESS_LINES:
            raise _KeyProblem("organisation.address", f"must have 1 to {MAX_ADDRESS_LINES} lines "
                              f"(got {len(address)})")
        try:
            email = clean_email(text("email"))
        except RightsbotError as exc:
            raise _KeyProblem("organisation.email", str(exc).removeprefix("email: ")) from None
    except _KeyProblem:
        raise
    except RightsbotError as exc:    # FieldError: "organisation.name: too long (...)"
        key, _, detail = str(exc).partition(": ")
        raise _KeyProblem(key, detail) from None
    key_path = _key_file(table["sign_key"], "organisation.sign_key", base)
    cert_path = _key_file(table["sign_cert"], "organisation.sign_cert", base)
    if check_key:
        check_seal(key_path, cert_path)
    return Organisation(name=name, address=address, signatory=signatory, email=email,
                        sign_key=key_path, sign_cert=cert_path)


def check_seal(key_path: Path, cert_path: Path) -> None:
    """The key opens (password from RIGHTSBOT_SEAL_PASSWORD) and belongs to the certificate."""
    from ..letters.keys import load_key_material

    try:
        load_key_material(key_path, cert_path, password=os.environ.get(PASSWORD_VARIABLE) or None)
    except RightsbotError as exc:
        raise _KeyProblem("organisation.sign_key", str(exc)) from None


def _path(value: Any, key: str, base: Path) -> Path:
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise _KeyProblem(key, "must be a path in quotes, not empty")
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _key_file(value: Any, key: str, base: Path) -> Path:
    """A key or certificate file: relative paths must stay inside ``base``."""
    path = _path(value, key, base)
    relative = not Path(value).expanduser().is_absolute()
    try:
        resolved = path.resolve()
        if relative and resolved != base and base.resolve() not in resolved.parents:
            raise _KeyProblem(key, f"{value[:80]!r} points outside the campaign file's folder "
                              "(use a path inside it, or an absolute path)")
        info = resolved.stat()
    except FileNotFoundError:
        raise _KeyProblem(key, f"file not found: {value[:80]}") from None
    except OSError as exc:
        raise _KeyProblem(key, f"cannot use the path {value[:80]!r} "
                          f"({exc.strerror or 'unreadable'})") from None
    if not stat.S_ISREG(info.st_mode):
        raise _KeyProblem(key, f"{value[:80]!r} is not a regular file")
    return resolved


def _targets(table: Mapping[str, Any]) -> Targets:
    _known(table, TARGET_KEYS, "targets")
    lists = {key: _slug_list(table, key) for key in TARGET_KEYS}
    if lists["datasets"]:
        from ..registry import load_registry
        registry = load_registry()
        for i, slug in enumerate(lists["datasets"]):
            if slug not in registry:
                raise _KeyProblem(f"targets.datasets[{i}]", f"no dataset {slug!r} in the registry "
                                  "(see `rightsbot datasets`)")
    if lists["companies"]:
        from ..companies import load_directory
        directory = load_directory()
        for i, slug in enumerate(lists["companies"]):
            if slug not in directory:
                raise _KeyProblem(f"targets.companies[{i}]", f"no company {slug!r} in the company "
                                  "directory (see `rightsbot companies`)")
    kinds = lists["kinds"]
    if kinds:
        from ..letters.rules import load_rules
        rules = load_rules()
        for i, kind in enumerate(kinds):
            if not rules.known(kind):
                raise _KeyProblem(f"targets.kinds[{i}]", f"no letter kind {kind!r} (known: "
                                  f"{', '.join(rules.kinds())})")
        kinds = list(dict.fromkeys(rules.canonical(k) for k in kinds))
    return Targets(datasets=tuple(lists["datasets"]), companies=tuple(lists["companies"]),
                   kinds=tuple(kinds))


def _slug_list(table: Mapping[str, Any], key: str) -> list[str]:
    value = table.get(key, [])
    name = f"targets.{key}"
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _KeyProblem(name, f'must be a list of slugs in quotes, like {key} = ["..."]')
    if len(value) > MAX_TARGETS:
        raise _KeyProblem(name, f"at most {MAX_TARGETS} entries (got {len(value)})")
    for i, item in enumerate(value):
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", item):
            raise _KeyProblem(f"{name}[{i}]", f"{item[:60]!r} is not a slug (lowercase letters, "
                              "digits, '-')")
    return list(dict.fromkeys(value))
