"""The Telegram door: python-telegram-bot v22 around the domain journey.

Only this package imports ``telegram``. Updates become journey inputs
(:mod:`.inputs`), journey outputs become Bot API calls (:mod:`.outputs`), the
handlers in :mod:`.door` connect the two, and :mod:`.app` builds and runs the
Application (polling or webhook).
"""

from .app import (WebhookSettings, build_application, default_rate_limiter, run_application,
                  webhook_settings)
from .door import JourneyPort, TelegramDoor

__all__ = ["JourneyPort", "TelegramDoor", "WebhookSettings", "build_application",
           "default_rate_limiter", "run_application", "webhook_settings"]
