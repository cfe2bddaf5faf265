"""The fault suite: the real CLI, as a process, against a misbehaving sandbox and kill -9.

For every fault the run ends in one clear sentence or in the right results, the journal
shows exactly one task, the sandbox's own request log shows exactly one task created, and
running again completes the job.
"""

from __future__ import annotations

import os
import random
import resource
import signal
import signal as _signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from xl_wacheck.journal import APPLIED, CREATED, DOWNLOADED, INTENT, Journal
from xl_wacheck.sandbox import Faults, Sandbox, Timing

from .test_end_to_end import expected_row
from .workbooks import rich_workbook

MakeSandbox = Callable[..., Sandbox]
KEY = "KEY-d0n7-l34k-7h15-s3cr3t"
PHONES: list[object] = [
    "+41 79 828 46 51",
    41798284651,
    "n/a",
    *[f"+4474001{i:05d}" for i in range(30)],
]
SLOW = Timing(speed=10.0, pending=0.3, linger=0.3)  # about 3.5 s of processing
QUICK = Timing(speed=500.0, pending=0.2, linger=0.2)


def env_for(sandbox: Sandbox, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "WACHECK_API_URL": sandbox.url,
        "WACHECK_API_KEY": KEY,
        "WACHECK_USER_ID": "sales-team",
        "WACHECK_TIMEOUT": "5",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "xl_wacheck", *args]


