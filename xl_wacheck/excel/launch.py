"""Start the background worker so the click returns at once.

Excel waits for the process that RunPython started, so the real work runs in a detached
process: on Windows ``pythonw`` with ``DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP``, on
macOS and Linux a new session. Its standard streams go to a log file, never inherited;
nothing secret is on its command line (it reads the key from the keychain itself).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..store import state_dir


def log_file(job_id: int) -> Path:
    folder = state_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"worker-{job_id}.log"


def python_for_background() -> str:
    """pythonw.exe on Windows, so no console window flashes up."""
    if sys.platform == "win32":
        candidate = Path(sys.executable).with_name("pythonw.exe")
        if candidate.is_file():
            return str(candidate)
    return sys.executable


def launch_worker(job_id: int) -> int:
    """Start ``python -m xl_wacheck.excel.worker JOB`` detached; return its process ID."""
    command = [python_for_background(), "-m", "xl_wacheck.excel.worker", str(job_id)]
    with open(log_file(job_id), "ab") as log:
        options: dict[str, object] = {
            "stdin": subprocess.DEVNULL,
            "stdout": log,
            "stderr": log,
            "close_fds": True,
            "cwd": str(state_dir()),
        }
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            options["creationflags"] = (
                subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
            )
        else:
            options["start_new_session"] = True
        env = {key: value for key, value in os.environ.items() if key != "PYTHONSTARTUP"}
        process = subprocess.Popen(command, env=env, **options)  # type: ignore[call-overload]
    return int(process.pid)
