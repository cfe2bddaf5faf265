"""The sandbox: the vendor's API contract as a real HTTP server on loopback.

Tests, the README demo and new users without a key run against it. It checks the key,
rejects bad uploads with 400, runs each task through the documented statuses at a
configurable speed (and time scale), serves a real result file, and can misbehave on
purpose: 500 bursts, 429 with Retry-After, dropped connections, slow answers, failed tasks,
a result link on another origin, links that expire, and truncated files. It logs every
request (never the key itself) so tests can count what was charged.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import resultfile
from .tasks import Task, Timing

TASKS_PATH = "/wa/api/detail/tasks"
_E164 = re.compile(r"\+[1-9]\d{6,14}")
_MAX_UPLOAD = 64 * 1024 * 1024
_RESULT_PATH = re.compile(r"/results/(?P<token>[A-Za-z0-9_-]+)/(?P<task>[0-9a-v]+)\.\w+")
_EXTENSIONS = {"xlsx": "xlsx", "csv": "csv", "zip": "zip", "zip-csv": "zip"}
_MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
}


@dataclass
class Faults:
    """Misbehaviour on purpose. Counts apply to each endpoint's first requests, in order:
    dropped connections, then 500s, then 429s; ``endpoints`` limits them (and ``slow``) to
    some endpoints (create, status, balance, download)."""

    reset: int = 0
    burst_500: int = 0
    rate_limit: int = 0
    retry_after: float = 1.0
    slow: float = 0.0
    slow_requests: int = 1_000_000_000  # how many of each endpoint's requests are slow
    endpoints: tuple[str, ...] = ()
    hold_create: float = 0.0  # create the task, then wait this long before answering
    foreign_results: bool = False
    link_ttl: float | None = None  # real seconds a result link works
    expired_links: int = 0  # the first N result links handed out are dead on arrival
    result_format: str = "xlsx"  # xlsx, csv, zip (holding .xlsx) or zip-csv
    numeric_numbers: bool = False
    shuffled_columns: bool = False
    truncate_results: bool = False


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    method: str
    path: str
    endpoint: str
    status: int
    with_key: bool
    server: str  # "api" or "results"


@dataclass
class _State:
    tasks: dict[str, Task] = field(default_factory=dict)
    log: list[LoggedRequest] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, tuple[str, float | None]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


class Sandbox:
    """A running sandbox; use as a context manager, or :meth:`serve_forever` in a CLI."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = "sandbox",
        user_id: str | None = None,
        timing: Timing | None = None,
        faults: Faults | None = None,
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        verbose: bool = False,
    ) -> None:
        self.api_key = api_key
        self.user_id = user_id
        self.timing = timing or Timing()
        self.faults = faults or Faults()
        self.time_scale = time_scale
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()
        self._state = _State()
        self.verbose = verbose
        self._api = ThreadingHTTPServer((host, port), _handler(self, "api"))
        self._results = ThreadingHTTPServer((host, 0), _handler(self, "results"))
        self._threads: list[threading.Thread] = []

    # -- life ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._api.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def results_url(self) -> str:
        """The other origin result links point to when ``foreign_results`` is on."""
        host, port = self._results.server_address[:2]
        name = "localhost" if host == "127.0.0.1" else host
        return f"http://{name}:{port}"

    def start(self) -> Sandbox:
        for server in (self._api, self._results):
            thread = threading.Thread(
                target=server.serve_forever, daemon=True, kwargs={"poll_interval": 0.05}
            )
            thread.start()
            self._threads.append(thread)
        return self

    def serve_forever(self) -> None:
        results = threading.Thread(target=self._results.serve_forever, daemon=True)
        results.start()
        try:
            self._api.serve_forever()
        finally:
            self.stop()

    def stop(self) -> None:
        for server in (self._api, self._results):
            server.shutdown()
            server.server_close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests look at ----------------------------------------------------------------

    @property
    def log(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._state.log)

    @property
    def tasks(self) -> dict[str, Task]:
        with self._lock:
            return dict(self._state.tasks)

    def charged(self, endpoint: str | None = None) -> int:
        """How many answers the real API would have billed (200s of create/status/balance)."""
        return sum(
            1
            for entry in self.log
            if entry.status == 200
            and entry.endpoint in ("create", "status", "balance")
            and (endpoint is None or entry.endpoint == endpoint)
        )

    def now(self) -> float:
        """Simulated seconds since the sandbox started."""
        return (self._clock() - self._started) * self.time_scale

    # -- request handling (called from the handler threads) ----------------------------------

    def handle(self, request: BaseHTTPRequestHandler, server: str) -> None:
        method = request.command
        parts = urlsplit(request.path)
        endpoint = _endpoint(method, parts.path, server)
        with self._lock:
            seen = self._state.counters.get(endpoint, 0)
            self._state.counters[endpoint] = seen + 1
        faults = self.faults
        if faults.endpoints and endpoint not in faults.endpoints:
            seen = 1_000_000_000  # past every counted fault
        elif faults.slow and seen < faults.slow_requests:
            time.sleep(faults.slow)
        with_key = "X-API-Key" in request.headers
        if seen < faults.reset:
            self._record(method, parts.path, endpoint, 0, with_key, server)
            request.close_connection = True
            request.connection.close()  # hang up without an answer
            return
        length = int(request.headers.get("Content-Length") or 0)
        if length > _MAX_UPLOAD:
            request.close_connection = True  # the body stays unread
            status, body, headers = _json(400, {"message": "upload too large"})
        else:
            # Read the body even to refuse it, so a kept-alive connection stays in step.
            payload = request.rfile.read(length) if length > 0 else b""
            if seen < faults.reset + faults.burst_500:
                status, body, headers = (
                    500,
                    b"<html><body>Internal Server Error</body></html>",
                    {"Content-Type": "text/html"},
                )
            elif seen < faults.reset + faults.burst_500 + faults.rate_limit:
                status, body, headers = (
                    429,
                    b"Too Many Requests",
                    {"Content-Type": "text/plain", "Retry-After": f"{faults.retry_after:g}"},
                )
            else:
                status, body, headers = self._answer(request, method, parts, endpoint, payload)
        self._record(method, parts.path, endpoint, status, with_key, server)
        if endpoint == "create" and status == 200 and faults.hold_create:
            time.sleep(faults.hold_create)  # the task exists and is logged; the answer is late
        request.send_response(status)
        headers.setdefault("Content-Type", "application/json")
        headers["X-Wacheck-Sandbox"] = "simulated"
        headers["Content-Length"] = str(len(body))
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(body)

    def _record(
        self, method: str, path: str, endpoint: str, status: int, with_key: bool, server: str
    ) -> None:
        with self._lock:
            self._state.log.append(LoggedRequest(method, path, endpoint, status, with_key, server))
        if self.verbose:
            print(f"sandbox: {method} {path} -> {status or 'dropped'}", flush=True)

    def _answer(
        self,
        request: BaseHTTPRequestHandler,
        method: str,
        parts: Any,
        endpoint: str,
        payload: bytes,
    ) -> tuple[int, bytes, dict[str, str]]:
        if endpoint == "download":
            return self._download(parts.path)
        if endpoint == "unknown":
            return _json(404, {"message": "not found"})
        if request.headers.get("X-API-Key") != self.api_key:
            return _json(401, {"message": "invalid or missing X-API-Key"})
        if endpoint == "balance":
            return _json(
                200,
                {
                    "status": "ok",
                    "balance": 42.5,
                    "credit": 42500,
                    "used_today": self.charged(),
                    "daily_limit": 100000,
                    "reset_time": "00:00 UTC",
                    "simulated": True,
                },
            )
        if endpoint == "create":
            return self._create(request.headers.get("Content-Type", ""), payload)
        query = parse_qs(parts.query)
        user_id = (query.get("user_id") or [""])[0]
        task_id = parts.path.rsplit("/", 1)[-1]
        return self._status(task_id, user_id)

    def _create(self, content_type: str, payload: bytes) -> tuple[int, bytes, dict[str, str]]:
        if not payload:
            return _json(400, {"message": "missing multipart body"})
        fields = _multipart(content_type, payload)
        user_id = fields.get("user_id", b"").decode("utf-8", "replace").strip()
        upload = fields.get("file")
        if not user_id:
            return _json(400, {"message": "user_id is required"})
        if self.user_id is not None and user_id != self.user_id:
            return _json(401, {"message": "this key does not belong to that user_id"})
        if upload is None:
            return _json(400, {"message": "file is required"})
        try:
            lines = upload.decode("utf-8").splitlines()
        except UnicodeDecodeError:
            return _json(400, {"message": "file must be UTF-8 text"})
        numbers = [line.strip() for line in lines if line.strip()]
        bad = next((n for n in numbers if not _E164.fullmatch(n)), None)
        if not numbers or bad is not None:
            what = f"invalid number {bad!r}" if bad is not None else "no numbers"
            return _json(400, {"message": f"bad file format: {what} (one E.164 number a line)"})
        task = Task.create(user_id, numbers, self.now(), self.timing)
        with self._lock:
            self._state.tasks[task.task_id] = task
        return _json(200, task.state(self.now()))

    def _status(self, task_id: str, user_id: str) -> tuple[int, bytes, dict[str, str]]:
        with self._lock:
            task = self._state.tasks.get(task_id)
        if task is None or task.user_id != user_id:
            return _json(404, {"message": "task not found"})
        answer = task.state(self.now())
        if answer["status"] == "exported":
            answer["result_url"] = self._link(task)
        return _json(200, answer)

    def _link(self, task: Task) -> str:
        ttl = self.faults.link_ttl
        with self._lock:
            issued = self._state.counters.get("links", 0)
            self._state.counters["links"] = issued + 1
            if issued < self.faults.expired_links:
                ttl = 0.0
            token = (
                next(
                    (
                        t
                        for t, (tid, exp) in self._state.tokens.items()
                        if tid == task.task_id and exp is None
                    ),
                    None,
                )
                if ttl is None
                else None
            )
            if token is None:
                token = secrets.token_urlsafe(12)
                expires = None if ttl is None else time.monotonic() + ttl
                self._state.tokens[token] = (task.task_id, expires)
        base = self.results_url if self.faults.foreign_results else self.url
        return f"{base}/results/{token}/{task.task_id}.{_EXTENSIONS[self.faults.result_format]}"

    def _download(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        match = _RESULT_PATH.fullmatch(path)
        with self._lock:
            grant = self._state.tokens.get(match["token"]) if match else None
        if match is None or grant is None or grant[0] != match["task"]:
            return (
                404,
                b"<Error><Code>NoSuchKey</Code></Error>",
                {"Content-Type": "application/xml"},
            )
        if grant[1] is not None and time.monotonic() > grant[1]:
            return (
                403,
                b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
                {"Content-Type": "application/xml"},
            )
        task_id = grant[0]
        faults = self.faults
        key = (
            f"{task_id}:{faults.result_format}:{faults.numeric_numbers}:"
            f"{faults.shuffled_columns}:{faults.truncate_results}"
        )
        with self._lock:
            data = self._state.files.get(key)
            task = self._state.tasks[task_id]
        if data is None:
            data = resultfile.build(
                task.results(),
                fmt=faults.result_format,
                numeric_numbers=faults.numeric_numbers,
                shuffled_columns=faults.shuffled_columns,
                truncate=faults.truncate_results,
            )
            with self._lock:
                self._state.files[key] = data
        kind = _EXTENSIONS[self.faults.result_format]
        return 200, data, {"Content-Type": _MIME[kind]}


def _endpoint(method: str, path: str, server: str) -> str:
    if method == "GET" and path.startswith("/results/"):
        return "download"
    if server != "api":
        return "unknown"
    if method == "POST" and path.rstrip("/") == TASKS_PATH:
        return "create"
    if method == "GET" and path.startswith(TASKS_PATH + "/") and path.count("/") == 5:
        return "status"
    if method == "GET" and path == "/v1/balance":
        return "balance"
    return "unknown"


def _json(status: int, payload: dict[str, Any]) -> tuple[int, bytes, dict[str, str]]:
    return (
        status,
        json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        {"Content-Type": "application/json"},
    )


def _multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    """Form fields of a multipart/form-data body, via the stdlib's MIME parser."""
    if not content_type.lower().startswith("multipart/form-data"):
        return {}
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields: dict[str, bytes] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            fields[name] = payload if isinstance(payload, bytes) else b""
    return fields


def _handler(sandbox: Sandbox, server: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else each answer waits ~40 ms for a delayed ACK
        server_version = "wacheck-sandbox"

        def do_GET(self) -> None:
            sandbox.handle(self, server)

        def do_POST(self) -> None:
            sandbox.handle(self, server)

        def log_message(self, format: str, *args: Any) -> None:
            return  # the sandbox logs requests itself, without headers

    return Handler
