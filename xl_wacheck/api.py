"""The HTTP client of the vendor's API — the only module that talks to it.

Three rules shape it. Every 200 is charged, so a request that may already have reached the
server is never sent again (a broken upload is reported, not retried). Errors that are free
(429, 5xx, a refused connection) are retried with backoff. And the API key is a payment
credential: it goes only to the API's own origin, never to a result link on another host and
never through a redirect to one — which ``requests`` would otherwise do for custom headers.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import NewConnectionError

from .errors import (
    ApiError,
    ApiUnavailable,
    AuthError,
    BadRequest,
    ResultLinkExpired,
    TaskNotFound,
    UploadUncertain,
)
from .records import Balance, TaskStatus
from .upload import UploadBody
from .version import __version__

DEFAULT_API_URL = "https://api.ekycpro.com"
TASKS_PATH = "/wa/api/detail/tasks"
BALANCE_PATH = "/v1/balance"
#: Largest result download accepted (a million rows is ~40 MB as .xlsx).
MAX_DOWNLOAD = 512 * 1024 * 1024
_RETRYABLE = frozenset({429, 500, 502, 503, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_HOPS = 5


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff for free failures: exponential with jitter, honouring ``Retry-After``."""

    attempts: int = 6
    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.cap)
        return min(self.cap, self.base * 2**attempt) * random.uniform(0.75, 1.25)


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port: two URLs may share a key only if these are equal."""
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


class ApiClient:
    """Create tasks, read their status, download results, read the balance."""

    def __init__(
        self,
        api_key: str,
        user_id: str,
        base_url: str = DEFAULT_API_URL,
        *,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (10.0, 120.0),
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_download: int = MAX_DOWNLOAD,
    ) -> None:
        self._key = api_key
        self.user_id = user_id
        self.base_url = base_url.rstrip("/")
        self._origin = origin(self.base_url)
        # Proxies and CA bundles from the environment are honoured (corporate networks need
        # them); TLS verification stays on, and the key travels only inside the tunnel.
        self._session = session or requests.Session()
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self.max_download = max_download

    def __repr__(self) -> str:  # never show the key
        return f"ApiClient(base_url={self.base_url!r}, user_id={self.user_id!r})"

    # -- the calls -------------------------------------------------------------------------

    def create_task(self, numbers: Iterable[str]) -> TaskStatus:
        """Upload the numbers as one task (charged). Never retried once it may have arrived.

        The body is streamed (:mod:`upload`): a million numbers are not copied into one
        multipart message first."""
        listed = numbers if isinstance(numbers, Sequence) else list(numbers)
        if not listed:
            raise BadRequest("There are no numbers to upload.")
        try:
            body = UploadBody(self.user_id, listed)
        except ValueError as error:
            raise BadRequest(f"Cannot upload: {error}.") from error
        response = self._call(
            "POST",
            self.base_url + TASKS_PATH,
            data=body,
            content_type=body.content_type,
            idempotent=False,
        )
        status = _task_status(_json(response))
        if not status.task_id:
            raise ApiError("The API accepted the upload but sent back no task ID.")
        return status

    def get_status(self, task_id: str) -> TaskStatus:
        """One status call (charged)."""
        response = self._call(
            "GET",
            f"{self.base_url}{TASKS_PATH}/{task_id}",
            params={"user_id": self.user_id},
            not_found=f"The API knows no task {task_id} for user ID {self.user_id}.",
        )
        return _task_status(_json(response))

    def balance(self) -> Balance:
        data = _json(self._call("GET", self.base_url + BALANCE_PATH))
        return Balance(
            balance=_float(data.get("balance")),
            credit=_float(data.get("credit")),
            used_today=_float(data.get("used_today")),
            daily_limit=_float(data.get("daily_limit")),
            reset_time=None if data.get("reset_time") is None else str(data["reset_time"]),
        )

    def download(self, url: str) -> bytes:
        """The result file's bytes, capped in size; the key goes along only to the API."""
        response = self._call("GET", url, stream=True, expired_link=True)
        try:
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > self.max_download:
                raise ApiError(_too_big(self.max_download))
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(1 << 16):
                size += len(chunk)
                if size > self.max_download:
                    raise ApiError(_too_big(self.max_download))
                chunks.append(chunk)
        except requests.RequestException as error:
            raise ApiUnavailable(
                "The result download broke off; the task stays recorded, try again."
            ) from error
        finally:
            response.close()
        return b"".join(chunks)

    # -- plumbing --------------------------------------------------------------------------

    def _headers_for(self, url: str) -> dict[str, str]:
        headers = {"User-Agent": f"xl-wacheck/{__version__}"}
        if origin(url) == self._origin:
            headers["X-API-Key"] = self._key
        return headers

    def _call(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool = True,
        not_found: str | None = None,
        expired_link: bool = False,
        **kwargs: Any,
    ) -> requests.Response:
        body = kwargs.get("data")
        for attempt in range(self.retry.attempts):
            if isinstance(body, UploadBody):
                body.seek(0)  # a retry only follows an upload that provably never left
            try:
                response = self._follow(method, url, **kwargs)
            except requests.RequestException as error:
                if not idempotent and not _never_sent(error):
                    raise UploadUncertain(
                        "The connection broke after the numbers were sent, so the task may "
                        "exist and be charged; it was not sent again. Run 'xl-wacheck tasks' "
                        "to look for it before trying once more."
                    ) from error
                if attempt + 1 >= self.retry.attempts:
                    raise ApiUnavailable(
                        f"Cannot reach {self.base_url}; check the network connection and try again."
                    ) from error
                self._sleep(self.retry.delay(attempt))
                continue
            if response.status_code < 300:
                return response
            if response.status_code in _RETRYABLE and attempt + 1 < self.retry.attempts:
                wait = self.retry.delay(attempt, _retry_after(response))
                response.close()
                self._sleep(wait)
                continue
            _raise_for(response, not_found=not_found, expired_link=expired_link)
        raise AssertionError("unreachable")  # pragma: no cover

    def _follow(
        self, method: str, url: str, content_type: str | None = None, **kwargs: Any
    ) -> requests.Response:
        """One request, following redirects by hand so the key never leaves its origin."""
        for _ in range(_MAX_HOPS + 1):
            headers = self._headers_for(url)
            if content_type is not None:
                headers["Content-Type"] = content_type
            response = self._session.request(
                method,
                url,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
                **kwargs,
            )
            if response.status_code not in _REDIRECTS or "Location" not in response.headers:
                return response
            if method != "GET":
                response.close()
                raise ApiError(f"The API redirected an upload ({response.status_code}); stopped.")
            url = urljoin(url, response.headers["Location"])
            response.close()
        raise ApiError("Too many redirects while talking to the API.")


