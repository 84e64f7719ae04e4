"""A Flickr REST API look-alike on 127.0.0.1 for tests (never the internet).

It speaks the JSON flavour of ``https://api.flickr.com/services/rest/``: GET or
POST form parameters ``method``, ``api_key``, ``format=json``; without
``nojsoncallback=1`` it wraps answers in ``jsonFlickrApi(...)`` as Flickr does.
Answers carry ``stat: ok`` or ``stat: fail`` with Flickr's codes (1 user not
found, 100 invalid API key, 112 method not found).

Supported methods: ``flickr.urls.lookupUser`` (by profile URL alias or NSID),
``flickr.people.findByUsername``, ``flickr.people.getPublicPhotos`` (pages of
``page/pages/perpage/total/photo[]`` with id/owner/secret/server/farm/title).

Faults are scripted: ``server.script(Fault(...), ...)`` queues answers that are
served, one per request, before the normal ones: any status with headers and a
body (429 + Retry-After, 500, an HTML error page, garbage), a delay before the
answer (timeouts), a body dripped byte by byte, or a dropped connection.
Every request is recorded (``server.requests``) for assertions.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

API_KEY = "0123456789abcdef0123456789abcdef"


@dataclass
class Fault:
    """One scripted answer."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0           # seconds before anything is sent
    drip: float = 0.0            # seconds between single body bytes (0: send at once)
    drop: bool = False           # close the connection without answering


@dataclass
class Recorded:
    http_method: str
    path: str
    query: dict[str, str]        # parameters in the URL
    form: dict[str, str]         # parameters in the body
    headers: dict[str, str]

    @property
    def params(self) -> dict[str, str]:
        return {**self.query, **self.form}


def photo_ids_for(nsid: str, count: int) -> list[str]:
    """Deterministic, distinct photo IDs for an account, newest (largest) first."""
    base = 50_000_000_000 + (sum(map(ord, nsid)) % 997) * 1_000_000
    return [str(base + count - i) for i in range(count)]


class FakeFlickr:
    """The server and its data; use as a context manager or call start()/stop()."""

    def __init__(self, *, api_key: str = API_KEY, total_as_string: bool = True) -> None:
        self.api_key = api_key
        self.total_as_string = total_as_string   # Flickr's JSON gives "total" as a string
        self.aliases: dict[str, str] = {}        # profile alias -> NSID (lookupUser)
        self.usernames: dict[str, str] = {}      # screen name -> NSID (findByUsername)
        self.photo_counts: dict[str, int] = {}   # NSID -> number of public photos
        self.included: dict[str, tuple[str, ...]] = {}   # NSID -> photo IDs listed first
        self.requests: list[Recorded] = []
        self._script: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread: threading.Thread | None = None

    # --- set-up ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/services/rest/"

    def add_user(self, nsid: str, *, alias: str | None = None, username: str | None = None,
                 photos: int = 0, include: tuple[str, ...] = ()) -> None:
        """An account with ``photos`` public photos; ``include`` puts given photo IDs
        (for example ones a dataset lists) among them."""
        self.included[nsid] = tuple(include)
        if alias:
            self.aliases[alias.lower()] = nsid
        if username:
            self.usernames[username.lower()] = nsid
        self.photo_counts[nsid] = photos

    def script(self, *faults: Fault) -> None:
        with self._lock:
            self._script.extend(faults)

    def calls(self, method: str) -> list[Recorded]:
        return [r for r in self.requests if r.params.get("method") == method]

    def start(self) -> "FakeFlickr":
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "FakeFlickr":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- answers --------------------------------------------------------------------

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    def answer(self, params: dict[str, str]) -> dict:
        if params.get("api_key") != self.api_key:
            return _fail(100, "Invalid API Key (Key has invalid format)")
        method = params.get("method", "")
        if method == "flickr.urls.lookupUser":
            return self._lookup_user(params.get("url", ""))
        if method == "flickr.people.findByUsername":
            nsid = self.usernames.get(params.get("username", "").lower())
            if nsid is None:
                return _fail(1, "User not found")
            return {"user": {"id": nsid, "nsid": nsid,
                             "username": {"_content": params["username"]}}, "stat": "ok"}
        if method == "flickr.people.getPublicPhotos":
            return self._public_photos(params)
        return _fail(112, f'Method "{method}" not found')

    def _lookup_user(self, url: str) -> dict:
        m = re.match(r"https?://(?:www\.)?flickr\.com/(?:photos|people)/([^/]+)/?", url)
        if m is None:
            return _fail(1, "User not found")
        who = m.group(1)
        nsid = who if who in self.photo_counts else self.aliases.get(who.lower())
        if nsid is None:
            return _fail(1, "User not found")
        return {"user": {"id": nsid, "username": {"_content": who}}, "stat": "ok"}

    def _public_photos(self, params: dict[str, str]) -> dict:
        nsid = params.get("user_id", "")
        if nsid not in self.photo_counts:
            return _fail(1, "User not found")
        per_page = min(max(int(params.get("per_page") or 100), 1), 500)
        page = max(int(params.get("page") or 1), 1)
        ids = photo_ids_for(nsid, self.photo_counts[nsid])
        extra = self.included.get(nsid, ())
        ids = list(extra) + ids[len(extra):]
        total = len(ids)
        pages = -(-total // per_page)
        chunk = ids[(page - 1) * per_page: page * per_page]
        photos = [{"id": pid, "owner": nsid, "secret": f"{int(pid) % 0xFFFFFFFFFF:010x}",
                   "server": "65535", "farm": 66, "title": f"IMG_{pid[-4:]}",
                   "ispublic": 1, "isfriend": 0, "isfamily": 0} for pid in chunk]
        return {"photos": {"page": page, "pages": pages, "perpage": per_page,
                           "total": str(total) if self.total_as_string else total,
                           "photo": photos}, "stat": "ok"}


def _fail(code: int, message: str) -> dict:
    return {"stat": "fail", "code": code, "message": message}


def _handler_for(fake: FakeFlickr) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def _handle(self, http_method: str) -> None:
            split = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(split.query).items()}
            form: dict[str, str] = {}
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                raw = self.rfile.read(length).decode("utf-8")
                form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
            fake.requests.append(Recorded(http_method, split.path, query, form,
                                          dict(self.headers.items())))
            fault = fake._next_fault()
            if fault is not None:
                self._send_fault(fault)
                return
            params = {**query, **form}
            data = fake.answer(params)
            body = json.dumps(data)
            if params.get("nojsoncallback") != "1":
                body = f"jsonFlickrApi({body})"
            self._send(200, body.encode(), {"Content-Type": "application/json; charset=utf-8"})

        def _send_fault(self, fault: Fault) -> None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                self.close_connection = True
                self.connection.close()
                return
            body = fault.body.encode() if isinstance(fault.body, str) else fault.body
            headers = {"Content-Type": "text/html; charset=utf-8", **fault.headers}
            if not fault.drip:
                self._send(fault.status, body, headers)
                return
            self.send_response(fault.status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for i in range(len(body)):
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                    time.sleep(fault.drip)
            except OSError:
                pass  # the client gave up, as it should

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass

    return Handler
