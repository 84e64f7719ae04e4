"""A Bot API server on 127.0.0.1 for tests, benchmarks and subprocess-run bots.

Speaks Telegram's HTTP protocol well enough for python-telegram-bot v22: see
:mod:`tests.botapi.server`. ``python -m tests.botapi`` runs one standalone.
"""

from .methods import ApiError
from .objects import BotMessage, ChatEvent, StoredFile
from .server import DEFAULT_TOKEN, SECRET_HEADER, BotApiServer, wait_until
from .users import NoReply, SimulatedUser

__all__ = ["ApiError", "BotApiServer", "BotMessage", "ChatEvent", "DEFAULT_TOKEN", "NoReply",
           "SECRET_HEADER", "SimulatedUser", "StoredFile", "wait_until"]
