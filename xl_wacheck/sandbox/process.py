"""The sandbox as a separate process on a free loopback port, for tests and benchmarks that
need the server outside their own interpreter (curl examples, whole-CLI timings)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SandboxProcess:
    url: str
    #: The first line the sandbox printed (it says the results are simulated).
    banner: str


@contextlib.contextmanager
def sandbox_process(*options: str) -> Iterator[SandboxProcess]:
    """``xl-wacheck sandbox --port <free> OPTIONS…`` until the ``with`` block ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "xl_wacheck", "sandbox", "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        yield SandboxProcess(f"http://127.0.0.1:{port}", banner)
    finally:
        process.terminate()
        process.wait(timeout=10)
