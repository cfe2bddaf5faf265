"""The small loop that sleeps, calls the status endpoint, and reports progress.

All decisions are :class:`~xl_wacheck.policy.PollPolicy`'s; this loop only does the I/O, so
the clock and the sleep are injectable and a replay on a virtual clock runs in milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .errors import TaskFailed
from .policy import Observation, PollPolicy
from .records import EXPORTED, FAILED, Progress, TaskStatus

ProgressCallback = Callable[[Progress], None]


def wait_for_export(
    get_status: Callable[[str], TaskStatus],
    task_id: str,
    *,
    policy: PollPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_progress: ProgressCallback | None = None,
    on_status: Callable[[TaskStatus], None] | None = None,
    start: TaskStatus | None = None,
) -> TaskStatus:
    """Poll until the task is ``exported`` and return that status; raise if it ``failed``.

    ``start`` is the answer that created (or last described) the task: it is the first
    observation, so the policy measures time from the upload.
    """
    policy = policy or PollPolicy()
    history: list[Observation] = []
    if start is not None:
        history.append(Observation(clock(), start))
    calls = 0
    while True:
        if history and _settled(history[-1].status):
            status = history[-1].status
        else:
            sleep(policy.next_wait(history))
            status = get_status(task_id)
            calls += 1
            history.append(Observation(clock(), status))
            if on_status is not None:
                on_status(status)
        if on_progress is not None:
            on_progress(
                Progress(status.status, status.done, status.total, _eta(policy, history), calls)
            )
        if status.status == FAILED:
            detail = f" The service said: {status.message}" if status.message else ""
            raise TaskFailed(f"The service marked task {task_id} as failed.{detail}")
        if status.status == EXPORTED and status.result_url:
            return status


def _settled(status: TaskStatus) -> bool:
    """Finished for good: failed, or exported *with* a link (an exported answer without one
    — a create answer, a resumed job — needs one more status call)."""
    return status.status == FAILED or (status.status == EXPORTED and bool(status.result_url))


def _eta(policy: PollPolicy, history: list[Observation]) -> float | None:
    if history[-1].status.status == EXPORTED:
        return 0.0
    return policy.eta(history)
