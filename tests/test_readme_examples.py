"""The command-line examples in the README run as written, in a fresh folder: every
command exits 0 and prints no traceback (``verify letters/*.pdf`` once failed because
verify took a single file)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
pytestmark = pytest.mark.e2e


def example_commands(section: str) -> list[str]:
    """The shell lines of the first ```sh block under ``### section`` (continuations joined)."""
    part = README.split(f"### {section}", 1)[1]
    block = re.search(r"```sh\n(.*?)```", part, re.S).group(1)
    return [line.strip() for line in block.replace("\\\n", " ").splitlines() if line.strip()]


def run_examples(commands: list[str], folder: Path,
                 codes: dict[int, int] | None = None) -> list[subprocess.CompletedProcess]:
    """Run each command; each must exit 0 unless ``codes`` (position -> status) says otherwise."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("FLICKR_API_KEY", "TELEGRAM_BOT_TOKEN", "RIGHTSBOT_SEAL_PASSWORD")}
    env.update(PYTHONPATH=str(ROOT), HOME=str(folder))
    done = []
    for position, command in enumerate(commands):
        assert command.startswith(".venv/bin/rightsbot "), command
        line = f'"{sys.executable}" -m bot ' + command.removeprefix(".venv/bin/rightsbot ")
        result = subprocess.run(["bash", "-c", line], cwd=folder, env=env, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == (codes or {}).get(position, 0), (command, result.stdout[-2000:], result.stderr[-2000:])
        assert "Traceback" not in result.stderr, (command, result.stderr)
        done.append(result)
    return done


def test_letters_examples_run_as_written(tmp_path):
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "person-example.toml", tmp_path / "docs")
    commands = example_commands("Letters from a person file")
    assert any(c.startswith(".venv/bin/rightsbot verify letters/*.pdf") for c in commands)
    results = run_examples(commands, tmp_path)
    pdfs = sorted((tmp_path / "letters").glob("*.pdf"))
    assert pdfs
    assert all("Ann Example" in PdfReader(p).pages[0].extract_text() for p in pdfs)
    verified = results[-1].stdout
    letters = [p for p in pdfs if not p.name.startswith("cover-sheet-")]
    assert len(letters) == len(pdfs) - 1            # one cover sheet per delivery, for the sender
    assert verified.count("result:     OK") == len(letters)
    assert verified.count("trusted:    yes") == len(letters)
    assert "1 cover sheet skipped (not letters)." in verified
    assert f"{len(letters)} letters checked: all OK" in verified


def test_check_examples_run_as_written(tmp_path):
    # the photo does not exist in the test's home folder: it could not be checked (exit 1)
    commands = example_commands("Checking from the command line")
    results = run_examples(commands, tmp_path, {len(commands) - 1: 1})
    # real identifiers first, each found in the real manifest the README names
    state, megaface_coco_flickr30k, pipa, synthetic, photo = results
    assert "9364837@N06" in commands[0] and "fsxl: 414 photos matched" in state.stdout
    found = megaface_coco_flickr30k.stdout
    assert "(megaface): 1 photo matched" in found and "4174611825" in found
    assert "(coco): 1 photo matched" in found and "6255196340" in found
    assert "(flickr30k): 1 photo matched" in found and "(flickr8k): 1 photo matched" in found
    assert "People In Photo Albums (PIPA)" in pipa.stdout
    # the synthetic set stays, labelled as such
    assert "99990001@N99" in commands[3] and '"dataset": "dif"' in synthetic.stdout
    assert "beach.jpg: no such file" in photo.stdout
