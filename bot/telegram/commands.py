"""The command menu and the few sentences the door itself says.

The wording lives in the journey's text module (:mod:`bot.journey.texts`) so the
terminal chat and Telegram say the same thing; this module only adapts it.
"""

from __future__ import annotations

from telegram import BotCommand

from ..journey import texts

# (name, short description) for Telegram's menu; every name is a valid command.
COMMANDS: tuple[tuple[str, str], ...] = texts.COMMANDS

# Said when a turn fails: the journey's saved state is untouched.
SOMETHING_WRONG: str = texts.SOMETHING_WRONG

# Said to commands in group chats: the bot handles personal data, so only private chats.
PRIVATE_ONLY: str = texts.PRIVATE_ONLY


def bot_commands() -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in COMMANDS]
