"""Run or resume a journaled job: every step written down, nothing paid twice.

The order is the point: the intent is on disk before the upload, the task ID right after
it, each status as it comes, the result file before it is parsed. Whatever the process dies
on, the next run picks the job up where the journal says it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .api import ApiClient, origin
from .errors import ResultFileError, UploadUncertain, WacheckError
from .job import fetch_results
from .journal import DOWNLOADED, INTENT, Job, Journal, fingerprint
from .records import CheckResult, TaskStatus
from .results import parse_results
from .store import StorageError


def job_fingerprint(client: ApiClient, numbers: Sequence[str]) -> str:
    scheme, host, port = origin(client.base_url)
    return fingerprint(numbers, client.user_id, f"{scheme}://{host}:{port}")


def open_job(
    journal: Journal, client: ApiClient, numbers: Sequence[str], key: str | None = None
) -> Job | None:
    """The unfinished job for exactly these numbers, if a previous run left one. ``key`` is
    their :func:`job_fingerprint` when the caller already has it."""
    return journal.find_open(key or job_fingerprint(client, numbers))


def run_job(
    client: ApiClient,
    journal: Journal,
    numbers: Sequence[str],
    *,
    target: dict[str, Any],
    front_end: str,
    key: str | None = None,
    on_created: Callable[[TaskStatus], None] | None = None,
    **poll: Any,
) -> tuple[Job, dict[str, CheckResult]]:
    """Results for ``numbers`` through the journal: a new task, or the one already paid for."""
    job = journal.claim(
        key or job_fingerprint(client, numbers),
        api_origin=client.base_url,
        user_id=client.user_id,
        numbers=len(numbers),
        target=target,
        front_end=front_end,
    )
    return drive(client, journal, job, numbers, on_created=on_created, **poll)


def finish_job(
    client: ApiClient, journal: Journal, job_id: int, **poll: Any
) -> tuple[Job, dict[str, CheckResult]]:
    """Finish a job that already has a task (``xl-wacheck resume``/``fetch``)."""
    job = journal.claim_id(job_id)
    if not job.task_id:
        journal.release(job.id)
        raise WacheckError(f"Job {job_id} has no task ID yet; see 'xl-wacheck tasks'.")
    return drive(client, journal, job, (), **poll)


def drive(
    client: ApiClient,
    journal: Journal,
    job: Job,
    numbers: Sequence[str],
    *,
    on_created: Callable[[TaskStatus], None] | None = None,
    **poll: Any,
) -> tuple[Job, dict[str, CheckResult]]:
    """Take a claimed job from wherever it stopped to parsed results."""
    try:
        if job.state == DOWNLOADED and job.result_file:
            stored = _stored_results(job)
            if stored is not None:
                return job, stored
        if job.state == INTENT:
            start = _create(client, journal, job, numbers)
            if on_created is not None:
                on_created(start)
        else:
            start = job.as_status()
        data = fetch_results(
            client, start, on_status=lambda status: journal.record_status(job.id, status), **poll
        )
        path = journal.save_result(job.id, data)
        results = parse_results(data)  # a corrupt file leaves the job resumable
        journal.mark_downloaded(job.id, path)
        return journal.get(job.id) or job, results
    except BaseException:
        journal.release(job.id)
        raise


def _create(client: ApiClient, journal: Journal, job: Job, numbers: Sequence[str]) -> TaskStatus:
    try:
        created = client.create_task(numbers)
    except UploadUncertain:
        raise  # the intent stays: the next run reports it instead of uploading again
    except WacheckError:
        journal.abandon(job.id)  # refused or never sent: nothing was created
        raise
    try:
        journal.record_task(job.id, created)
    except StorageError as error:
        raise StorageError(
            f"{error} Task {created.task_id} was created and paid for but could not be "
            f"recorded; once there is space, run 'xl-wacheck resume {job.id} --task-id "
            f"{created.task_id}'."
        ) from error
    return created


def _stored_results(job: Job) -> dict[str, CheckResult] | None:
    try:
        return parse_results(Path(job.result_file or "").read_bytes())
    except (OSError, ResultFileError):
        return None  # fetch it again from the task
