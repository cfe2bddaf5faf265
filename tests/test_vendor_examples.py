"""The vendor's own curl examples (shared/API.md), pointed at ``xl-wacheck sandbox``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from xl_wacheck.results import parse_results
from xl_wacheck.sandbox.process import sandbox_process as start_sandbox

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
STATUS_FIELDS = {
    "created_at",
    "updated_at",
    "task_id",
    "user_id",
    "status",
    "total",
    "success",
    "failure",
}


@pytest.fixture
def sandbox_process() -> Iterator[str]:
    with start_sandbox(
        "--api-key", "KEY", "--speed", "500", "--pending", "0.2", "--linger", "0.2"
    ) as sandbox:
        assert "SIMULATED" in sandbox.banner and sandbox.url.rsplit(":", 1)[1] in sandbox.banner
        yield sandbox.url


def curl(*args: str) -> str:
    return subprocess.run(
        ["curl", "--silent", "--show-error", *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout


def test_vendor_curl_examples_get_documented_answers(sandbox_process: str, tmp_path: Path) -> None:
    base = sandbox_process
    (tmp_path / "input.txt").write_text("+41798284651\n+14155552671\n")
    created = json.loads(
        curl(
            "--location",
            f"{base}/wa/api/detail/tasks",
            "--header",
            "X-API-Key: KEY",
            "--form",
            'user_id="USER_ID"',
            "--form",
            f'file=@"{tmp_path / "input.txt"}"',
        )
    )
    assert created.keys() >= STATUS_FIELDS
    assert (created["status"], created["user_id"], created["total"]) == ("pending", "USER_ID", 0)
    assert created["created_at"].endswith("Z") and len(created["created_at"].split(".")[1]) == 10

    status: dict[str, object] = {}
    for _ in range(100):
        status = json.loads(
            curl(
                f"{base}/wa/api/detail/tasks/{created['task_id']}?user_id=USER_ID",
                "--header",
                "X-API-Key: KEY",
            )
        )
        if status["status"] == "exported":
            break
        time.sleep(0.1)
    assert status.keys() >= STATUS_FIELDS
    assert (status["status"], status["total"]) == ("exported", 2)
    assert status["success"] + status["failure"] == 2  # type: ignore[operator]

    result = tmp_path / "results.xlsx"
    curl("--output", str(result), str(status["result_url"]))
    assert result.read_bytes().startswith(b"PK")
    assert set(parse_results(result.read_bytes())) <= {"+41798284651", "+14155552671"}


def test_wrong_key_is_401_and_bad_file_is_400(sandbox_process: str, tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_text("079 828 46 51\n")
    url = f"{sandbox_process}/wa/api/detail/tasks"
    form = ["--form", 'user_id="USER_ID"', "--form", f'file=@"{tmp_path / "bad.txt"}"']
    code = "--write-out", "%{http_code}", "--output", os.devnull
    assert curl(*code, url, "--header", "X-API-Key: nope", *form) == "401"
    assert curl(*code, url, "--header", "X-API-Key: KEY", *form) == "400"
