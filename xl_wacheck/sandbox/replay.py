"""Replay a task of any size on a virtual clock, over real HTTP, to count status calls.

This is how the polling policy is judged against the vendor's own example (20,000 numbers
in about 29 minutes): the sandbox and the poller share a :class:`VirtualClock`, so hours
of task pass in milliseconds while every status call is a real, logged request.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..api import ApiClient
from ..policy import Observation, PollPolicy
from ..poller import wait_for_export
from .clock import VirtualClock
from .server import Sandbox
from .tasks import Timing


@dataclass(frozen=True, slots=True)
class FixedPolicy(PollPolicy):
    """The naive poller: the same wait every time, whatever the task is doing."""

    every: float = 5.0

    def next_wait(self, history: list[Observation]) -> float:  # type: ignore[override]
        return self.every


@dataclass(frozen=True, slots=True)
class ReplayOutcome:
    numbers: int
    status_calls: int
    #: Simulated seconds from the moment the task was exported to when the poller saw it.
    detection_delay: float
    #: Simulated seconds from upload to export.
    duration: float


def replay(
    numbers: int, policy: PollPolicy | None = None, timing: Timing | None = None
) -> ReplayOutcome:
    timing = timing or Timing()
    clock = VirtualClock()
    with Sandbox(timing=timing, clock=clock.now) as sandbox:
        client = ApiClient("sandbox", "replay", sandbox.url)
        created = client.create_task(f"+4179{i:07d}" for i in range(numbers))
        task = sandbox.tasks[created.task_id]
        wait_for_export(
            client.get_status,
            created.task_id,
            policy=policy or PollPolicy(),
            sleep=clock.sleep,
            clock=clock.now,
            start=created,
        )
        exported_at = task.processing_ends + timing.linger
        return ReplayOutcome(
            numbers=numbers,
            status_calls=sandbox.charged("status"),
            detection_delay=sandbox.now() - exported_at,
            duration=exported_at - task.created,
        )
