"""A virtual clock: lets the sandbox and the poller replay hours of a task in milliseconds.

The sandbox reads ``clock.now``; the poller calls ``clock.sleep`` instead of ``time.sleep``,
which only moves the hands forward. Both sides then agree on what time it is.
"""

from __future__ import annotations

import threading


class VirtualClock:
    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)
