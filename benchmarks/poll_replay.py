"""Replay tasks on a virtual clock and compare the adaptive poller with a fixed 5 s one.

Every status call is a real HTTP request to the sandbox (and would be charged by the real
API); only the clock is virtual, so a 24-hour task replays in seconds.
Run: python benchmarks/poll_replay.py [NUMBERS ...]
"""

from __future__ import annotations

import sys

from xl_wacheck.sandbox.replay import FixedPolicy, replay


def main(sizes: list[int]) -> None:
    print(
        f"{'numbers':>10} {'task length':>12} | {'adaptive calls':>14} {'late by':>8} | "
        f"{'fixed 5 s calls':>15} {'late by':>8}"
    )
    for size in sizes:
        ours = replay(size)
        naive = replay(size, FixedPolicy(every=5.0))
        print(
            f"{size:>10,} {ours.duration / 60:>10.1f} m | {ours.status_calls:>14} "
            f"{ours.detection_delay:>7.1f}s | {naive.status_calls:>15,} "
            f"{naive.detection_delay:>7.1f}s"
        )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [20_000, 1_000_000])
