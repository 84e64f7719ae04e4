"""Fixtures for the Telegram door tests: the fake Bot API server on 127.0.0.1."""

from tests.botapi.fixtures import botapi  # noqa: F401
