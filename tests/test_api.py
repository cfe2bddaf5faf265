"""The HTTP client against a real sandbox on loopback: retries, errors, and the key's reach."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests

from xl_wacheck.api import ApiClient, RetryPolicy
from xl_wacheck.errors import (
    ApiError,
    ApiUnavailable,
    AuthError,
    BadRequest,
    ResultLinkExpired,
    TaskNotFound,
    UploadUncertain,
)
from xl_wacheck.sandbox import Faults, Sandbox

from .conftest import client_for

NUMBERS = ["+41798284651", "+14155552671"]
MakeSandbox = Callable[..., Sandbox]


def exported(client: ApiClient, sandbox: Sandbox) -> str:
    """Create a task, let the (fast) sandbox finish it, return its result link."""
    import time

    created = client.create_task(NUMBERS)
    for _ in range(100):
        status = client.get_status(created.task_id)
        if status.result_url:
            return status.result_url
        time.sleep(0.05)
    raise AssertionError("sandbox task never exported")


def test_upload_is_one_e164_number_a_line_utf8_without_bom(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    created = client.create_task(NUMBERS)
    assert created.status == "pending" and created.task_id
    assert sandbox.tasks[created.task_id].numbers == NUMBERS


def test_the_sandbox_rejects_a_bom_like_the_contract_says(sandbox: Sandbox) -> None:
    answer = requests.post(
        sandbox.url + "/wa/api/detail/tasks",
        headers={"X-API-Key": "sandbox"},
        data={"user_id": "u"},
        files={"file": ("n.txt", "\ufeff+41798284651\n".encode())},
        timeout=5,
    )
    assert answer.status_code == 400


def test_bad_file_is_a_clear_bad_request(sandbox: Sandbox) -> None:
    with pytest.raises(BadRequest, match="invalid number '0798284651'"):
        client_for(sandbox).create_task(["0798284651"])


def test_wrong_key_raises_auth_error_without_retrying(sandbox: Sandbox) -> None:
    with pytest.raises(AuthError, match="refused the key"):
        client_for(sandbox, key="wrong").create_task(NUMBERS)
    assert [entry.status for entry in sandbox.log] == [401]


def test_500_bursts_are_retried_on_every_call(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(faults=Faults(burst_500=3))
    client = client_for(sandbox)
    created = client.create_task(NUMBERS)
    client.get_status(created.task_id)
    statuses = [entry.status for entry in sandbox.log]
    assert statuses == [500, 500, 500, 200, 500, 500, 500, 200]
    assert len(sandbox.tasks) == 1


def test_a_retried_upload_sends_the_whole_body_again(make_sandbox: MakeSandbox) -> None:
    """The body is streamed; a 500 means it was refused, and the retry starts from byte 0."""
    sandbox = make_sandbox(faults=Faults(burst_500=2, endpoints=("create",)))
    numbers = [f"+4474001{i:05d}" for i in range(10_000)]  # several batches of the stream
    created = client_for(sandbox).create_task(numbers)
    assert [entry.status for entry in sandbox.log] == [500, 500, 200]
    assert sandbox.tasks[created.task_id].numbers == numbers


def test_429_honours_retry_after(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(faults=Faults(rate_limit=2, retry_after=0.2))
    waits: list[float] = []
    client = client_for(sandbox, sleep=waits.append, retry=RetryPolicy(attempts=3, cap=5))
    client.balance()
    assert waits == [0.2, 0.2]


def test_persistent_500_ends_in_one_sentence(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(faults=Faults(burst_500=100))
    with pytest.raises(ApiUnavailable, match=r"keeps failing \(500\); try again later\."):
        client_for(sandbox).balance()


def test_a_broken_upload_is_reported_never_resent(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(faults=Faults(reset=1))
    with pytest.raises(UploadUncertain, match="xl-wacheck tasks"):
        client_for(sandbox).create_task(NUMBERS)
    assert [entry.endpoint for entry in sandbox.log] == ["create"]


def test_a_dropped_status_call_is_retried(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(faults=Faults(reset=1))
    client = client_for(sandbox)
    with pytest.raises(UploadUncertain):
        client.create_task(NUMBERS)
    created = client.create_task(NUMBERS)  # the user chose to try again: a new request
    assert client.get_status(created.task_id).task_id == created.task_id
    assert [(e.endpoint, e.status) for e in sandbox.log] == [
        ("create", 0),
        ("create", 200),
        ("status", 0),
        ("status", 200),
    ]


def test_unreachable_api_is_retried_then_explained() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    waits: list[float] = []
    client = ApiClient(
        "k", "u", f"http://127.0.0.1:{port}", sleep=waits.append, retry=RetryPolicy(attempts=3)
    )
    with pytest.raises(ApiUnavailable, match="check the network connection"):
        client.create_task(NUMBERS)  # refused before sending: safe to retry
    assert len(waits) == 2


def test_unknown_task_is_not_found(sandbox: Sandbox) -> None:
    with pytest.raises(TaskNotFound, match="no task nosuchtask"):
        client_for(sandbox).get_status("nosuchtask")


def test_another_users_task_is_not_found(sandbox: Sandbox) -> None:
    created = client_for(sandbox).create_task(NUMBERS)
    other = ApiClient("sandbox", "someone-else", sandbox.url, retry=RetryPolicy(attempts=1))
    with pytest.raises(TaskNotFound):
        other.get_status(created.task_id)


def test_key_is_never_sent_to_a_foreign_result_host(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(faults=Faults(foreign_results=True))
    client = client_for(sandbox)
    link = exported(client, sandbox)
    assert link.startswith(sandbox.results_url)
    assert client.download(link).startswith(b"PK")
    downloads = [entry for entry in sandbox.log if entry.endpoint == "download"]
    assert [(d.server, d.with_key) for d in downloads] == [("results", False)]
    assert all(e.with_key for e in sandbox.log if e.server == "api")


@pytest.fixture
def redirector(sandbox: Sandbox) -> Iterator[str]:
    """An 'API' origin that redirects every GET to the sandbox's other origin."""

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", sandbox.results_url + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_redirect_to_another_origin_drops_the_key(sandbox: Sandbox, redirector: str) -> None:
    link = exported(client_for(sandbox), sandbox)
    path = link.split("/", 3)[3]
    client = ApiClient("sandbox", "sales-team", redirector)
    assert client.download(f"{redirector}/{path}").startswith(b"PK")
    last = sandbox.log[-1]
    assert (last.endpoint, last.server, last.with_key) == ("download", "results", False)


def test_an_expired_link_is_reported_as_such(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(faults=Faults(link_ttl=0.0))
    client = client_for(sandbox)
    with pytest.raises(ResultLinkExpired):
        client.download(exported(client, sandbox))


def test_downloads_are_capped(sandbox: Sandbox) -> None:
    client = client_for(sandbox, max_download=100)
    with pytest.raises(ApiError, match="larger than"):
        client.download(exported(client, sandbox))


def test_the_key_is_not_in_the_clients_repr() -> None:
    client = ApiClient("s3cr3t-key", "u", "https://api.example")
    assert "s3cr3t" not in repr(client)


def test_balance_is_read(sandbox: Sandbox) -> None:
    assert client_for(sandbox).balance().balance == 42.5
