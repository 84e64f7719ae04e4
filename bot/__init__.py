"""rightsbot: find your photos in face-recognition training datasets and demand their deletion.

The domain (index, matching, letters, cases, the journey) is plain Python with
no Telegram import; ``bot.telegram`` and ``bot.terminal`` are thin doors onto it.
"""

__version__ = "0.1.0"
