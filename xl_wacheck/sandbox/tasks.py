"""The sandbox's task model: what a task looks like at a given simulated moment.

Kept apart from HTTP so the life cycle (pending → processing with growing counts →
completed → exported, or failed) is a plain function of time, and a virtual clock can
replay a 29-minute task in milliseconds.
"""

from __future__ import annotations

import bisect
import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from . import verdicts

_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuv"  # the vendor's IDs look like base32hex
_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Timing:
    """Simulated seconds for each stage, and the processing speed."""

    speed: float = 11.5  # numbers per second, as in the vendor's own example
    pending: float = 2.0
    linger: float = 3.0  # completed, not yet exported
    fail_tasks: bool = False  # every task fails half way


@dataclass
class Task:
    task_id: str
    user_id: str
    numbers: list[str]
    created: float  # simulated seconds
    timing: Timing
    failing_positions: list[int] = field(default_factory=list)
    #: Each number's verdicts.digest, worked out once at creation.
    digests: list[bytes] = field(default_factory=list, repr=False)

    @classmethod
    def create(cls, user_id: str, numbers: list[str], now: float, timing: Timing) -> Task:
        task_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(20))
        digests = list(map(verdicts.digest, numbers))
        failing = [
            i for i, pair in enumerate(zip(numbers, digests, strict=True)) if verdicts.fails(*pair)
        ]
        return cls(task_id, user_id, numbers, now, timing, failing, digests)

    @property
    def processing_ends(self) -> float:
        return self.created + self.timing.pending + len(self.numbers) / self.timing.speed

    def state(self, now: float) -> dict[str, Any]:
        """The status JSON at simulated time ``now`` (without ``result_url``)."""
        elapsed = max(0.0, now - self.created)
        timing = self.timing
        total = len(self.numbers)
        if elapsed < timing.pending:
            status, total, processed = "pending", 0, 0
        else:
            processed = min(total, int((elapsed - timing.pending) * timing.speed))
            if now < self.processing_ends:
                status = "processing"
            elif now < self.processing_ends + timing.linger:
                status = "completed"
            else:
                status = "exported"
            if timing.fail_tasks and processed * 2 >= total:
                status, processed = "failed", (total + 1) // 2
        failure = bisect.bisect_left(self.failing_positions, processed)
        answer: dict[str, Any] = {
            "created_at": _stamp(self.created),
            "updated_at": _stamp(self.created + elapsed),
            "task_id": self.task_id,
            "user_id": self.user_id,
            "status": status,
            "total": total,
            "success": processed - failure,
            "failure": failure,
            "simulated": True,
        }
        if status == "failed":
            answer["message"] = "simulated failure: the checking worker stopped"
        return answer

    def results(self) -> list[verdicts.CheckResult]:
        failing = set(self.failing_positions)
        digests = self.digests or [verdicts.digest(n) for n in self.numbers]
        return [
            verdicts.verdict(number, digest)
            for i, (number, digest) in enumerate(zip(self.numbers, digests, strict=True))
            if i not in failing
        ]


def _stamp(seconds: float) -> str:
    """RFC 3339 with nanoseconds and 'Z', as the vendor writes them."""
    moment = _EPOCH + dt.timedelta(seconds=seconds)
    nanos = moment.microsecond * 1000 + int(seconds * 1e9) % 1000
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"
