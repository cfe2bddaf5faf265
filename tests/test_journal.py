"""The journal and the cache on their own: states, claims, and what survives a crash."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from xl_wacheck.cache import ResultCache
from xl_wacheck.journal import (
    APPLIED,
    CREATED,
    DOWNLOADED,
    INTENT,
    JobBusy,
    Journal,
    UploadMayHaveHappened,
    fingerprint,
    pid_alive,
)
from xl_wacheck.records import CheckResult, TaskStatus
from xl_wacheck.store import StorageError, Store

ORIGIN = "https://api.example"


def claim(journal: Journal, print_: str = "f1"):
    return journal.claim(
        print_,
        api_origin=ORIGIN,
        user_id="u",
        numbers=3,
        target={"kind": "file", "file": "/x.xlsx"},
        front_end="cli",
    )


def test_fingerprint_ignores_order_but_not_account() -> None:
    a = fingerprint(["+1", "+2"], "u", ORIGIN)
    assert a == fingerprint(["+2", "+1"], "u", ORIGIN)
    assert a != fingerprint(["+2", "+1"], "v", ORIGIN)
    assert a != fingerprint(["+2", "+1", "+3"], "u", ORIGIN)


def test_fingerprint_is_stable_across_versions() -> None:
    """Journals written by an earlier version must still find their open jobs."""
    numbers = ["+41791234567", "+12025550123", "+447400123456"]
    assert fingerprint(numbers, "u", ORIGIN) == (
        "743c82281a42a88aba888dd84c0b8d9630fc23f7fefba4a5e66f1785d33d2b1c"
    )


def test_a_job_goes_from_intent_to_applied() -> None:
    journal = Journal()
    job = claim(journal)
    assert job.state == INTENT and job.owner_pid == os.getpid()
    journal.record_task(job.id, TaskStatus("task1", "pending"))
    journal.record_status(job.id, TaskStatus("task1", "processing", 3, 1))
    assert journal.get(job.id).state == CREATED  # type: ignore[union-attr]
    path = journal.save_result(job.id, b"bytes")
    journal.mark_downloaded(job.id, path)
    assert journal.get(job.id).state == DOWNLOADED  # type: ignore[union-attr]
    journal.mark_applied(job.id)
    done = journal.get(job.id)
    assert done is not None and done.state == APPLIED and done.task_id == "task1"
    assert journal.statuses(job.id) == ["pending", "processing"]
    assert path.read_bytes() == b"bytes"


def test_the_same_process_gets_its_open_job_back() -> None:
    journal = Journal()
    first = claim(journal)
    journal.record_task(first.id, TaskStatus("task1", "pending"))
    again = claim(journal)
    assert again.id == first.id and again.task_id == "task1"


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_dead_owners_created_job_is_taken_over() -> None:
    journal = Journal()
    job = claim(journal)
    journal.record_task(job.id, TaskStatus("task1", "processing", 3, 1))
    journal._update(job.id, owner_pid=_dead_pid())
    taken = claim(journal)
    assert taken.id == job.id and taken.owner_pid == os.getpid()
    assert taken.as_status() == TaskStatus("task1", "processing", 3, 1)


def test_an_intent_left_by_a_dead_process_is_reported_not_resent() -> None:
    journal = Journal()
    job = claim(journal)
    journal._update(job.id, owner_pid=_dead_pid())
    with pytest.raises(UploadMayHaveHappened, match=f"xl-wacheck resume {job.id} --task-id"):
        claim(journal)
    journal.attach_task(job.id, "found-on-dashboard")
    assert claim(journal).task_id == "found-on-dashboard"


def test_a_live_owner_keeps_its_job() -> None:
    journal = Journal()
    job = claim(journal)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        journal._update(job.id, owner_pid=sleeper.pid)
        with pytest.raises(JobBusy, match="already being checked"):
            claim(journal)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not pid_alive(sleeper.pid)


def test_an_exported_status_resumes_as_completed_for_a_fresh_link() -> None:
    journal = Journal()
    job = claim(journal)
    journal.record_task(job.id, TaskStatus("t", "exported", 3, 3, result_url="http://old"))
    assert journal.get(job.id).as_status().status == "completed"  # type: ignore[union-attr]


def test_cache_returns_fresh_results_only_for_its_origin() -> None:
    store = Store()
    cache = ResultCache("https://api.example/", store)
    day = dt.date(2025, 1, 19)
    results = {
        "+41798284651": CheckResult("+41798284651", True, "=SUM(1)", day),
        "+14155552671": CheckResult("+14155552671", False, "", "last week"),
        "+442079460958": CheckResult("+442079460958", None),
    }
    cache.store_results(results, "task1")
    assert cache.fresh(list(results)).results == results
    assert cache.fresh(list(results), max_age_days=0).results == {}
    assert ResultCache("http://127.0.0.1:1", store).fresh(list(results)).results == {}
    with store.connect() as db:
        db.execute("UPDATE cache SET checked_at = checked_at - 31 * 86400")
    assert cache.fresh(list(results)).results == {}
    assert cache.fresh(list(results), max_age_days=40).results == results


def test_failed_numbers_are_remembered_for_a_day_at_most() -> None:
    store = Store()
    cache = ResultCache("https://api.example", store)
    cache.store_results({}, "task1", failed=["+41798284651"])
    known = cache.fresh(["+41798284651", "+14155552671"])
    assert "+41798284651" in known and "+14155552671" not in known
    assert known.results == {} and len(known) == 1
    with store.connect() as db:
        db.execute("UPDATE cache SET checked_at = checked_at - 2 * 86400")
    assert "+41798284651" not in cache.fresh(["+41798284651"])


def test_a_task_is_remembered_number_by_number() -> None:
    """What the task answered is cached, what it left out is 'failed', and a row the vendor
    added that was never sent is not taken as a fact about our numbers."""
    cache = ResultCache("https://api.example")
    day = dt.date(2025, 1, 19)
    sent = ["+41798284651", "+14155552671", "+442079460958"]
    answered = {
        "+41798284651": CheckResult("+41798284651", True, "Busy", day),
        "+442079460958": CheckResult("+442079460958", False),
        "+33612345678": CheckResult("+33612345678", True),
    }
    cache.store_task(sent, answered, "t")
    known = cache.fresh([*sent, "+33612345678"])
    assert known.results == {n: answered[n] for n in ("+41798284651", "+442079460958")}
    assert known.failed == {"+14155552671"}


def test_cache_handles_more_numbers_than_sqlite_parameters() -> None:
    cache = ResultCache("https://api.example")
    numbers = [f"+4179{i:07d}" for i in range(2500)]
    cache.store_results({n: CheckResult(n, True) for n in numbers}, "t")
    assert len(cache.fresh(numbers).results) == 2500


def test_an_unwritable_state_folder_is_one_sentence(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match=r"Cannot write to .*WACHECK_STATE_DIR"):
        Store(blocker / "state")
