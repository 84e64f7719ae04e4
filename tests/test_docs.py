"""The README documents what exists: its two commands and every subcommand."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def subcommands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    names = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                names.append(f"{prefix}{name}")
                names += subcommands(sub, f"{prefix}{name} ")
    return names


def test_quickstart_has_exactly_two_commands_that_exist_in_the_makefile():
    quickstart = README.split("## Quickstart", 1)[1].split("##", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quickstart, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run: ", makefile, re.M) and re.search(r"^test: ", makefile, re.M)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_every_command_is_documented():
    missing = [name for name in subcommands(build_parser()) if f"rightsbot {name}" not in README]
    assert missing == []


def test_every_environment_variable_is_documented():
    from bot.config import SECRET_VARIABLES
    assert [v for v in SECRET_VARIABLES if v not in README] == []


def test_relative_links_in_docs_point_at_files():
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            assert (doc.parent / target).exists(), f"{doc.name}: broken link {target}"


def test_readme_names_the_commands_without_a_config_option():
    """The README says which commands do not read --config; keep that list true."""
    parser = build_parser()
    without = []
    for name in subcommands(parser):
        sub = parser
        for word in name.split():
            sub = next(a for a in sub._actions if isinstance(a, argparse._SubParsersAction)).choices[word]
        if any(isinstance(a, argparse._SubParsersAction) for a in sub._actions):
            continue                                   # a group such as `index`
        if not any("--config" in a.option_strings for a in sub._actions):
            without.append(name.split()[0])
    sentence = README.split("those that use the configuration (all but", 1)[1].split(")", 1)[0]
    assert sorted(set(without)) == sorted(re.findall(r"`(\w+)`", sentence))
