"""Small immutable records that cross module boundaries.

Dicts stop at the JSON and file boundaries; everything past them is one of these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple

#: The task life cycle as the vendor documents it, plus ``failed`` from its sister API.
PENDING, PROCESSING, COMPLETED, EXPORTED, FAILED = (
    "pending",
    "processing",
    "completed",
    "exported",
    "failed",
)
TERMINAL = frozenset({EXPORTED, FAILED})


@dataclass(frozen=True, slots=True)
class TaskStatus:
    """One answer of the create or status call."""

    task_id: str
    status: str
    total: int = 0
    success: int = 0
    failure: int = 0
    user_id: str = ""
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    result_url: str | None = None
    message: str | None = None
    #: Everything else the API sent, kept for the journal and for debugging.
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def done(self) -> int:
        return self.success + self.failure

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL


class CheckResult(NamedTuple):
    """What the API found out about one number.

    A named tuple rather than a frozen dataclass: a result file holds up to a million of
    these, and a frozen dataclass's ``__init__`` costs several times a tuple's."""

    number: str
    whatsapp: bool | None
    signature: str = ""
    #: A date when the file held a date (or an ISO date string), the raw text otherwise.
    status_update: dt.date | str | None = None


@dataclass(frozen=True, slots=True)
class Balance:
    """The vendor's balance call, shown before the user confirms a charge."""

    balance: float | None
    credit: float | None = None
    used_today: float | None = None
    daily_limit: float | None = None
    reset_time: str | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """What a progress callback is told after each status call."""

    status: str
    done: int
    total: int
    #: Seconds until the task should be exported, when the rate is known.
    eta: float | None
    calls: int
