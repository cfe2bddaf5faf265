"""The background worker: submit (or resume) one journaled job, poll, write back.

Started detached by the ribbon click (``python -m xl_wacheck.excel.worker JOB``). It touches
Excel only to show progress in the status bar and to write the results; everything else is
the core's. If the workbook was closed meanwhile the results stay in the journal for
``refresh()``. Errors reach the user as one sentence; tracebacks go to the worker's log.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from ..api import ApiClient
from ..cache import ResultCache
from ..errors import WacheckError
from ..journal import Journal
from ..numbers import Normalised
from ..plan import ResultRow
from ..policy import PollPolicy
from ..records import Progress, TaskStatus
from ..settings import load_settings
from ..tracked import drive
from .busy import patiently
from .connect import reconnect
from .port import ExcelPort, WorkbookGone
from .selection import ColumnBlock
from .summary import SHEET_NAME, summary_block
from .writeback import write_results

TITLE = "WhatsApp check"


def _minutes(seconds: float) -> str:
    return f"~{max(1, round(seconds / 60))} min left" if seconds >= 60 else "<1 min left"


class StatusBar:
    """Progress in Excel's status bar, at most every ``interval`` seconds; never fatal."""

    def __init__(
        self, port: ExcelPort, interval: float = 2.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.port, self.interval, self.clock = port, interval, clock
        self._last = -interval

    def __call__(self, progress: Progress) -> None:
        now = self.clock()
        if now - self._last < self.interval and progress.status != "exported":
            return
        self._last = now
        if progress.total:
            eta = f" · {_minutes(progress.eta)}" if progress.eta else ""
            text = f"{TITLE}: {progress.done:,} / {progress.total:,}{eta}"
        else:
            text = f"{TITLE}: {progress.status}…"
        self.show(text)

    def show(self, text: str | None) -> None:
        with contextlib.suppress(WacheckError, WorkbookGone):  # progress is a courtesy
            patiently(lambda: self.port.status(text), deadline=5.0)


def snapshot_path(job_id: int, journal: Journal) -> Path:
    folder = journal.store.folder / "snapshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"job-{job_id}.json"


def run_worker(
    job_id: int,
    *,
    port: ExcelPort | None = None,
    client: ApiClient | None = None,
    journal: Journal | None = None,
    policy: PollPolicy | None = None,
    deadline: float = 600.0,
) -> int:
    """Finish one Excel job; returns a process exit code (0 done, 3 failed, 4 book closed)."""
    journal = journal or Journal()
    job = journal.get(job_id)
    if job is None:
        raise WacheckError(f"There is no job {job_id}.")
    target = job.target
    snapshot = json.loads(Path(target["snapshot"]).read_text(encoding="utf-8"))
    port = port or reconnect(target)
    bar = StatusBar(port)
    try:
        if client is None:
            settings = load_settings()
            key, user = settings.require()
            client = ApiClient(key, user, settings.api_url, timeout=(10.0, settings.timeout))
        cache = ResultCache(client.base_url, journal.store)
        claimed = journal.claim_id(job_id)

        def created(status: TaskStatus) -> None:
            _remember(port, job_id, status.task_id, "submitted")

        job, fetched = drive(
            client,
            journal,
            claimed,
            snapshot["upload"],
            on_created=created,
            on_progress=bar,
            policy=policy,
        )
        known = cache.fresh(snapshot["numbers"])
        results = {**known.results, **fetched}
        checked = set(snapshot["upload"]) | set(known.results) | known.failed
        block = ColumnBlock(**target["block"])
        _, entries, rows = write_results(
            port, block, snapshot.get("region"), results, checked, deadline=deadline
        )
    except WorkbookGone:
        journal.release(job_id)
        return 4  # the results wait in the journal for refresh()
    except WacheckError as error:
        journal.release(job_id)
        bar.show(None)
        _tell(port, str(error))
        return 3
    journal.mark_applied(job_id)
    cache.store_task(snapshot["upload"], fetched, job.task_id)
    _remember(port, job_id, job.task_id, "applied")
    _summary(port, entries, rows)
    yes = sum(1 for row in rows if row.whatsapp == "yes")
    bar.show(f"{TITLE} done: {yes:,} of {len(rows):,} rows on WhatsApp.")
    return 0


def _summary(port: ExcelPort, entries: list[Normalised], rows: list[ResultRow]) -> None:
    with contextlib.suppress(WacheckError, WorkbookGone):
        patiently(
            lambda: port.summary_sheet(SHEET_NAME, summary_block(entries, rows), 5), deadline=30.0
        )


def _remember(port: ExcelPort, job_id: int, task_id: str | None, state: str) -> None:
    """The workbook itself remembers what it is owed (a hidden sheet)."""
    value = json.dumps({"task_id": task_id, "state": state})
    with contextlib.suppress(WacheckError, WorkbookGone):
        patiently(lambda: port.remember(f"job:{job_id}", value), deadline=30.0)


def _tell(port: ExcelPort, sentence: str) -> None:
    try:
        patiently(lambda: port.alert(sentence, TITLE), deadline=60.0)
    except (WacheckError, WorkbookGone):
        print(sentence, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        return run_worker(int(args[0]))
    except Exception:
        traceback.print_exc()  # to the worker's log file, never to the user
        return 1


if __name__ == "__main__":
    sys.exit(main())
