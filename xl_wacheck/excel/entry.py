"""The ribbon's entry points, called from VBA through xlwings' ``RunPython``.

Excel waits for the process RunPython starts, so a click must return within about a
second: read the selection once, show the plan in an OK/Cancel alert, record the job in the
journal (with a snapshot of the input), start the detached worker, return. Every failure
reaches the user as one sentence in an alert; tracebacks go to a log file only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any

from ..api import origin
from ..cache import ResultCache
from ..errors import WacheckError
from ..journal import CREATED, DOWNLOADED, INTENT, Journal, fingerprint, pid_alive
from ..numbers import check_region
from ..plan import plan_rows
from ..settings import config_file, keychain_key, load_settings, save_user_settings, store_key
from ..store import state_dir
from ..version import __version__
from .connect import caller, describe
from .launch import launch_worker
from .port import Area, ExcelBusy, ExcelPort, WorkbookGone
from .selection import column_block
from .worker import TITLE, snapshot_path
from .writeback import write_results

Spawn = Callable[[int], int]


def _safely(action: Callable[[ExcelPort], None], port: ExcelPort | None) -> None:
    """Run an entry point; any failure becomes one sentence in an alert."""
    try:
        port = port or caller()
        action(port)
    except WacheckError as error:
        _alert(port, str(error))
    except ExcelBusy:
        _alert(port, "Excel is busy (a cell is being edited?); finish that and click again.")
    except WorkbookGone:
        pass
    except Exception:
        log = state_dir() / "logs" / "excel-errors.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"--- {dt.datetime.now().isoformat()}\n{traceback.format_exc()}")
        _alert(port, f"Something unexpected went wrong; the details are in {log}.")


def _alert(port: ExcelPort | None, sentence: str) -> None:
    if port is None:
        print(sentence, file=sys.stderr)
        return
    try:
        port.alert(sentence, TITLE)
    except Exception:
        print(sentence, file=sys.stderr)


def _encode(value: object) -> object:
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def check_selection(
    port: ExcelPort | None = None, *, spawn: Spawn = launch_worker, journal: Journal | None = None
) -> None:
    """The Check selection button."""
    _safely(lambda p: _check(p, spawn, journal or Journal()), port)


def _check(port: ExcelPort, spawn: Spawn, journal: Journal) -> None:
    selection = port.selection()
    used = port.used_area(selection.sheet)
    area = selection.areas[0] if selection.areas else Area(1, 1, 1, 1)
    column = port.read(selection.sheet, Area(used.top, area.left, used.bottom, area.left))
    block = column_block(selection, used, [row[0] for row in column])
    start = block.first_row - used.top
    values = [row[0] for row in column[start : start + block.rows]]
    settings = load_settings()
    _, user_id = settings.require()
    region = check_region(settings.region)
    plan = plan_rows(values, region)
    cache = ResultCache(settings.api_url, journal.store)
    known = cache.fresh(plan.unique)
    counts = plan.counts(known)
    upload = plan.to_upload(known)
    scheme, host, port_number = origin(settings.api_url)
    job_print = fingerprint(upload, user_id, f"{scheme}://{host}:{port_number}")
    if not upload:  # everything is known or invalid: nothing to pay for, write it now
        write_results(
            port, block, region, known.results, set(known.results) | known.failed, deadline=10.0
        )
        port.status(f"{TITLE}: done from recent checks, nothing charged.")
        return
    if journal.find_open(job_print) is None:
        text = (
            f"{counts.rows:,} rows: {counts.to_charge:,} numbers to check and be charged "
            f"for, {counts.duplicates:,} duplicates, {counts.invalid:,} invalid, "
            f"{counts.cached:,} known from recent checks (free).\n\nStart the check?"
        )
        if not port.alert(text, TITLE, ok_cancel=True):
            return
    target: dict[str, Any] = {
        "kind": "excel",
        **describe(port),
        "sheet": block.sheet,
        "address": f"R{block.first_row}C{block.column}:R{block.last_row}C{block.column}",
        "block": {
            "sheet": block.sheet,
            "column": block.column,
            "header_row": block.header_row,
            "first_row": block.first_row,
            "last_row": block.last_row,
        },
    }
    job = journal.claim(
        job_print,
        api_origin=settings.api_url,
        user_id=user_id,
        numbers=len(upload),
        target=target,
        front_end="excel",
    )
    snapshot = snapshot_path(job.id, journal)
    snapshot.write_text(
        json.dumps(
            {
                "values": [_encode(v) for v in values],
                "upload": upload,
                "numbers": plan.unique,
                "region": region,
            }
        ),
        encoding="utf-8",
    )
    journal.set_target(job.id, {**target, "snapshot": str(snapshot)})
    journal.release(job.id)  # the worker takes it over
    port.remember(f"job:{job.id}", json.dumps({"task_id": job.task_id, "state": "submitted"}))
    port.status(f"{TITLE}: submitting {len(upload):,} numbers…")
    worker = spawn(job.id)
    if worker > 0:
        journal.hand_over(job.id, worker)  # a second click now sees the job as running


def refresh(
    port: ExcelPort | None = None, *, spawn: Spawn = launch_worker, journal: Journal | None = None
) -> None:
    """The Refresh results button: apply (or finish) every task this workbook is owed."""
    _safely(lambda p: _refresh(p, spawn, journal or Journal()), port)


def _jobs_of(port: ExcelPort, journal: Journal) -> list[Any]:
    owed = {int(key.split(":", 1)[1]) for key in port.recall() if key.startswith("job:")}
    book = port.book.lower()
    return [
        job
        for job in journal.jobs(limit=500)
        if job.front_end == "excel"
        and (job.id in owed or str(job.target.get("book", "")).lower() == book)
    ]


def _refresh(port: ExcelPort, spawn: Spawn, journal: Journal) -> None:
    started, uncertain, running = 0, [], 0
    for job in _jobs_of(port, journal):
        if pid_alive(job.owner_pid):
            running += 1
        elif job.state in (CREATED, DOWNLOADED):
            worker = spawn(job.id)
            if worker > 0:
                journal.hand_over(job.id, worker)
            started += 1
        elif job.state == INTENT:
            uncertain.append(job.id)
    if uncertain:
        _alert(
            port,
            f"Job(s) {', '.join(map(str, uncertain))} stopped while uploading, so a "
            "task may exist and be charged. Run 'xl-wacheck tasks' for what to do.",
        )
    if started or running:
        port.status(f"{TITLE}: resuming {started + running} task(s)…")
    elif not uncertain:
        port.alert("Nothing to refresh: every check of this workbook is applied.", TITLE)


def cancel(port: ExcelPort | None = None, *, journal: Journal | None = None) -> None:
    """The Cancel button: stop waiting. The task stays recorded; Refresh resumes it."""
    _safely(lambda p: _cancel(p, journal or Journal()), port)


def _cancel(port: ExcelPort, journal: Journal) -> None:
    stopped = 0
    for job in _jobs_of(port, journal):
        if job.owner_pid and job.owner_pid != os.getpid() and pid_alive(job.owner_pid):
            _terminate(job.owner_pid)
            journal.release(job.id)
            stopped += 1
    port.status(None)
    port.alert(
        f"Stopped waiting for {stopped} check(s). Their tasks stay recorded: "
        "click Refresh results to pick them up again."
        if stopped
        else "No check of this workbook is running.",
        TITLE,
    )


def _terminate(pid: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x0001, False, pid)  # PROCESS_TERMINATE
        if handle:
            ctypes.windll.kernel32.TerminateProcess(handle, 1)
            ctypes.windll.kernel32.CloseHandle(handle)
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


def settings(port: ExcelPort | None = None) -> None:
    """The Settings button: user ID, default region, API URL; the key goes to the keychain."""
    _safely(_settings, port)


def _settings(port: ExcelPort) -> None:
    current = load_settings()
    user_id = port.ask(
        "Your user ID at the WhatsApp checker service:", TITLE, current.user_id or ""
    )
    if user_id is None:
        return
    region = port.ask(
        "Default country for numbers written without +, as two letters "
        "(e.g. CH); leave empty for none:",
        TITLE,
        current.region or "",
    )
    if region is None:
        return
    api_url = port.ask("API address:", TITLE, current.api_url)
    if api_url is None:
        return
    key = port.ask(
        "API key (leave empty to keep the stored one). It is kept in the "
        "system keychain, never in the workbook:",
        TITLE,
        "",
    )
    values = {"user_id": user_id.strip(), "api_url": api_url.strip() or current.api_url}
    checked_region = check_region(region) if region.strip() else ""
    values["region"] = checked_region or ""
    if key and key.strip():
        store_key(values["user_id"], key.strip())
    path = save_user_settings(values)
    port.alert(f"Saved in {path}.", TITLE)


def about(port: ExcelPort | None = None) -> None:
    """The About button."""
    _safely(_about, port)


def _about(port: ExcelPort) -> None:
    current = load_settings()
    has_key = bool(current.api_key or keychain_key(current.user_id))
    port.alert(
        f"xl-wacheck {__version__}\n"
        f"User ID: {current.user_id or 'not set'} · API key: {'set' if has_key else 'not set'}\n"
        f"API: {current.api_url}\nSettings: {config_file()}\nJournal: {state_dir()}",
        TITLE,
    )
