"""A Bot API server on 127.0.0.1 for tests and benchmarks (aiohttp, in its own thread).

Usage::

    with BotApiServer() as server:                   # or the ``botapi`` pytest fixture
        app = ApplicationBuilder().token(server.token).base_url(server.base_url)
                                  .base_file_url(server.base_file_url)...
        alice = server.user(1001)
        alice.send_text("/start")
        reply = await alice.wait_for_reply()

Routes: ``/bot<token>/<method>`` (GET query, form-urlencoded, multipart, JSON) and
``/file/bot<token>/<file_path>``. Long polling (``getUpdates`` with ``timeout``,
``offset`` confirms), webhooks (``setWebhook`` stores url and secret; updates are
then POSTed to the bot with ``X-Telegram-Bot-Api-Secret-Token``), injected errors
such as 429 with ``retry_after``.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from typing import Any

import aiohttp
from aiohttp import web

from .methods import ApiError, BotApi, Params, Upload, bad
from .users import SimulatedUser
from .world import World

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklm"
MAX_BODY = 60 * 1024 * 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class BotApiServer:
    def __init__(self, token: str = DEFAULT_TOKEN, *, host: str = "127.0.0.1", port: int = 0,
                 bot_username: str = "rightsbot_test_bot", bot_name: str = "Rightsbot Test") -> None:
        self.token = token
        self.host = host
        self.port = port
        self.world = World(bot_id=int(token.split(":", 1)[0]), bot_username=bot_username,
                           bot_name=bot_name)
        self.api = BotApi(self.world)
        self._injected: dict[str, deque[ApiError]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._updates_changed: asyncio.Event | None = None
        self._poll_generation = 0
        self._webhook_task: asyncio.Task | None = None
        self.webhook_log: list[tuple[int, int]] = []      # (update_id, HTTP status)

    # ---- lifecycle --------------------------------------------------------------------

    def start(self) -> "BotApiServer":
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._start_site())
            except BaseException as exc:  # reported to start()
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._stop_site())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-bot-api", daemon=True)
        self._thread.start()
        ready.wait(30)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)
            self._thread = None

    def __enter__(self) -> "BotApiServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _start_site(self) -> None:
        self._updates_changed = asyncio.Event()
        loop = asyncio.get_running_loop()
        self.world.on_update = lambda: loop.call_soon_threadsafe(self._wake)
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _stop_site(self) -> None:
        if self._webhook_task:
            self._webhook_task.cancel()
            try:
                await self._webhook_task
            except (asyncio.CancelledError, Exception):
                pass
        if self._runner:
            await self._runner.cleanup()

    def _wake(self) -> None:
        assert self._updates_changed is not None
        self._updates_changed.set()

    # ---- addresses --------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder.base_url`` / ``[telegram] base_url``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # ---- the test's view ------------------------------------------------------------

    def user(self, user_id: int, first_name: str = "Test", *, username: str | None = None,
             language_code: str = "en") -> SimulatedUser:
        """A person in a private chat with the bot (created on first use)."""
        return SimulatedUser(self.world, user_id, first_name, username=username,
                             language_code=language_code)

    def calls(self, method: str | None = None) -> list[Any]:
        """The Bot API calls the bot made, optionally only one method (case-insensitive)."""
        with self.world.lock:
            return [c for c in self.world.calls
                    if method is None or c.method.lower() == method.lower()]

    @property
    def commands(self) -> list[dict[str, Any]]:
        """The default-scope command list set with setMyCommands."""
        with self.world.lock:
            return list(self.world.commands.get('{"type": "default"}|', []))

    @property
    def webhook(self) -> dict[str, Any] | None:
        with self.world.lock:
            return dict(self.world.webhook) if self.world.webhook else None

    @property
    def downloads(self) -> list[str]:
        with self.world.lock:
            return list(self.world.downloads)

    def deliveries(self) -> dict[int, int]:
        """How often each update was handed out (getUpdates or webhook)."""
        with self.world.lock:
            return dict(self.world.deliveries)

    def pending_updates(self) -> int:
        with self.world.lock:
            return len(self.world.updates)

    def inject_error(self, method: str, code: int = 429, description: str | None = None, *,
                     retry_after: int | None = None, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail (429 adds ``retry_after``)."""
        if code == 429:
            retry_after = 1 if retry_after is None else retry_after
            description = description or f"Too Many Requests: retry after {retry_after}"
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        error = ApiError(code, description or "Bad Request: injected", parameters)
        with self.world.lock:
            queue = self._injected.setdefault(method.lower(), deque())
            queue.extend([error] * times)

    def post_to_webhook(self, update: dict[str, Any], *, secret: str | None = None,
                        timeout: float = 30) -> int:
        """POST one update to the bot's webhook from any thread; returns the HTTP status.

        ``secret`` defaults to the one the bot registered; pass another to test refusal."""
        hook = self.webhook
        if hook is None:
            raise RuntimeError("the bot has not set a webhook")
        header = hook.get("secret_token") if secret is None else secret
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(
            _post_json(hook["url"], update, header, timeout), self._loop)
        return future.result(timeout + 5)

    # ---- HTTP ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return self._download(path[len("/file/bot"):])
        if not path.startswith("/bot") or "/" not in path[4:]:
            return _envelope_error(ApiError(404, "Not Found"))
        token, method = path[4:].split("/", 1)
        if token != self.token:
            return _envelope_error(ApiError(401, "Unauthorized"))
        try:
            params = await _read_params(request)
        except ApiError as exc:
            return _envelope_error(exc)
        name = method.lower()
        call = self.world.record_call(method, {k: ("<file>" if isinstance(v, Upload) else v)
                                               for k, v in params.raw.items()})
        try:
            with self.world.lock:
                queue = self._injected.get(name)
                injected = queue.popleft() if queue else None
            if injected is not None:
                raise injected
            result = await self._call(name, params)
        except ApiError as exc:
            call.status = exc.code
            return _envelope_error(exc)
        return web.json_response({"ok": True, "result": result})

    async def _call(self, name: str, params: Params) -> Any:
        if name == "getupdates":
            return await self._get_updates(params)
        if name == "setwebhook":
            return self._set_webhook(params)
        if name == "deletewebhook":
            return self._delete_webhook(params)
        if name == "getwebhookinfo":
            hook = self.webhook or {}
            return {"url": hook.get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": self.pending_updates()}
        method = self.api.methods.get(name)
        if method is None:
            raise ApiError(404, "Not Found: method not found")
        return method(params)

    async def _get_updates(self, p: Params) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is "
                                "active; use deleteWebhook to delete the webhook first")
        offset = p.int("offset")
        limit = max(1, min(100, p.int("limit", 100) or 100))
        timeout = max(0, min(50, p.int("timeout", 0) or 0))
        allowed = p.json("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise bad("allowed_updates must be a JSON array")
        assert self._updates_changed is not None
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_changed.set()                   # wakes an older poll to give way
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:   # a newer getUpdates took over
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make "
                                    "sure that only one bot instance is running")
            self._updates_changed.clear()
            batch = self.world.take_updates(offset, limit, allowed)
            remaining = deadline - loop.time()
            if batch or remaining <= 0:
                return batch
            try:
                await asyncio.wait_for(self._updates_changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    def _set_webhook(self, p: Params) -> bool:
        url = p.str("url", "") or ""
        if not url:
            return self._delete_webhook(p)
        if not url.startswith(("http://", "https://")):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.str("secret_token")
        if secret is not None and not (1 <= len(secret) <= 256
                                       and all(c.isalnum() or c in "_-" for c in secret)):
            raise bad("secret token contains unallowed characters")
        allowed = p.json("allowed_updates")
        with self.world.lock:
            if p.bool("drop_pending_updates"):
                self.world.drop_pending()
            if allowed is not None:
                self.world.allowed_updates = allowed or None
            self.world.webhook = {"url": url, "secret_token": secret,
                                  "max_connections": p.int("max_connections", 40)}
        self._poll_generation += 1
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhook())
        self._wake()
        return True

    def _delete_webhook(self, p: Params) -> bool:
        with self.world.lock:
            self.world.webhook = None
            if p.bool("drop_pending_updates"):
                self.world.drop_pending()
        self._wake()
        return True

    async def _deliver_webhook(self) -> None:
        """POST pending updates to the webhook one at a time, in order, until it is removed."""
        assert self._updates_changed is not None
        async with aiohttp.ClientSession() as session:
            while True:
                hook = self.webhook
                if hook is None:
                    return
                self._updates_changed.clear()
                batch = self.world.take_updates(None, 1, None)
                if not batch:
                    try:
                        await asyncio.wait_for(self._updates_changed.wait(), 1.0)
                    except asyncio.TimeoutError:
                        pass
                    continue
                update = batch[0]
                status = await _post_json(hook["url"], update, hook.get("secret_token"), 30,
                                          session=session)
                self.webhook_log.append((update["update_id"], status))
                if 200 <= status < 300:
                    self.world.confirm(update["update_id"])
                else:
                    await asyncio.sleep(0.2)      # Telegram retries later, too

    def _download(self, rest: str) -> web.Response:
        token, _, file_path = rest.partition("/")
        if token != self.token:
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        with self.world.lock:
            stored = self.world.files_by_path.get(file_path)
            if stored is not None:
                self.world.downloads.append(file_path)
        if stored is None or stored.data is None:
            return web.json_response({"ok": False, "error_code": 404,
                                      "description": "Not Found"}, status=404)
        return web.Response(body=stored.data,
                            content_type=stored.mime_type or "application/octet-stream")


async def _read_params(request: web.Request) -> Params:
    raw: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise bad("can't parse JSON body") from None
            if not isinstance(body, dict):
                raise bad("JSON body must be an object")
            raw.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    raw[key] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    raw[key] = value
        else:
            raise bad(f"unsupported content type {ctype}")
    return Params(raw)


def _envelope_error(error: ApiError) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error.code,
                            "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.code)


async def _post_json(url: str, update: dict[str, Any], secret: str | None, timeout: float,
                     *, session: aiohttp.ClientSession | None = None) -> int:
    headers = {SECRET_HEADER: secret} if secret else {}
    own = session is None
    session = session or aiohttp.ClientSession()
    try:
        async with session.post(url, json=update, headers=headers,
                                timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            await response.read()
            return response.status
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return 0
    finally:
        if own:
            await session.close()


def wait_until(predicate: Any, timeout: float = 10.0, interval: float = 0.01) -> bool:
    """Poll ``predicate`` from a thread until true or ``timeout``; for tests."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
