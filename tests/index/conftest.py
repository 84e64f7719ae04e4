"""Fixtures for the dataset index tests: real SQLite files in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.index import DatasetIndex, build_demo_index


@pytest.fixture
def index_path(tmp_path: Path) -> Path:
    return tmp_path / "index.sqlite"


@pytest.fixture(scope="session")
def demo_index_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    build_demo_index(path)
    return path


@pytest.fixture
def demo_index(demo_index_file: Path):
    with DatasetIndex.open(demo_index_file) as index:
        yield index
