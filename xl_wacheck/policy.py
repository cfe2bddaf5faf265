"""When to ask again: the polling policy, pure (no I/O, no sleeping, no clock).

Every status call is charged, yet the user wants to know soon after the task is done. The
policy reads the history of (time, status) observations and answers "wait this long". While
the rate is unknown it waits a fraction of the time elapsed, so a 5-second task is noticed
within about a second and a queued one does not cost a call a second. Once two observations
show progress it estimates the finish from the observed rate and jumps most of the way
there, re-estimating on landing; near the end it waits just past the estimate, and while
the task is ``completed`` but not yet ``exported`` it backs off up to half the accepted
detection delay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .records import COMPLETED, EXPORTED, PROCESSING, TERMINAL, TaskStatus


@dataclass(frozen=True, slots=True)
class Observation:
    """A status seen at a moment (seconds on any monotonic clock)."""

    at: float
    status: TaskStatus


@dataclass(frozen=True, slots=True)
class PollPolicy:
    #: Shortest wait between two calls, and the first one after the upload.
    first: float = 1.0
    #: While blind, wait this fraction of the time elapsed since the first observation.
    blind_fraction: float = 0.35
    #: Longest blind wait: a stalled queue is still looked at this often.
    max_blind: float = 120.0
    #: Longest wait of all, however far the estimated finish.
    max_wait: float = 3600.0
    #: How late after the finish we may notice it.
    latency: float = 30.0
    #: Share of the estimated remaining time to sleep before looking again.
    aim: float = 0.85

    def next_wait(self, history: Sequence[Observation]) -> float:
        """Seconds to wait before the next status call (0 once the task is finished)."""
        if not history:
            return self.first
        last = history[-1]
        status = last.status
        if status.status in TERMINAL and (status.result_url or status.status != EXPORTED):
            return 0.0
        if _all_done(status):
            return self._finishing_wait(history)
        eta = self.eta(history)
        if eta is None:
            elapsed = last.at - history[0].at
            return _clamp(elapsed * self.blind_fraction, self.first, self.max_blind)
        if eta > self.latency:
            return _clamp(eta * self.aim, self.first, self.max_wait)
        return _clamp(eta + self.first, self.first, self.latency)

    def eta(self, history: Sequence[Observation]) -> float | None:
        """Estimated seconds until all numbers are processed, from the observed rate."""
        rate = observed_rate(history)
        if rate is None:
            return None
        last = history[-1].status
        return max(0.0, (last.total - last.done) / rate)

    def _finishing_wait(self, history: Sequence[Observation]) -> float:
        streak = 0
        for observation in reversed(history):
            if not _all_done(observation.status):
                break
            streak += 1
        return _clamp(self.first * 2 ** (streak - 1), self.first, self.latency / 2)


def observed_rate(history: Sequence[Observation]) -> float | None:
    """Numbers per second between the first and the last observation that show progress.

    Only processing observations count: ``pending`` says nothing about the speed, and the
    span between the first and the latest point smooths out a lumpy server.
    """
    points = [
        (o.at, o.status.done)
        for o in history
        if o.status.status == PROCESSING and o.status.total > 0
    ]
    if len(points) < 2:
        return None
    (t0, d0), (t1, d1) = points[0], points[-1]
    if t1 <= t0 or d1 <= d0:
        return None
    return (d1 - d0) / (t1 - t0)


def _all_done(status: TaskStatus) -> bool:
    return status.status == COMPLETED or (status.total > 0 and status.done >= status.total)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))