def run(sandbox: Sandbox, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = env_for(sandbox, **kwargs.pop("env", {}))  # type: ignore[arg-type]
    return subprocess.run(
        cli(*args), env=env, capture_output=True, text=True, timeout=120, **kwargs
    )  # type: ignore[call-overload]


def start(sandbox: Sandbox, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli(*args), env=env_for(sandbox), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def kill(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)


def wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def jobs_in(*states: str) -> Callable[[], bool]:
    return lambda: any(job.state in states for job in Journal().jobs())


@pytest.fixture
def leads(tmp_path: Path) -> Path:
    path = tmp_path / "leads.xlsx"
    rich_workbook(path, PHONES)
    return path


def assert_results_right(path: Path) -> None:
    sheet = openpyxl.load_workbook(path)["Leads"]
    assert [c.value for c in sheet[1]][5:9] == ["whatsapp", "signature", "status_update", "note"]
    for index, phone in enumerate(PHONES, start=2):
        whatsapp, signature, _, note = (c.value for c in sheet[index][5:9])
        if phone == "n/a":
            assert note == "not a phone number"
            continue
        number = "+41798284651" if "41798284651" in str(phone).replace(" ", "") else phone
        want = expected_row(str(number))
        assert (whatsapp, signature, note) == (want.whatsapp, want.signature, want.note)


def assert_one_task(sandbox: Sandbox) -> None:
    created = [e for e in sandbox.log if e.endpoint == "create" and e.status == 200]
    assert len(created) == 1 == len(sandbox.tasks)
    [task_id] = sandbox.tasks
    assert [job.task_id for job in Journal().jobs() if job.task_id] == [task_id]


@pytest.mark.parametrize(
    "faults",
    [
        Faults(burst_500=3),
        Faults(rate_limit=2, retry_after=0.5),
        Faults(reset=2, endpoints=("status", "download")),
        Faults(slow=7.0, slow_requests=1, endpoints=("status",)),
        Faults(expired_links=1, foreign_results=True),
        Faults(result_format="zip-csv", numeric_numbers=True, shuffled_columns=True),
    ],
    ids=[
        "500-burst",
        "429-retry-after",
        "connection-resets",
        "timeout",
        "expired-link",
        "zip-csv-quirks",
    ],
)
def test_free_failures_are_retried_to_the_right_results(
    make_sandbox: MakeSandbox, leads: Path, faults: Faults
) -> None:
    sandbox = make_sandbox(api_key=KEY, timing=QUICK, faults=faults)
    done = run(sandbox, "check", str(leads), "--yes")
    assert done.returncode == 0, done.stderr
    assert_results_right(leads)
    assert_one_task(sandbox)
    assert "Traceback" not in done.stderr


def test_a_completed_task_that_lingers_is_waited_for(
    make_sandbox: MakeSandbox, leads: Path
) -> None:
    sandbox = make_sandbox(api_key=KEY, timing=Timing(speed=500.0, pending=0.2, linger=4.0))
    done = run(sandbox, "check", str(leads), "--yes")
    assert done.returncode == 0, done.stderr
    assert_results_right(leads)
    assert_one_task(sandbox)


def test_a_failed_task_is_one_sentence_and_one_task(make_sandbox: MakeSandbox, leads: Path) -> None:
    sandbox = make_sandbox(
        api_key=KEY, timing=Timing(speed=50.0, pending=0.2, linger=0.2, fail_tasks=True)
    )
    done = run(sandbox, "check", str(leads), "--yes")
    assert done.returncode == 3
    assert done.stderr.strip().splitlines()[-1].startswith("xl-wacheck: The service marked task")
    assert_one_task(sandbox)
    assert [job.state for job in Journal().jobs()] == ["failed"]


def test_a_dropped_upload_is_reported_and_never_resent(
    make_sandbox: MakeSandbox, leads: Path
) -> None:
    sandbox = make_sandbox(api_key=KEY, timing=QUICK, faults=Faults(reset=1, endpoints=("create",)))
    first = run(sandbox, "check", str(leads), "--yes")
    assert first.returncode == 3 and "may exist and be charged" in first.stderr
    again = run(sandbox, "check", str(leads), "--yes")
    assert again.returncode == 3 and "stopped while uploading" in again.stderr
    assert [e.endpoint for e in sandbox.log] == ["create"]  # never sent twice
    [job] = Journal().jobs()
    assert job.state == INTENT
    # The sandbox shows no task (it hung up first), so the user abandons the intent:
    assert run(sandbox, "tasks", "--abandon", str(job.id)).returncode == 0
    final = run(sandbox, "check", str(leads), "--yes")
    assert final.returncode == 0, final.stderr
    assert_results_right(leads)
    assert_one_task(sandbox)


def test_a_truncated_result_keeps_the_task_resumable(
    make_sandbox: MakeSandbox, leads: Path
) -> None:
    sandbox = make_sandbox(api_key=KEY, timing=QUICK, faults=Faults(truncate_results=True))
    first = run(sandbox, "check", str(leads), "--yes")
    assert first.returncode == 3 and "truncated or corrupt" in first.stderr
    assert [job.state for job in Journal().jobs()] == [CREATED]
    sandbox.faults.truncate_results = False
    again = run(sandbox, "check", str(leads), "--yes")
    assert again.returncode == 0, again.stderr
    assert_results_right(leads)
    assert_one_task(sandbox)


def test_kill_between_upload_and_answer(make_sandbox: MakeSandbox, leads: Path) -> None:
    sandbox = make_sandbox(api_key=KEY, timing=QUICK, faults=Faults(hold_create=30.0))
    process = start(sandbox, "check", str(leads), "--yes")
    wait_for(lambda: len(sandbox.tasks) == 1)
    kill(process)
    sandbox.faults.hold_create = 0.0
    again = run(sandbox, "check", str(leads), "--yes")
    assert again.returncode == 3 and "stopped while uploading" in again.stderr
    [job] = Journal().jobs()
    [task_id] = sandbox.tasks  # what the vendor's dashboard would show
    resumed = run(sandbox, "resume", str(job.id), "--task-id", task_id, "--yes")
    assert resumed.returncode == 0, resumed.stderr
    assert_results_right(leads)
    assert_one_task(sandbox)
    assert Journal().get(job.id).state == APPLIED  # type: ignore[union-attr]


def test_kill_between_polls_resumes_the_same_task(make_sandbox: MakeSandbox, leads: Path) -> None:
    sandbox = make_sandbox(api_key=KEY, timing=SLOW)
    process = start(sandbox, "check", str(leads), "--yes")
    wait_for(lambda: any(Journal().statuses(job.id)[1:] for job in Journal().jobs()))
    kill(process)
    assert [job.state for job in Journal().jobs()] == [CREATED]
    again = run(sandbox, "check", str(leads), "--yes")
    assert again.returncode == 0, again.stderr
    assert_results_right(leads)
    assert_one_task(sandbox)


def test_kill_during_write_back_applies_from_the_stored_file(
    make_sandbox: MakeSandbox, leads: Path
) -> None:
    sandbox = make_sandbox(api_key=KEY, timing=QUICK)
    process = start(sandbox, "check", str(leads), "--yes")
    wait_for(jobs_in(DOWNLOADED, APPLIED))
    kill(process)
    calls = len(sandbox.log)
    again = run(sandbox, "check", str(leads), "--yes")
    assert again.returncode == 0, again.stderr
    assert_results_right(leads)
    assert_one_task(sandbox)
    assert len(sandbox.log) == calls  # the stored result file or the cache: no API call


def test_ten_random_kills_then_one_task_and_right_results(
    make_sandbox: MakeSandbox, leads: Path
) -> None:
    sandbox = make_sandbox(api_key=KEY, timing=Timing(speed=20.0, pending=0.3, linger=0.3))
    chance = random.Random(20261127)
    for _ in range(10):
        process = start(sandbox, "check", str(leads), "--yes")
        time.sleep(chance.uniform(0.2, 2.5))
        kill(process)
        stuck = [job for job in Journal().jobs() if job.state == INTENT and sandbox.tasks]
        for job in stuck:  # killed mid-upload: attach the task the dashboard shows
            [task_id] = sandbox.tasks
            Journal().attach_task(job.id, task_id)
    final = run(sandbox, "check", str(leads), "--yes")
    if final.returncode == 3 and "stopped while uploading" in final.stderr:
        [job] = [j for j in Journal().jobs() if j.state == INTENT]
        if sandbox.tasks:
            [task_id] = sandbox.tasks
            Journal().attach_task(job.id, task_id)
        else:
            Journal().abandon(job.id)
        final = run(sandbox, "check", str(leads), "--yes")
    assert final.returncode == 0, final.stderr
    assert_results_right(leads)
    assert_one_task(sandbox)


def test_two_runs_at_once_do_not_pay_twice(
    make_sandbox: MakeSandbox, leads: Path, tmp_path: Path
) -> None:
    sandbox = make_sandbox(api_key=KEY, timing=SLOW)
    first = start(sandbox, "check", str(leads), "--yes")
    wait_for(jobs_in(CREATED))
    second = run(sandbox, "check", str(leads), "--yes", "--out", str(tmp_path / "copy.xlsx"))
    assert second.returncode == 3 and "already being checked" in second.stderr
    _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert_one_task(sandbox)


def test_a_second_run_within_max_age_makes_no_api_call(
    make_sandbox: MakeSandbox, leads: Path
) -> None:
    sandbox = make_sandbox(api_key=KEY, timing=QUICK)
    assert run(sandbox, "check", str(leads), "--yes").returncode == 0
    calls = len(sandbox.log)
    again = run(sandbox, "check", str(leads))  # no --yes needed: nothing to charge
    assert again.returncode == 0, again.stderr
    assert len(sandbox.log) == calls
    assert "from the local cache (free)" in again.stdout
    assert_results_right(leads)
    fresh = run(sandbox, "check", str(leads), "--yes", "--max-age", "0")
    assert fresh.returncode == 0 and sandbox.charged("create") == 2


def test_an_unwritable_state_folder_stops_before_any_upload(
    make_sandbox: MakeSandbox, leads: Path, tmp_path: Path
) -> None:
    sandbox = make_sandbox(api_key=KEY, timing=QUICK)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    done = run(
        sandbox, "check", str(leads), "--yes", env={"WACHECK_STATE_DIR": str(blocker / "state")}
    )
    assert done.returncode == 2 and "WACHECK_STATE_DIR" in done.stderr
    assert sandbox.log == []


def _small_files() -> None:
    _signal.signal(_signal.SIGXFSZ, _signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))


def test_a_full_disk_stops_before_any_upload(
    make_sandbox: MakeSandbox, leads: Path, tmp_path: Path
) -> None:
    sandbox = make_sandbox(api_key=KEY, timing=QUICK)
    done = run(
        sandbox,
        "check",
        str(leads),
        "--yes",
        preexec_fn=_small_files,
        env={"WACHECK_STATE_DIR": str(tmp_path / "tiny")},
    )
    assert done.returncode == 2, done.stderr
    assert "full" in done.stderr and "Traceback" not in done.stderr
    assert sandbox.log == []


def test_a_failed_write_back_keeps_the_paid_results(
    make_sandbox: MakeSandbox, leads: Path, tmp_path: Path
) -> None:
    sandbox = make_sandbox(api_key=KEY, timing=QUICK)
    blocked = tmp_path / "file" / "out.xlsx"
    (tmp_path / "file").write_text("x")
    first = run(sandbox, "check", str(leads), "--yes", "--out", str(blocked))
    assert first.returncode == 2 and "Cannot write" in first.stderr
    calls = len(sandbox.log)
    again = run(sandbox, "check", str(leads), "--yes")
    assert again.returncode == 0, again.stderr
    assert len(sandbox.log) == calls
    assert_results_right(leads)
    assert_one_task(sandbox)


def test_the_key_appears_nowhere(make_sandbox: MakeSandbox, leads: Path, tmp_path: Path) -> None:
    sandbox = make_sandbox(
        api_key=KEY, timing=QUICK, faults=Faults(foreign_results=True, burst_500=1)
    )
    process = start(sandbox, "check", str(leads), "--yes")
    wait_for(lambda: bool(sandbox.tasks))
    cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes() if sys.platform == "linux" else b""
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    listing = run(sandbox, "tasks", "--all")
    places = [out, err, listing.stdout, listing.stderr, cmdline.decode(errors="replace")]
    state = Path(os.environ["WACHECK_STATE_DIR"])
    files = [p for p in [*state.rglob("*"), *tmp_path.rglob("*")] if p.is_file()]
    assert files and any(p.suffix == ".sqlite3" for p in files)
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path
    for text in places:
        assert KEY not in text
    assert not any(e.with_key for e in sandbox.log if e.server == "results")
