"""Deeply nested JSON and TOML (issue 8, item 15, importers part).

A manifest nested 1,000 levels deep must not end `rightsbot index import` in a
Python traceback: the person gets one plain line naming the file, exit code 1,
and the index is left as it was. The same for a data record (registry folder)."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from bot.companies import load_directory
from bot.errors import DataError
from bot.registry import load_registry

DEPTH = 1000
FFHQ_RECORD = ('{"metadata": {"photo_url": '
               '"https://www.flickr.com/photos/annexample/8032652775/"}, '
               '"image": {"file_md5": "0123456789abcdef0123456789abcdef"}}')


def deep_array() -> str:
    return "[" * DEPTH + "]" * DEPTH


def deep_object() -> str:
    return '{"a": ' * DEPTH + "1" + "}" * DEPTH


MANIFESTS = {
    "ffhq-array": ("ffhq", "ffhq-dataset-v2.json", f'{{"0": {FFHQ_RECORD}, "1": {deep_array()}}}'),
    "ffhq-object": ("ffhq", "ffhq-dataset-v2.json",
                    f'{{"0": {FFHQ_RECORD}, "1": {deep_object()}}}'),
    "ffhq-top-level-list": ("ffhq", "ffhq.json", f"[{FFHQ_RECORD}, {deep_object()}]"),
    "megaface-member": ("megaface", "megaface.json",
                        '{"path": ["FlickrFinal2/123/12345678@N00/8032652775_0.jpg", '
                        f"{deep_array()}]}}"),
    "megaface-list": ("megaface", "megaface_list.json", f"[{deep_array()}]"),
    "megaface-gzip": ("megaface", "megaface.json.gz", f'{{"path": [{deep_object()}]}}'),
}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, text: str) -> Path:
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
    return path


def datasets(index: Path) -> list[str]:
    with sqlite3.connect(index) as conn:
        return sorted(r[0] for r in conn.execute("SELECT slug FROM datasets"))


@pytest.mark.parametrize("case", sorted(MANIFESTS))
def test_deeply_nested_manifest_is_refused_in_one_plain_line(tmp_path, capsys, case):
    fmt, name, text = MANIFESTS[case]
    index = tmp_path / "index.sqlite"
    good = write(tmp_path / "ids.txt", "8032652775\n")
    code, _, _ = run(capsys, "index", "import", "--index", str(index), "--dataset", "kept",
                     "--format", "photo-ids", str(good))
    assert code == 0
    before = index.read_bytes()
    manifest = write(tmp_path / name, text)

    code, out, err = run(capsys, "index", "import", "--index", str(index), "--dataset", "hostile",
                         "--format", fmt, str(manifest))

    assert code == 1
    assert "Traceback" not in err and "RecursionError" not in err
    assert err.startswith("rightsbot: error: ") and err.count("\n") == 1
    assert name in err and "nested too deeply" in err
    assert index.read_bytes() == before            # atomic: the index is as it was
    assert datasets(index) == ["kept"]


def test_moderately_nested_records_still_import(tmp_path, capsys):
    """Nesting a real manifest could have (a few dozen levels) is not refused."""
    index = tmp_path / "index.sqlite"
    nested = '{"a": ' * 40 + "1" + "}" * 40
    manifest = write(tmp_path / "ffhq.json",
                     f'{{"0": {FFHQ_RECORD}, "1": {{"metadata": {nested}}}}}')
    code, out, err = run(capsys, "index", "import", "--index", str(index), "--dataset", "ffhq",
                         "--format", "ffhq", str(manifest))
    assert code == 0, err
    assert datasets(index) == ["ffhq"]
    assert "1 rows imported" in out
    assert "ffhq.json:1: no Flickr photo_url and no image.file_md5" in out


@pytest.mark.parametrize("text", [
    "slug = " + "[" * DEPTH + "]" * DEPTH + "\n",
    "slug = " + "{ a = " * DEPTH + "1" + " }" * DEPTH + "\n",
])
def test_deeply_nested_toml_record_is_a_data_error(tmp_path, text):
    folder = tmp_path / "datasets"
    folder.mkdir()
    (folder / "deep.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"^datasets/deep\.toml: not valid TOML \(nested too deep"):
        load_registry(folder)


def test_deeply_nested_json_record_is_a_data_error(tmp_path):
    folder = tmp_path / "companies"
    folder.mkdir()
    (folder / "deep.json").write_text('{"slug": ' + deep_array() + "}", encoding="utf-8")
    with pytest.raises(DataError, match=r"^companies/deep\.json: not valid JSON \(nested too deep"):
        load_directory(folder)
