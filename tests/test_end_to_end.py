"""Plan → sandbox → results → rows, over real HTTP on loopback with no mocked parts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from xl_wacheck.errors import ResultLinkExpired, TaskFailed
from xl_wacheck.job import run_task
from xl_wacheck.plan import NOT_PROCESSED, ResultRow, plan_rows
from xl_wacheck.policy import PollPolicy
from xl_wacheck.records import TaskStatus
from xl_wacheck.sandbox import Faults, Sandbox, Timing
from xl_wacheck.sandbox.verdicts import fails, verdict

from .conftest import client_for

MakeSandbox = Callable[..., Sandbox]
QUICK = PollPolicy(first=0.05, latency=0.5)
COLUMN = [
    "+41 79 828 46 51",
    41798284651.0,
    "0041798284651",
    None,
    "n/a",
    "079 555 12 34",
    "(415) 555-2671",
    "#N/A",
    "+14155552671",
] + [f"+4474001{i:05d}" for i in range(60)]


def expected_row(number: str) -> ResultRow:
    if fails(number):
        return ResultRow(note=NOT_PROCESSED)
    result = verdict(number)
    return ResultRow(
        "yes" if result.whatsapp else "no", result.signature or None, result.status_update
    )


def check(sandbox: Sandbox, values: list[object], region: str | None = "CH") -> list[ResultRow]:
    plan = plan_rows(values, region)
    created: list[TaskStatus] = []
    results = run_task(
        client_for(sandbox), plan.to_upload(), policy=QUICK, on_created=created.append
    )
    assert len(created) == 1
    return plan.result_rows(results)


def test_every_row_gets_the_right_answer_and_one_task_is_charged(sandbox: Sandbox) -> None:
    rows = check(sandbox, COLUMN)
    swiss = expected_row("+41798284651")
    assert rows[:3] == [swiss, swiss, swiss]
    assert rows[3] == ResultRow()
    assert rows[4] == ResultRow(note="not a phone number")
    assert rows[5] == expected_row("+41795551234")
    assert rows[6].note == "wrong number of digits for CH (+41)"  # a US number, region CH
    assert rows[7] == ResultRow(note="Excel error #N/A")
    assert rows[8] == expected_row("+14155552671")
    assert rows[9:] == [expected_row(f"+4474001{i:05d}") for i in range(60)]
    assert any(row.note == NOT_PROCESSED for row in rows[9:])  # some simulated failures
    [task] = sandbox.tasks.values()
    assert len(task.numbers) == len(set(task.numbers)) == 63
    assert "n/a" not in task.numbers and sandbox.charged("create") == 1


def test_formula_like_signatures_arrive_as_plain_text(sandbox: Sandbox) -> None:
    numbers = [f"+4474001{i:05d}" for i in range(400)]
    rows = check(sandbox, numbers)
    signatures = {row.signature for row in rows}
    assert '=HYPERLINK("http://example.com","click me")' in signatures
    assert {"+1 call me", "-2+3", "@SUM(1)"} <= signatures
    assert all(isinstance(row.status_update, dt.date | None) for row in rows)


@pytest.mark.parametrize(
    "faults",
    [
        Faults(burst_500=2),
        Faults(reset=0, rate_limit=2, retry_after=0.01),
        Faults(result_format="csv"),
        Faults(result_format="zip"),
        Faults(result_format="zip-csv", numeric_numbers=True, shuffled_columns=True),
        Faults(foreign_results=True, slow=0.01),
        Faults(expired_links=1),
    ],
    ids=["500s", "429s", "csv", "zip", "zip-csv-quirks", "foreign-host", "expired-link"],
)
def test_results_survive_adversarial_servers(make_sandbox: MakeSandbox, faults: Faults) -> None:
    sandbox = make_sandbox(faults=faults)
    rows = check(sandbox, COLUMN)
    assert rows[0] == expected_row("+41798284651")
    assert rows[9:] == [expected_row(f"+4474001{i:05d}") for i in range(60)]
    assert len(sandbox.tasks) == 1
    assert not any(e.with_key for e in sandbox.log if e.server == "results")


def test_an_expired_link_costs_one_more_status_call_not_a_new_task(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = make_sandbox(faults=Faults(expired_links=1))
    check(sandbox, ["+41798284651"])
    calls = [(e.endpoint, e.status) for e in sandbox.log]
    assert calls[-3:] == [("download", 403), ("status", 200), ("download", 200)]
    assert sandbox.charged("create") == 1


def test_links_that_keep_expiring_end_in_a_clear_error(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(faults=Faults(link_ttl=0.0))
    with pytest.raises(ResultLinkExpired, match="running the same check again"):
        check(sandbox, ["+41798284651"])
    assert [e.status for e in sandbox.log if e.endpoint == "download"] == [403, 403, 403]


def test_a_failed_task_raises_and_is_not_recreated(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(timing=Timing(speed=200, pending=0.05, linger=0.05, fail_tasks=True))
    with pytest.raises(TaskFailed, match="simulated failure"):
        check(sandbox, [f"+4474001{i:05d}" for i in range(50)])
    assert sandbox.charged("create") == 1


def test_an_instant_task_exported_at_creation_is_fetched(make_sandbox: MakeSandbox) -> None:
    """The create answer may already say 'exported', without a link: one status call more."""
    sandbox = make_sandbox(timing=Timing(speed=1e9, pending=0.0, linger=0.0))
    rows = check(sandbox, ["+41798284651"])
    assert rows == [expected_row("+41798284651")]
    assert sandbox.charged("status") == 1