def _never_sent(error: requests.RequestException) -> bool:
    """True when the connection failed before any byte of the request left."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if isinstance(error, requests.ConnectionError) and not isinstance(error, requests.Timeout):
        reason = getattr(error.args[0], "reason", None) if error.args else None
        return isinstance(reason, NewConnectionError)
    return False


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _server_message(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        text = response.text.strip().replace("\n", " ")
        return text[:200]
    if isinstance(data, dict):
        for key in ("message", "error", "detail", "msg"):
            if data.get(key):
                return str(data[key])[:200]
    return ""


def _raise_for(response: requests.Response, *, not_found: str | None, expired_link: bool) -> None:
    code = response.status_code
    detail = _server_message(response)
    said = f" The service said: {detail}" if detail else ""
    response.close()
    if expired_link and code in (401, 403, 404, 410):
        raise ResultLinkExpired(
            f"The result link no longer works ({code}); the task stays recorded, so running "
            "the same check again fetches a fresh one."
        )
    if code in (401, 403):
        raise AuthError(
            f"The API refused the key ({code}). Check WACHECK_API_KEY and WACHECK_USER_ID, "
            "or store the right key with 'xl-wacheck login'."
        )
    if code == 400:
        raise BadRequest(f"The API rejected the request (400).{said}")
    if code == 404:
        raise TaskNotFound(not_found or f"The API answered 404 (not found).{said}")
    if code == 429:
        raise ApiUnavailable("The API keeps saying 'too many requests'; wait a minute and retry.")
    if code >= 500:
        raise ApiUnavailable(f"The API keeps failing ({code}); try again later.")
    raise ApiError(f"The API answered {code}.{said}")


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as error:
        raise ApiError("The API answered with something that is not JSON.") from error
    if not isinstance(data, dict):
        raise ApiError("The API answered with JSON of an unexpected shape.")
    return data


_KNOWN = (
    "task_id",
    "status",
    "total",
    "success",
    "failure",
    "user_id",
    "created_at",
    "updated_at",
    "result_url",
    "message",
)


def _task_status(data: dict[str, Any]) -> TaskStatus:
    return TaskStatus(
        task_id=str(data.get("task_id") or ""),
        status=str(data.get("status") or "").strip().lower(),
        total=_int(data.get("total")),
        success=_int(data.get("success")),
        failure=_int(data.get("failure")),
        user_id=str(data.get("user_id") or ""),
        created_at=_timestamp(data.get("created_at")),
        updated_at=_timestamp(data.get("updated_at")),
        result_url=str(data["result_url"]) if data.get("result_url") else None,
        message=str(data["message"]) if data.get("message") else None,
        extra={key: value for key, value in data.items() if key not in _KNOWN},
    )


def _int(value: object) -> int:
    try:
        return max(0, int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


def _float(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _timestamp(value: object) -> dt.datetime | None:
    """RFC 3339 with nanoseconds; Python keeps microseconds, which is plenty."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("z", "Z")
    if "." in text:
        head, _, tail = text.partition(".")
        digits = "".join(ch for ch in tail if ch.isdigit())
        zone = tail[len(digits) :]
        text = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _too_big(limit: int) -> str:
    return f"The result file is larger than {limit // (1024 * 1024)} MB; refusing to download it."
