"""Patience with a busy Excel: retry a rejected call with backoff until a deadline.

While the user edits a cell, Excel rejects every automation call. xlwings on Windows
retries those forever in a tight loop; here each call is retried with growing pauses and
gives up with a plain sentence when the deadline passes — the results stay in the journal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from ..errors import WacheckError
from .port import ExcelBusy

T = TypeVar("T")


class ExcelStayedBusy(WacheckError):
    """Excel kept rejecting calls until the deadline."""


def patiently(
    call: Callable[[], T],
    *,
    deadline: float = 600.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    give_up = clock() + deadline
    pause = 0.2
    while True:
        try:
            return call()
        except ExcelBusy:
            if clock() >= give_up:
                raise ExcelStayedBusy(
                    "Excel stayed busy (a cell being edited or a dialog open); the results "
                    "are kept — click Refresh results when Excel is free."
                ) from None
            sleep(pause)
            pause = min(pause * 2, 5.0)
