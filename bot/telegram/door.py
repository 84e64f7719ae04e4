"""The handlers: one translation layer between Telegram updates and the journey.

Each update becomes one journey input; the journey's turn runs in one worker
thread from start to end (off the event loop, so one person's slow check never
stalls the others) and every output is sent as soon as it is yielded. Even if
sending fails, the turn runs to its end, because the journey saves the person's
progress before its last output.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from concurrent.futures import Executor
from datetime import date
from typing import Any, Iterator, Protocol

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from ..journey.io import Input, Press, Typing
from .commands import PRIVATE_ONLY, SOMETHING_WRONG
from .inputs import message_to_input
from .outputs import TurnRenderer

log = logging.getLogger(__name__)

TYPING_REFRESH_SECONDS = 4.5


class JourneyPort(Protocol):
    """What the door needs from :class:`bot.journey.engine.Journey`."""

    def handle(self, user_id: int, event: Input) -> Iterator[object]: ...

    def due_reminders(self, today: date, now: Any = None) -> list[Any]: ...  # .user_id, .reply


    def interrupted(self) -> list[tuple[int, list[Any]]]: ...   # (user id, outputs) at start

    def retention_notices(self, now: Any) -> list[tuple[int, list[Any]]]: ...  # daily, before expiry


class TelegramDoor:
    def __init__(self, journey: JourneyPort, *, max_bytes: int, executor: Executor) -> None:
        self.journey = journey
        self.max_bytes = max_bytes
        self.executor = executor
        self._answered: set[str] = set()    # callback queries answered on arrival

    # ---- handlers ------------------------------------------------------------------

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.message, update.effective_user
        if message is None or user is None:
            return
        event = await message_to_input(message, context.bot, self.max_bytes)
        log.debug("update %s: user %s sent %s", update.update_id, user.id, type(event).__name__)
        await self.run_turn(user.id, TurnRenderer(context.bot, message.chat_id), event)

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        if query.id in self._answered:
            self._answered.discard(query.id)
        else:
            await self._answer(update)
        if not query.data or query.message is None:
            return
        renderer = TurnRenderer(context.bot, query.message.chat.id, query.message.message_id)
        await self.run_turn(query.from_user.id, renderer, Press(query.data))

    async def on_arrival(self, update: object) -> None:
        """Answer a button press as soon as it arrives, before the person's earlier updates
        are done (always, even for stale buttons: it stops the spinner)."""
        if isinstance(update, Update) and update.callback_query is not None:
            self._answered.add(update.callback_query.id)
            await self._answer(update)

    async def _answer(self, update: Update) -> None:
        try:
            await update.callback_query.answer()  # type: ignore[union-attr]
        except BadRequest as exc:         # answered too late: the press still counts
            log.info("update %s: callback answer refused (%s)", update.update_id, exc.message)
        except TelegramError as exc:
            log.warning("update %s: callback answer failed (%s)", update.update_id,
                        type(exc).__name__)

    async def on_group_command(self, update: Update,
                               context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(PRIVATE_ONLY)

    # ---- one journey turn -------------------------------------------------------------

    async def run_turn(self, user_id: int, renderer: TurnRenderer, event: Input) -> None:
        """Run one journey turn in one worker thread, start to end (thread-bound resources
        such as SQLite connections stay valid), sending each output as it comes."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, object]] = asyncio.Queue()

        def post(kind: str, value: object) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, (kind, value))
            except RuntimeError:          # the event loop is gone (shutdown): nobody to tell
                pass

        def work() -> None:
            try:
                for output in self.journey.handle(user_id, event):
                    post("output", output)
            except BaseException as exc:  # handed to the event loop, raised there
                post("error", exc)
            else:
                post("done", None)

        worker = loop.run_in_executor(self.executor, work)
        failure: BaseException | None = None
        typing = False
        while True:
            item = asyncio.ensure_future(queue.get())
            if typing and failure is None:
                await self._keep_typing(item, renderer)
            kind, value = await item
            if kind == "done":
                break
            if kind == "error":
                await worker
                raise value  # type: ignore[misc]
            typing = isinstance(value, Typing)
            if failure is None:
                try:
                    await renderer.render(value)  # type: ignore[arg-type]
                except TelegramError as exc:      # the journey runs on and saves; raise after
                    failure = exc
        await worker
        if failure is not None:
            raise failure

    @staticmethod
    async def _keep_typing(step: asyncio.Future, renderer: TurnRenderer) -> None:
        """Telegram shows "typing" for 5 seconds: repeat it while a slow step runs."""
        while not step.done():
            done, _ = await asyncio.wait({step}, timeout=TYPING_REFRESH_SECONDS)
            if done:
                return
            try:
                await renderer.render(Typing())
            except TelegramError:
                return

    # ---- errors ----------------------------------------------------------------------------

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log (ids only, with the traceback) and tell the person; their saved state stays."""
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error
        if isinstance(error, Forbidden):
            log.info("update %s: the person blocked the bot (%s)", update_id, error.message)
            return
        log.error("update %s failed: %s\n%s", update_id, type(error).__name__,
                  _traceback_without_message(error))
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        if update.effective_chat.type != "private":
            return
        try:
            await context.bot.send_message(update.effective_chat.id, SOMETHING_WRONG)
        except TelegramError as exc:
            log.warning("update %s: could not tell the person about the failure (%s)",
                        update_id, type(exc).__name__)


def _traceback_without_message(error: BaseException | None) -> str:
    """The traceback's frames and exception types, without exception messages: a message
    may quote what a person typed (a name, an address), which must never reach the logs."""
    lines = []
    while error is not None:
        lines.append("".join(traceback.format_tb(error.__traceback__)))
        lines.append(f"{type(error).__module__}.{type(error).__qualname__} (message withheld)")
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
        if error is not None:
            lines.append("caused by / during handling of:")
    return "\n".join(lines)
