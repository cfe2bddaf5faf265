"""The polling policy on synthetic histories, and replays of whole tasks over real HTTP."""

from __future__ import annotations

import pytest

from xl_wacheck.policy import Observation, PollPolicy, observed_rate
from xl_wacheck.records import TaskStatus
from xl_wacheck.sandbox import Timing
from xl_wacheck.sandbox.replay import FixedPolicy, replay

POLICY = PollPolicy()


def seen(at: float, status: str, total: int = 0, success: int = 0, failure: int = 0) -> Observation:
    return Observation(at, TaskStatus("t", status, total, success, failure))


def test_first_wait_is_short() -> None:
    assert POLICY.next_wait([]) == POLICY.first
    assert POLICY.next_wait([seen(0, "pending")]) == POLICY.first


def test_blind_waits_grow_with_elapsed_time_but_are_capped() -> None:
    assert POLICY.next_wait([seen(0, "pending"), seen(10, "pending")]) == pytest.approx(3.5)
    long_queue = [seen(0, "pending"), seen(10_000, "pending")]
    assert POLICY.next_wait(long_queue) == POLICY.max_blind


def test_rate_comes_from_processing_observations_only() -> None:
    history = [
        seen(0, "pending"),
        seen(4, "processing", 20_000, 10),
        seen(8, "processing", 20_000, 50, 6),
    ]
    assert observed_rate(history) == pytest.approx(46 / 4)
    assert observed_rate(history[:2]) is None


def test_a_long_task_jumps_most_of_the_way_to_its_estimated_end() -> None:
    history = [seen(4, "processing", 20_000, 0), seen(8, "processing", 20_000, 46)]
    eta = (20_000 - 46) / 11.5
    assert POLICY.eta(history) == pytest.approx(eta)
    assert POLICY.next_wait(history) == pytest.approx(eta * POLICY.aim)


def test_close_to_the_end_it_waits_just_past_the_estimate() -> None:
    history = [seen(0, "processing", 1000, 0), seen(10, "processing", 1000, 900)]
    assert POLICY.next_wait(history) == pytest.approx(100 / 90 + POLICY.first)


def test_completed_backs_off_up_to_half_the_latency() -> None:
    history = [seen(0, "processing", 10, 5)]
    waits = []
    for second in range(1, 9):
        history.append(seen(second, "completed", 10, 10))
        waits.append(POLICY.next_wait(history))
    assert waits[:4] == [1, 2, 4, 8]
    assert max(waits) == POLICY.latency / 2


def test_all_numbers_done_while_still_processing_counts_as_finishing() -> None:
    history = [seen(0, "processing", 10, 5), seen(1, "processing", 10, 8, 2)]
    assert POLICY.next_wait(history) == POLICY.first


def test_finished_task_needs_no_more_calls() -> None:
    done = Observation(0, TaskStatus("t", "exported", 1, 1, result_url="http://x/r.xlsx"))
    assert POLICY.next_wait([done]) == 0
    assert POLICY.next_wait([seen(0, "failed")]) == 0


def test_exported_without_a_link_needs_one_more_call() -> None:
    assert POLICY.next_wait([seen(0, "exported", 1, 1)]) == POLICY.first


def test_vendor_example_costs_a_handful_of_calls_and_is_noticed_within_30_s() -> None:
    """The vendor's 20,000 numbers in ~29 minutes, replayed on a virtual clock."""
    ours = replay(20_000)
    naive = replay(20_000, FixedPolicy(every=5.0))
    print(
        f"\nadaptive: {ours.status_calls} calls, noticed {ours.detection_delay:.1f} s late; "
        f"fixed 5 s: {naive.status_calls} calls, {naive.detection_delay:.1f} s late"
    )
    assert 25 * 60 < ours.duration < 32 * 60
    assert ours.status_calls <= 15
    assert 0 <= ours.detection_delay <= 30
    assert naive.status_calls > 300


def test_a_five_second_task_is_noticed_within_about_a_second() -> None:
    outcome = replay(30, timing=Timing(speed=11.5, pending=1.0, linger=1.0))
    assert outcome.duration == pytest.approx(30 / 11.5 + 2)
    assert outcome.detection_delay <= 1.5


def test_a_long_queue_before_processing_stays_affordable() -> None:
    outcome = replay(20_000, timing=Timing(pending=600.0, linger=60.0))
    assert outcome.status_calls <= 40
    assert outcome.detection_delay <= 30
