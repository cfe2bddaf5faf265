"""The whole job on a column of values, for every front-end: plan, confirm, one task, rows.

Front-ends read cells and write rows; everything between — what to upload, whether the user
agreed to the charge, the task itself, and the answer for every row — happens here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .api import ApiClient
from .errors import WacheckError
from .job import run_task
from .plan import NOT_PROCESSED, Plan, PlanCounts, ResultRow, plan_rows
from .records import CheckResult


class Cancelled(WacheckError):
    """The user said no at the confirmation; nothing was uploaded or charged."""

    exit_code = 130


@dataclass(frozen=True, slots=True)
class Summary:
    """Row counts for the closing line: what the sales person wants to know."""

    on_whatsapp: int
    not_on_whatsapp: int
    invalid: int
    not_processed: int
    blank: int

    def sentence(self) -> str:
        return (
            f"{self.on_whatsapp:,} on WhatsApp, {self.not_on_whatsapp:,} not, "
            f"{self.invalid:,} invalid, {self.not_processed:,} not processed"
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    plan: Plan
    rows: list[ResultRow]
    counts: PlanCounts
    summary: Summary
    task_id: str | None
    results: dict[str, CheckResult]


def summarise(rows: Iterable[ResultRow], counts: PlanCounts) -> Summary:
    yes = no = missing = 0
    for row in rows:
        if row.whatsapp == "yes":
            yes += 1
        elif row.whatsapp == "no":
            no += 1
        elif row.note == NOT_PROCESSED:
            missing += 1
    return Summary(yes, no, counts.invalid, missing, counts.blank)


def check_values(
    values: Iterable[object],
    client: ApiClient,
    *,
    region: str | None = None,
    confirm: Callable[[PlanCounts], bool] | None = None,
    **poll: Any,
) -> Outcome:
    """Check every value; ``confirm`` sees the counts before anything is charged."""
    plan = plan_rows(values, region)
    counts = plan.counts()
    if confirm is not None and counts.to_charge and not confirm(counts):
        raise Cancelled("Cancelled; nothing was uploaded or charged.")
    numbers = plan.to_upload()
    task_ids: list[str] = []
    results: dict[str, CheckResult] = {}
    if numbers:
        user_hook = poll.pop("on_created", None)

        def on_created(status: Any) -> None:
            task_ids.append(status.task_id)
            if user_hook is not None:
                user_hook(status)

        results = run_task(client, numbers, on_created=on_created, **poll)
    rows = plan.result_rows(results)
    return Outcome(
        plan, rows, counts, summarise(rows, counts), task_ids[0] if task_ids else None, results
    )
