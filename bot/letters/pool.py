"""Letters made in worker processes, for the bot.

Rendering PDFs is CPU work in Python, and a bot process that did it itself
would keep everyone else's quick replies waiting for the interpreter lock. The
pool runs :meth:`LetterMaker.make` in separate processes started afresh
(``spawn``: the bot's threads and sockets are never forked), at a lower CPU
priority, leaving a core to the conversation. Each worker builds its
:class:`LetterMaker` once.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from typing import TYPE_CHECKING, Any, Callable

from ..errors import LetterError

if TYPE_CHECKING:  # pragma: no cover
    from ..check import CheckResult
    from ..config import Config
    from .model import Person
    from .pipeline import LettersOutcome

log = logging.getLogger(__name__)

WORKER_NICENESS = 10
PROGRESS_POLL_SECONDS = 0.25
_maker = None   # the worker process's LetterMaker


def default_workers() -> int:
    """One core left to the conversation, at least one worker."""
    return max(1, (os.cpu_count() or 1) - 1)


def _start_worker(config: "Config") -> None:
    global _maker
    try:
        os.nice(WORKER_NICENESS)
    except OSError:   # not allowed here: run at normal priority
        pass
    from .pipeline import LetterMaker
    _maker = LetterMaker.from_config(config)


def _make(person: "Person", result: "CheckResult", on: date,
          events: Any = None) -> "LettersOutcome":
    assert _maker is not None, "worker not initialised"
    progress = None
    if events is not None:
        def progress(done: int, total: int) -> None:
            events.put((done, total))
    return _maker.make(person, result, on, progress)


def _ready() -> int:
    return os.getpid()


class LetterPool:
    """``make(person, result, on)`` in worker processes; thread-safe."""

    def __init__(self, config: "Config", workers: int | None = None) -> None:
        self.config = config
        self.workers = workers or default_workers()
        self._lock = threading.Lock()
        self._executor = self._new_executor()
        self._manager: Any = None      # started on the first make with progress

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker, initargs=(self.config,))

    def warm_up(self) -> None:
        """Start the workers now rather than on the first letters."""
        futures = [self._executor.submit(_ready) for _ in range(self.workers)]
        for future in futures:
            future.result()

    def _events(self) -> Any:
        """A queue the workers can put progress on (a manager's queue: the workers are
        spawned, so a plain multiprocessing queue cannot be handed to them)."""
        with self._lock:
            try:
                if self._manager is None:
                    self._manager = multiprocessing.get_context("spawn").Manager()
                return self._manager.Queue()
            except (OSError, EOFError) as exc:   # e.g. a socket path too long: no progress then
                log.warning("letter progress unavailable: %s", type(exc).__name__)
                return None

    def make(self, person: "Person", result: "CheckResult", on: date,
             progress: Callable[[int, int], None] | None = None) -> "LettersOutcome":
        executor = self._executor
        events = self._events() if progress is not None else None
        try:
            future = executor.submit(_make, person, result, on, events)
            while True:
                try:
                    outcome = future.result(timeout=PROGRESS_POLL_SECONDS if events else None)
                except FutureTimeout:
                    _drain(events, progress)
                    continue
                _drain(events, progress)
                return outcome
        except BrokenProcessPool:
            log.error("letter worker process died; starting new workers")
            with self._lock:
                if self._executor is executor:
                    self._executor = self._new_executor()
            raise LetterError("the letter maker stopped unexpectedly; please try again.") from None

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._manager is not None:
            self._manager.shutdown()


def _drain(events: Any, progress: Callable[[int, int], None] | None) -> None:
    if events is None or progress is None:
        return
    while True:
        try:
            done, total = events.get_nowait()
        except queue.Empty:
            return
        progress(done, total)
