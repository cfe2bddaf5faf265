"""What the command line shows a person: the plan at a glance, a progress bar, a summary.

Progress goes to stderr and only when it is a terminal, so piped or scheduled runs stay
quiet; results and the summary go to stdout.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .plan import PlanCounts
from .records import Balance, Progress


def plan_text(counts: PlanCounts, balance: Balance | None) -> str:
    lines = [
        f"Rows: {counts.rows:,}  (blank {counts.blank:,}, invalid {counts.invalid:,}, "
        f"duplicates {counts.duplicates:,})",
        f"Numbers to check and be charged for: {counts.to_charge:,}",
    ]
    if balance is not None and balance.balance is not None:
        lines.append(f"Account balance: {balance.balance:,.2f} USD")
    return "\n".join(lines)


def ask(question: str, stream: TextIO = sys.stdin) -> bool:
    if not stream.isatty():
        return False
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    return stream.readline().strip().lower() in ("y", "yes")


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


class ProgressBar:
    """A one-line bar with done/total and ETA, redrawn in place; silent off a terminal."""

    def __init__(self, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.enabled = stream.isatty()
        self._last = 0.0

    def __call__(self, progress: Progress) -> None:
        if not self.enabled:
            return
        total = max(progress.total, 1)
        share = min(progress.done / total, 1.0) if progress.total else 0.0
        filled = int(share * self.width)
        eta = f" · ~{_duration(progress.eta)} left" if progress.eta else ""
        line = (
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {progress.done:,}/"
            f"{progress.total:,} {progress.status}{eta}"
        )
        self.stream.write(line.ljust(78))
        self.stream.flush()
        self._last = time.monotonic()

    def close(self) -> None:
        if self.enabled and self._last:
            self.stream.write("\n")
            self.stream.flush()
