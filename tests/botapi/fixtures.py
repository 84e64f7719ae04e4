"""pytest fixtures for the fake Bot API server; import them into a conftest.py:

    from tests.botapi.fixtures import botapi  # noqa: F401
"""

from __future__ import annotations

from typing import Iterator

import pytest

from .server import BotApiServer


@pytest.fixture
def botapi() -> Iterator[BotApiServer]:
    """A fresh Bot API server on 127.0.0.1 (random port), stopped after the test."""
    with BotApiServer() as server:
        yield server
