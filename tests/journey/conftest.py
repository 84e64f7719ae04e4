"""The journey, driven without any door: real services, real index, real store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import Config
from bot.index.demo import build_demo_index
from bot.journey.engine import Journey
from bot.journey.services import Services
from bot.storage import Store
from tests.journey.chatting import Chat

from tests.journey.chatting import TODAY


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo-index") / "index.sqlite"
    build_demo_index(path)
    return path


@pytest.fixture
def config(tmp_path, demo_index) -> Config:
    index = tmp_path / "index.sqlite"
    shutil.copyfile(demo_index, index)
    return Config.defaults(base=tmp_path).with_overrides(index={"path": index, "demo": False})


@pytest.fixture
def services(config) -> Services:
    return Services.from_config(config)


@pytest.fixture
def store(config):
    with Store.from_config(config) as opened:
        yield opened


@pytest.fixture
def journey(services, store) -> Journey:
    return Journey(services, store, today=lambda: TODAY)


@pytest.fixture
def chat(journey) -> Chat:
    return Chat(journey)
