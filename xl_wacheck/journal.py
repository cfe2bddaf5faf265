"""The task journal: every charged task is written down before anything else happens.

A job is recorded as an *intent* (a fingerprint of the number set and the target) before the
upload, gets its task ID the moment the API returns it, then every status, the downloaded
result file, and when a front-end applied it. After a crash any front-end finds the job by
its fingerprint and resumes the same task instead of paying for a new one. An intent without
a task ID means the upload may have gone through: it is reported, never silently re-sent.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import WacheckError
from .records import COMPLETED, EXPORTED, FAILED, PENDING, TaskStatus
from .store import Store, storage_error

INTENT, CREATED, DOWNLOADED, APPLIED, FAILED_STATE, ABANDONED = (
    "intent",
    "created",
    "downloaded",
    "applied",
    "failed",
    "abandoned",
)
OPEN_STATES = (INTENT, CREATED, DOWNLOADED)


class JobBusy(WacheckError):
    """Another live process is already working on the same job."""

    exit_code = 3


class UploadMayHaveHappened(WacheckError):
    """A crash left an intent without a task ID: the task may exist and be charged."""

    exit_code = 3


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    fingerprint: str
    state: str
    task_id: str | None
    numbers: int
    status: str | None
    total: int
    success: int
    failure: int
    target: dict[str, Any]
    front_end: str
    result_file: str | None
    owner_pid: int | None
    created_at: float
    updated_at: float
    message: str | None

    def as_status(self) -> TaskStatus:
        """The last status seen, as a starting point for resumed polling. An old
        ``exported`` counts as ``completed``: its result link may have expired, so one
        fresh status call is needed anyway."""
        status = COMPLETED if self.status == EXPORTED else (self.status or PENDING)
        return TaskStatus(self.task_id or "", status, self.total, self.success, self.failure)


def fingerprint(numbers: Iterable[str], user_id: str, api_origin: str) -> str:
    """Same numbers (in any order), same account, same API → same job."""
    digest = hashlib.sha256(f"{api_origin}\n{user_id}\n".encode())
    ordered = sorted(numbers)
    if ordered:  # one line per number, hashed in one call (a million calls cost a second)
        digest.update(("\n".join(ordered) + "\n").encode())
    return digest.hexdigest()


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (killed, not yet reaped) is not alive
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


class Journal:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    # -- reading ---------------------------------------------------------------------------

    def get(self, job_id: int) -> Job | None:
        with self.store.connect() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def by_task(self, task_id: str) -> Job | None:
        with self.store.connect() as db:
            row = db.execute("SELECT * FROM jobs WHERE task_id = ?", (task_id,)).fetchone()
        return _job(row) if row else None

    def jobs(self, limit: int = 50) -> list[Job]:
        with self.store.connect() as db:
            rows = db.execute("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [_job(row) for row in rows]

    def statuses(self, job_id: int) -> list[str]:
        with self.store.connect() as db:
            rows = db.execute(
                "SELECT status FROM statuses WHERE job_id = ? ORDER BY rowid", (job_id,)
            ).fetchall()
        return [row["status"] for row in rows]

    def find_open(self, fingerprint: str) -> Job | None:
        with self.store.connect() as db:
            row = _open_row(db, fingerprint)
        return _job(row) if row else None

    # -- the life of a job -----------------------------------------------------------------

    def claim(
        self,
        fingerprint: str,
        *,
        api_origin: str,
        user_id: str,
        numbers: int,
        target: dict[str, Any],
        front_end: str,
    ) -> Job:
        """The open job for this fingerprint, taken over by this process, or a new intent.

        Raises :class:`JobBusy` if a live process holds it, and
        :class:`UploadMayHaveHappened` if a dead one left an intent without a task ID.
        """
        now = time.time()
        with self.store.connect() as db:
            row = _open_row(db, fingerprint)
            if row is not None:
                job = _job(row)
                if job.owner_pid != os.getpid() and pid_alive(job.owner_pid):
                    raise JobBusy(
                        f"These numbers are already being checked (job {job.id}, process "
                        f"{job.owner_pid}); the results will land when it finishes."
                    )
                if job.state == INTENT:
                    raise UploadMayHaveHappened(
                        f"An earlier run of job {job.id} stopped while uploading, so its task "
                        "may exist and be charged. If the vendor's dashboard shows it, run "
                        f"'xl-wacheck resume {job.id} --task-id ID'; if not, run "
                        f"'xl-wacheck tasks --abandon {job.id}' and check again."
                    )
                db.execute(
                    "UPDATE jobs SET owner_pid = ?, updated_at = ? WHERE id = ?",
                    (os.getpid(), now, job.id),
                )
                return _job(db.execute("SELECT * FROM jobs WHERE id = ?", (job.id,)).fetchone())
            cursor = db.execute(
                "INSERT INTO jobs (fingerprint, api_origin, user_id, numbers, target, front_end,"
                " state, owner_pid, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    fingerprint,
                    api_origin,
                    user_id,
                    numbers,
                    json.dumps(target),
                    front_end,
                    INTENT,
                    os.getpid(),
                    now,
                    now,
                ),
            )
            return _job(
                db.execute("SELECT * FROM jobs WHERE id = ?", (cursor.lastrowid,)).fetchone()
            )

    def claim_id(self, job_id: int) -> Job:
        """Take over one job by its number (unless a live process holds it)."""
        with self.store.connect() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                raise WacheckError(f"There is no job {job_id}; see 'xl-wacheck tasks'.")
            job = _job(row)
            if job.owner_pid != os.getpid() and pid_alive(job.owner_pid):
                raise JobBusy(f"Job {job_id} is being worked on by process {job.owner_pid}.")
            db.execute("UPDATE jobs SET owner_pid = ? WHERE id = ?", (os.getpid(), job_id))
        return job

    def record_task(self, job_id: int, status: TaskStatus) -> None:
        """The task ID, the moment the API returned it. Nothing else may come first."""
        self._update(job_id, state=CREATED, task_id=status.task_id)
        self.record_status(job_id, status)

    def record_status(self, job_id: int, status: TaskStatus) -> None:
        now = time.time()
        with self.store.connect() as db:
            db.execute(
                "INSERT INTO statuses (job_id, seen_at, status, total, success, failure) "
                "VALUES (?,?,?,?,?,?)",
                (job_id, now, status.status, status.total, status.success, status.failure),
            )
            state = FAILED_STATE if status.status == FAILED else None
            db.execute(
                "UPDATE jobs SET status = ?, total = ?, success = ?, failure = ?, message = ?,"
                " state = COALESCE(?, state), updated_at = ? WHERE id = ?",
                (
                    status.status,
                    status.total,
                    status.success,
                    status.failure,
                    status.message,
                    state,
                    now,
                    job_id,
                ),
            )

    def save_result(self, job_id: int, data: bytes) -> Path:
        """Keep the downloaded file, so applying it again never costs another call."""
        folder = self.store.results_folder()
        path = folder / f"job-{job_id}.bin"
        temporary = path.with_suffix(".part")
        try:
            temporary.write_bytes(data)
            os.replace(temporary, path)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise storage_error(error, folder) from error
        return path

    def mark_downloaded(self, job_id: int, path: Path) -> None:
        self._update(job_id, state=DOWNLOADED, result_file=str(path), status=EXPORTED)

    def mark_applied(self, job_id: int) -> None:
        self._update(job_id, state=APPLIED, applied_at=time.time(), owner_pid=None)

    def release(self, job_id: int) -> None:
        """This process stops working on the job (it stays open for a later resume)."""
        self._update(job_id, owner_pid=None)

    def attach_task(self, job_id: int, task_id: str) -> None:
        """The user found the task of an uncertain upload (e.g. on the vendor's dashboard)."""
        job = self.get(job_id)
        if job is None or job.state != INTENT:
            raise WacheckError(f"Job {job_id} is not waiting for a task ID.")
        self._update(job_id, state=CREATED, task_id=task_id, status="pending")

    def hand_over(self, job_id: int, pid: int) -> None:
        """The launcher gives a job to the worker it started (unless it already took it)."""
        with self.store.connect() as db:
            db.execute(
                "UPDATE jobs SET owner_pid = ? WHERE id = ? AND owner_pid IS NULL", (pid, job_id)
            )

    def set_target(self, job_id: int, target: dict[str, Any]) -> None:
        self._update(job_id, target=json.dumps(target))

    def abandon(self, job_id: int) -> None:
        self._update(job_id, state=ABANDONED, owner_pid=None)

    def _update(self, job_id: int, **fields: Any) -> None:
        fields["updated_at"] = time.time()
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self.store.connect() as db:
            db.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", (*fields.values(), job_id))


def _open_row(db: Any, fingerprint: str) -> Any:
    return db.execute(
        "SELECT * FROM jobs WHERE fingerprint = ? AND state IN (?, ?, ?) ORDER BY id DESC LIMIT 1",
        (fingerprint, *OPEN_STATES),
    ).fetchone()


def _job(row: Any) -> Job:
    """A row of the jobs table as a Job (every field of Job is a column of the same name)."""
    values = {name: row[name] for name in Job.__dataclass_fields__}
    values["target"] = json.loads(values["target"] or "{}")
    return Job(**values)
