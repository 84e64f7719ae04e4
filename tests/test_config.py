"""The configuration loader and the documented example config."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest

from bot.config import Config, documented_keys, secret
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads_and_equals_defaults(tmp_path):
    loaded = Config.load(EXAMPLE)
    defaults = Config.defaults(base=ROOT)
    for section in documented_keys():
        assert getattr(loaded, section) == getattr(defaults, section), section


def test_example_documents_every_key_and_no_others():
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert {s: list(keys) for s, keys in data.items()} == documented_keys()
    text = EXAMPLE.read_text(encoding="utf-8")
    for section, keys in documented_keys().items():
        for key in keys:
            # each key is preceded by at least one comment line explaining it
            block = re.search(rf"((?:#.*\n)+)(?:.*\n)*?{re.escape(key)} = ", text)
            assert block, f"{section}.{key} has no comment"


def test_relative_paths_resolve_against_config_folder(tmp_path):
    path = write(tmp_path, '[index]\npath = "data/i.sqlite"\n[storage]\npath = "/abs/store"\n')
    config = Config.load(path)
    assert config.index.path == tmp_path / "data/i.sqlite"
    assert config.storage.path == Path("/abs/store")
    assert config.letters.output_dir == tmp_path / "letters"
    assert config.source == path.resolve()


def test_defaults_without_file_use_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = Config.load(None)
    assert config.source is None
    assert config.index.path == tmp_path / "var/index.sqlite"


def test_config_toml_in_cwd_is_picked_up(tmp_path, monkeypatch):
    write(tmp_path, "[index]\nmatch_radius = 3\n")
    monkeypatch.chdir(tmp_path)
    assert Config.load(None).index.match_radius == 3


@pytest.mark.parametrize("text, message", [
    ("[index]\nradius = 3\n", "index.radius: unknown key"),
    ("[nope]\n", "nope: unknown section"),
    ("[index]\nmatch_radius = 99\n", "index.match_radius: must be an integer from 0 to 32"),
    ("[photos]\nmax_bytes = 99999999999999999999\n",           # whole numbers in full
     "photos.max_bytes: must be an integer from 1024 to 209715200"),
    ("[index]\nmatch_radius = \"8\"\n", "index.match_radius: must be a whole number"),
    ("[index]\ndemo = 1\n", "index.demo: must be true or false"),
    ("[telegram]\nmode = \"push\"\n", "telegram.mode: must be one of polling, webhook"),
    ("[telegram]\nbase_url = \"ftp://x\"\n", "telegram.base_url: must be an http:// or https:// URL"),
    ("[index]\npath = 3\n", "index.path: must be a path in quotes"),
    ("[letters]\nshare_link = \"javascript:alert(1)\"\n", "letters.share_link: must be empty or one https:// link"),
    ("[letters]\nshare_link = \"https://t.me/{{ x }}\"\n", "letters.share_link: must be empty or one https:// link"),
    ("[letters]\nshare_link = \"https://t.me/a b\"\n", "letters.share_link: must be empty or one https:// link"),
    ("[letters]\nshare_link = \"https://t.me/a\\u0007\"\n", "letters.share_link: must be empty or one https:// link"),
    ("[letters]\nshare_link = \"https://t.me/" + "a" * 200 + "\"\n", "letters.share_link: must be empty or one https:// link"),
    ("[index]\npath = \"\"\n", "index.path: must not be empty"),
    ("index = 3\n", "index: must be a table"),
    ("[index\n", "not valid TOML"),
])
def test_bad_config_names_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        Config.load(write(tmp_path, text))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        Config.load(tmp_path / "missing.toml")


def test_config_paths_that_are_not_config_files(tmp_path):
    """/dev/zero was read forever (growing memory), a named pipe blocked forever."""
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    big = tmp_path / "big.toml"
    big.write_text("# padding\n" * 200_000)
    for path, message in ((fifo, "is not a regular file"), (Path("/dev/zero"), "is not a regular file"),
                          (tmp_path, "is a folder"), (big, "too large for a config file")):
        with pytest.raises(ConfigError, match=message):
            Config.load(path)
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('[letters]\nlanguage = "fr\xe9"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="cannot read"):
        Config.load(bad)


def test_share_link_is_a_plain_https_link(tmp_path):
    assert Config.load(write(tmp_path, '[letters]\nshare_link = "https://t.me/RightsBot"\n')
                       ).letters.share_link == "https://t.me/RightsBot"
    assert Config.load(write(tmp_path, '[letters]\nshare_link = ""\n')).letters.share_link == ""


def test_optional_paths_accept_empty(tmp_path):
    config = Config.load(write(tmp_path, '[letters]\nseal_key = ""\ntemplates_dir = "mine"\n'))
    assert config.letters.seal_key is None
    assert config.letters.templates_dir == tmp_path / "mine"


def test_secrets_come_from_environment(monkeypatch):
    monkeypatch.setenv("FLICKR_API_KEY", "  abc  ")
    assert secret("FLICKR_API_KEY") == "abc"
    monkeypatch.setenv("FLICKR_API_KEY", " ")
    assert secret("FLICKR_API_KEY") is None
    with pytest.raises(KeyError):
        secret("HOME")
