"""The whole job on a column of values, for every front-end: plan, confirm, one task, rows.

Front-ends read cells and write rows; everything between — what the cache already knows,
what to upload, whether the user agreed to the charge, the journaled task, and the answer for
every row — happens here. A front-end calls :meth:`Outcome.applied` once the rows are safely
written; only then is the job closed and its results cached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .api import ApiClient
from .cache import DEFAULT_MAX_AGE_DAYS, Known, ResultCache
from .errors import WacheckError
from .job import run_task
from .journal import Journal
from .plan import NOT_PROCESSED, Plan, PlanCounts, ResultRow, plan_rows
from .records import CheckResult
from .tracked import job_fingerprint, open_job, run_job


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
    job_id: int | None = None
    _on_applied: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    def applied(self) -> None:
        """The rows are written: close the job and remember the results."""
        if self._on_applied is not None:
            self._on_applied()


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
    values: Iterable[object], client: ApiClient, *, region: str | None = None, **options: Any
) -> Outcome:
    """Check every value; see :func:`check_plan` for the options."""
    return check_plan(plan_rows(values, region), client, **options)


def check_plan(
    plan: Plan,
    client: ApiClient,
    *,
    confirm: Callable[[PlanCounts], bool] | None = None,
    journal: Journal | None = None,
    cache: ResultCache | None = None,
    max_age_days: float = DEFAULT_MAX_AGE_DAYS,
    target: dict[str, Any] | None = None,
    front_end: str = "python",
    **poll: Any,
) -> Outcome:
    """Check a planned column; ``confirm`` sees the counts before anything new is charged.

    A front-end holding a million raw cells plans them first and lets them go, so they are
    not kept alive through the wait and the result file's parse. Without a journal (tests,
    quick scripts) the task is simply run; with one, an unfinished job for the same numbers
    is resumed without asking, since it is already paid for.
    """
    known = cache.fresh(plan.unique, max_age_days) if cache is not None else Known()
    counts = plan.counts(known)
    numbers = plan.to_upload(known)
    results: dict[str, CheckResult] = dict(known.results)
    task_id: str | None = None
    job_id: int | None = None
    if numbers:
        key = job_fingerprint(client, numbers) if journal is not None else None
        resuming = journal is not None and open_job(journal, client, numbers, key) is not None
        if confirm is not None and not resuming and not confirm(counts):
            raise Cancelled("Cancelled; nothing was uploaded or charged.")
        if journal is None:
            created: list[str] = []
            user_hook = poll.pop("on_created", None)

            def on_created(status: Any) -> None:
                created.append(status.task_id)
                if user_hook is not None:
                    user_hook(status)

            results.update(run_task(client, numbers, on_created=on_created, **poll))
            task_id = created[0] if created else None
        else:
            job, fetched = run_job(
                client,
                journal,
                numbers,
                target=target or {},
                front_end=front_end,
                key=key,
                **poll,
            )
            results.update(fetched)
            task_id, job_id = job.task_id, job.id
    rows = plan.result_rows(results)

    def on_applied() -> None:
        if job_id is not None and journal is not None:
            journal.mark_applied(job_id)
        if cache is not None and task_id is not None:
            cache.store_task(numbers, results, task_id)

    return Outcome(
        plan, rows, counts, summarise(rows, counts), task_id, results, job_id, on_applied
    )
