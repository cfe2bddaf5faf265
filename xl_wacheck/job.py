"""One charged task from upload to result bytes: create, poll, download.

The caller's ``on_created`` hook runs the moment the API returns a task ID and before
anything else, so a front-end can record the charged task first (principle 1). An expired
result link is renewed with one more status call instead of failing the paid task.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from .api import ApiClient
from .errors import ApiError, ResultLinkExpired
from .policy import PollPolicy
from .poller import ProgressCallback, wait_for_export
from .records import CheckResult, TaskStatus
from .results import parse_results

#: How many fresh links to ask for when the result link keeps expiring.
LINK_RENEWALS = 2


def run_task(
    client: ApiClient,
    numbers: Sequence[str],
    *,
    on_created: Callable[[TaskStatus], None] | None = None,
    **poll: Any,
) -> dict[str, CheckResult]:
    """Upload ``numbers`` as one task and return its results keyed by number."""
    created = client.create_task(numbers)
    if on_created is not None:
        on_created(created)
    return parse_results(fetch_results(client, created, **poll))


def fetch_results(
    client: ApiClient,
    start: TaskStatus,
    *,
    policy: PollPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_progress: ProgressCallback | None = None,
    on_status: Callable[[TaskStatus], None] | None = None,
) -> bytes:
    """Poll a task that exists (new or resumed) to the end and download its result file."""
    final = wait_for_export(
        client.get_status,
        start.task_id,
        policy=policy,
        sleep=sleep,
        clock=clock,
        on_progress=on_progress,
        on_status=on_status,
        start=start,
    )
    for renewal in range(LINK_RENEWALS + 1):
        if not final.result_url:
            raise ApiError(f"Task {final.task_id} is exported but the API gave no result link.")
        try:
            return client.download(final.result_url)
        except ResultLinkExpired:
            if renewal == LINK_RENEWALS:
                raise
            final = client.get_status(final.task_id)  # a fresh link (one more charged call)
            if on_status is not None:
                on_status(final)
    raise AssertionError("unreachable")  # pragma: no cover
