"""Shared fixtures: real sandbox servers on 127.0.0.1 and clients that retry quickly."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from xl_wacheck.api import ApiClient, RetryPolicy
from xl_wacheck.sandbox import Faults, Sandbox, Timing

SYSTEM_PYTHON = Path("/usr/bin/python3")

# Speed is proven in benchmarks/, never in tests: no per-example deadline (phonenumbers
# loads a region's metadata on first use, which a busy CI machine may take a while over).
settings.register_profile("xl-wacheck", deadline=None)
settings.load_profile("xl-wacheck")


def _has_libreoffice() -> bool:
    if shutil.which("soffice") is None or not SYSTEM_PYTHON.exists():
        return False
    probe = subprocess.run([str(SYSTEM_PYTHON), "-c", "import uno"], capture_output=True)
    return probe.returncode == 0


#: LibreOffice is the independent engine for VBA and pivot tables; .ci/run installs it and
#: fails if it cannot, so CI never skips these.
needs_libreoffice = pytest.mark.skipif(
    not _has_libreoffice(),
    reason="LibreOffice with python3-uno is not installed (.ci/run installs it)",
)

#: A sandbox that finishes small tasks in well under a second.
FAST = Timing(speed=2000.0, pending=0.1, linger=0.1)
QUICK_RETRY = RetryPolicy(attempts=6, base=0.01, cap=0.05)


@pytest.fixture(autouse=True)
def private_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own journal, cache and config folder, never the user's."""
    monkeypatch.setenv("WACHECK_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    for name in (
        "WACHECK_API_KEY",
        "WACHECK_USER_ID",
        "WACHECK_API_URL",
        "WACHECK_REGION",
        "WACHECK_KEY_FILE",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., Sandbox]]:
    started: list[Sandbox] = []

    def make(timing: Timing = FAST, faults: Faults | None = None, **kwargs: Any) -> Sandbox:
        sandbox = Sandbox(timing=timing, faults=faults, **kwargs).start()
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox()


def client_for(sandbox: Sandbox, key: str = "sandbox", **kwargs: Any) -> ApiClient:
    kwargs.setdefault("retry", QUICK_RETRY)
    kwargs.setdefault("timeout", (2.0, 10.0))
    return ApiClient(key, "sales-team", sandbox.url, **kwargs)
