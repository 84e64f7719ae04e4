"""The conversation as a domain state machine: steps, prompts, choices, validation.

No Telegram import here: ``bot.telegram`` and ``bot.terminal`` translate their
world into :mod:`bot.journey.io` inputs and render its outputs.
"""
