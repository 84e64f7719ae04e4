"""Build and run the python-telegram-bot Application around a journey.

``build_application(config, journey, token)`` wires the handlers, the per-person
update order (one slot per person: one person's flood cannot starve the others),
the rate limiter (AIORateLimiter: ~30 messages/s overall, retries after HTTP 429),
timeouts, the command menu (set at start-up) and the daily
reminder job. ``run_application`` runs it with long polling (the default: no
update is dropped across restarts) or as a webhook with a secret token; both
stop gracefully on SIGINT/SIGTERM, finishing the turns in progress.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, time, timezone
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, BaseRateLimiter,
                          CallbackQueryHandler, MessageHandler, filters)
from telegram.request import BaseRequest

from ..config import Config
from ..errors import ConfigError
from .commands import bot_commands
from .door import JourneyPort, TelegramDoor
from .processor import PerPersonUpdateProcessor
from .reminders import daily_job, hourly_job, send_interrupted, send_reminders

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
JOURNEY_THREADS = 64          # journey turns running at once (checks mostly wait on the network)
CONCURRENT_UPDATES = 256      # turns running at once; at most one per person, in order
RATE_LIMIT_RETRIES = 3        # retries after a 429 "Too Many Requests"


def default_rate_limiter() -> AIORateLimiter:
    return AIORateLimiter(max_retries=RATE_LIMIT_RETRIES)


def build_application(config: Config, journey: JourneyPort, token: str, *,
                      store: Any = None, rate_limiter: BaseRateLimiter | None = None,
                      request: BaseRequest | None = None,
                      journey_threads: int = JOURNEY_THREADS,
                      concurrent_updates: int = CONCURRENT_UPDATES) -> Application:
    """The Application for ``journey``; pass ``store`` to run its retention sweep daily.

    ``request`` swaps the HTTP transport (tests pass a recording one)."""
    tg = config.telegram
    executor = ThreadPoolExecutor(max_workers=journey_threads, thread_name_prefix="journey")
    door = TelegramDoor(journey, max_bytes=config.photos.max_bytes, executor=executor)

    async def post_init(app: Application) -> None:
        try:
            await app.bot.set_my_commands(bot_commands())
        except Exception as exc:   # the menu is a nicety; never block start-up on it
            log.warning("could not set the command menu: %s", type(exc).__name__)
        try:
            await send_interrupted(app.bot, door)
        except Exception as exc:   # never block start-up: the journey tells them on return
            log.error("could not send the interrupted-letters notices: %s", type(exc).__name__)
        try:               # what a stopped bot missed: reminders are recorded, never doubled
            await send_reminders(app.bot, door, datetime.now(timezone.utc))
        except Exception as exc:
            log.error("could not send the reminders due at start: %s", type(exc).__name__)

    async def post_shutdown(app: Application) -> None:
        executor.shutdown(wait=True, cancel_futures=False)

    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .rate_limiter(rate_limiter if rate_limiter is not None else default_rate_limiter())
        .concurrent_updates(PerPersonUpdateProcessor(concurrent_updates,
                                                     on_arrival=door.on_arrival))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = (builder.connect_timeout(10).read_timeout(30).write_timeout(30)
                   .pool_timeout(10).media_write_timeout(120)
                   .get_updates_connect_timeout(10).get_updates_read_timeout(30))
    application = builder.build()
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(private, door.on_message))
    application.add_handler(CallbackQueryHandler(door.on_press))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.COMMAND
                                           & filters.UpdateType.MESSAGE, door.on_group_command))
    application.add_error_handler(door.on_error)
    application.bot_data["door"] = door
    if application.job_queue is not None:
        application.job_queue.run_daily(
            daily_job, time(hour=tg.reminder_hour_utc, tzinfo=timezone.utc),
            data={"door": door, "store": store}, name="daily-reminders")
        # each person's reminders in the first hour of their day (quiet hours: bot.cases.quiet)
        application.job_queue.run_repeating(hourly_job, interval=3600, first=300,
                                            data={"door": door}, name="hourly-reminders")
    return application


@dataclass(frozen=True)
class WebhookSettings:
    url: str          # public URL Telegram posts to
    listen: str       # local address of the webhook server
    port: int
    secret: str       # X-Telegram-Bot-Api-Secret-Token

    @property
    def path(self) -> str:
        return urlsplit(self.url).path.lstrip("/")


def webhook_settings(config: Config, *, url: str | None, listen: str | None,
                     port: int | None, secret: str | None) -> WebhookSettings:
    """Webhook settings from the CLI (first) and ``[telegram]``; checked."""
    tg = config.telegram
    url = url or tg.webhook_url
    if not url:
        raise ConfigError("webhook mode needs a public URL: set [telegram] webhook_url or "
                          "pass --webhook-url")
    parts = urlsplit(url)
    local_api = urlsplit(tg.base_url).hostname in ("127.0.0.1", "localhost", "::1")
    allowed = ("https", "http") if local_api else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise ConfigError(f"webhook URL must be an https:// address (got {url!r}); plain "
                          "http:// works only with a Bot API server on this machine")
    if not secret:
        raise ConfigError("webhook mode needs TELEGRAM_WEBHOOK_SECRET (1-256 characters of "
                          "A-Z a-z 0-9 _ -), so only Telegram can post updates")
    if not (len(secret) <= 256 and all(c.isascii() and (c.isalnum() or c in "_-")
                                       for c in secret)):
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET may only hold A-Z a-z 0-9 _ - "
                          "(at most 256 characters)")
    port = port if port is not None else tg.webhook_port
    if not 1 <= port <= 65535:
        raise ConfigError(f"webhook port must be 1-65535 (got {port})")
    return WebhookSettings(url, listen or tg.webhook_listen, port, secret)


def run_application(application: Application, webhook: WebhookSettings | None = None) -> None:
    """Run until SIGINT/SIGTERM; turns in progress finish before it returns."""
    if webhook is None:
        log.info("starting long polling")
        application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False,
                                close_loop=False)
    else:
        log.info("starting the webhook server on %s:%s", webhook.listen, webhook.port)
        application.run_webhook(listen=webhook.listen, port=webhook.port, url_path=webhook.path,
                                webhook_url=webhook.url, secret_token=webhook.secret,
                                allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False,
                                close_loop=False)
