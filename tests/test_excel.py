"""The Excel front-end against the fake Excel and a real sandbox: click → journal → worker."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from xl_wacheck.cache import ResultCache
from xl_wacheck.errors import InputError
from xl_wacheck.excel import about, cancel, check_selection, refresh, settings
from xl_wacheck.excel.fake import FakeExcel, Formula
from xl_wacheck.excel.port import MAX_ROWS, Area, Selection
from xl_wacheck.excel.selection import column_block
from xl_wacheck.excel.udfs import checked_rows
from xl_wacheck.excel.worker import run_worker
from xl_wacheck.journal import APPLIED, CREATED, DOWNLOADED, Journal
from xl_wacheck.plan import RESULT_HEADERS
from xl_wacheck.policy import PollPolicy
from xl_wacheck.records import CheckResult
from xl_wacheck.sandbox import Sandbox, Timing

from .conftest import client_for
from .test_end_to_end import expected_row

MakeSandbox = Callable[..., Sandbox]
QUICK = PollPolicy(first=0.05, latency=0.5)
KEY = "EXCEL-K3Y-n0t-1n-w0rkb00k"


def phones(count: int = 500) -> list[object]:
    values: list[object] = []
    for i in range(count):
        if i % 50 == 7:
            values.append("n/a")
        elif i % 10 == 3:
            values.append(values[i - 1] if isinstance(values[i - 1], str) else "+447400100001")
        elif i % 25 == 11:
            values.append(447400100000 + i)  # a numeric cell that lost its '+'
        else:
            values.append(f"+44 7400 1{i:05d}")
    return values


def number_of(value: object) -> str | None:
    if value == "n/a":
        return None
    if isinstance(value, int):
        return f"+{value}"
    return str(value).replace(" ", "")


@pytest.fixture
def excel_env(make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    sandbox = make_sandbox(api_key=KEY)
    monkeypatch.setenv("WACHECK_API_URL", sandbox.url)
    monkeypatch.setenv("WACHECK_API_KEY", KEY)
    monkeypatch.setenv("WACHECK_USER_ID", "sales-team")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    return sandbox


def sheet_with(values: list[object]) -> FakeExcel:
    fake = FakeExcel()
    fake.fill("Leads", 1, 1, [["Name", "Phone"]])
    fake.fill("Leads", 2, 1, [[f"Lead {i}", v] for i, v in enumerate(values)])
    middle = 2 + len(values) // 2
    fake.chosen = Selection("Leads", (Area(middle, 2, middle, 2),))  # one cell mid-column
    return fake


def inline_worker(
    sandbox: Sandbox, fake: FakeExcel, before: Callable[[], None] | None = None
) -> Callable[[int], int]:
    def spawn(job_id: int) -> int:
        if before is not None:
            before()
        return run_worker(job_id, port=fake, client=client_for(sandbox, key=KEY), policy=QUICK)

    return spawn


def assert_rows_right(fake: FakeExcel, first_column: int = 3) -> None:
    assert [fake.cell("Leads", 1, first_column + i) for i in range(4)] == list(RESULT_HEADERS)
    row = 2
    while fake.cell("Leads", row, 2) is not None:
        value = fake.cell("Leads", row, 2)
        got = [fake.cell("Leads", row, first_column + i) for i in range(4)]
        number = number_of(value)
        if number is None:
            assert got == [None, None, None, "not a phone number"]
        else:
            want = expected_row(number).as_list()
            assert got[0] == want[0] and got[1] == want[1] and got[3] == want[3], (row, value)
            assert not isinstance(got[1], Formula)
        row += 1


# -- selection rules ------------------------------------------------------------------------


def test_one_cell_means_its_contiguous_block_under_the_header() -> None:
    used = Area(1, 1, 12, 3)
    column = [
        "Phone",
        "+41798284651",
        "+41798284652",
        None,
        "x",
        "+1",
        None,
        None,
        None,
        None,
        None,
        "late",
    ]
    block = column_block(Selection("S", (Area(3, 1, 3, 1),)), used, column)
    assert (block.header_row, block.first_row, block.last_row) == (1, 2, 3)


def test_whole_column_is_trimmed_to_the_used_range() -> None:
    used = Area(1, 1, 4, 2)
    block = column_block(
        Selection("S", (Area(1, 2, MAX_ROWS, 2),)),
        used,
        ["Mobile", "+41798284651", None, "+41798284652"],
    )
    assert (block.column, block.header_row, block.first_row, block.last_row) == (2, 1, 2, 4)


def test_a_block_without_header_starts_at_its_top() -> None:
    block = column_block(
        Selection("S", (Area(2, 1, 2, 1),)),
        Area(1, 1, 3, 1),
        ["+41798284651", "+41798284652", "+41798284653"],
    )
    assert (block.header_row, block.first_row, block.last_row) == (None, 1, 3)


@pytest.mark.parametrize(
    ("areas", "message"),
    [
        ((Area(1, 1, 5, 1), Area(1, 3, 5, 3)), "not several areas"),
        ((Area(1, 1, 5, 2),), "a single column"),
        ((Area(9, 1, 9, 1),), "selected cell is empty"),
    ],
)
def test_bad_selections_get_a_clear_message(areas: tuple[Area, ...], message: str) -> None:
    with pytest.raises(InputError, match=message):
        column_block(Selection("S", areas), Area(1, 1, 5, 3), ["P", "+1", "+2", "+3", "+4"])


# -- the click and the worker -------------------------------------------------------------


def test_one_cell_click_checks_the_whole_column_and_writes_every_row(excel_env: Sandbox) -> None:
    values = phones()
    fake = sheet_with(values)
    fake.fill("Leads", 505, 2, [["Totals below, not a lead"]])  # a separate block further down
    check_selection(fake, spawn=inline_worker(excel_env, fake))
    _, text = fake.alerts[0]
    assert "to check and be charged for" in text and "duplicates" in text and "invalid" in text
    assert_rows_right(fake)
    assert fake.cell("Leads", 505, 3) is None  # the other block was left alone
    [task] = excel_env.tasks.values()
    assert len(task.numbers) == len(set(task.numbers))
    assert "n/a" not in task.numbers
    [job] = Journal().jobs()
    assert job.state == APPLIED and job.target["book"] == fake.book
    assert json.loads(fake.hidden[f"job:{job.id}"])["state"] == "applied"
    assert fake.statuses[-1].startswith("WhatsApp check done")
    assert fake.formats[("Leads", 2, 4)] == "@" and fake.formats[("Leads", 2, 5)] == "yyyy-mm-dd"
    assert "WhatsApp summary" in fake.summaries


def test_formula_like_signatures_land_as_text(excel_env: Sandbox) -> None:
    values: list[object] = [f"+4474001{i:05d}" for i in range(300)]
    fake = sheet_with(values)
    check_selection(fake, spawn=inline_worker(excel_env, fake))
    signatures = {fake.cell("Leads", r, 4) for r in range(2, 302)}
    assert '=HYPERLINK("http://example.com","click me")' in signatures
    assert "@SUM(1)" in signatures and "-2+3" in signatures
    assert not any(isinstance(s, Formula) for s in signatures)


def test_cancel_at_the_plan_uploads_nothing(excel_env: Sandbox) -> None:
    fake = sheet_with(phones(20))
    fake.answers = [False]
    check_selection(fake, spawn=inline_worker(excel_env, fake))
    assert excel_env.log == [] and Journal().jobs() == []


def test_sorting_between_click_and_write_back_keeps_results_on_their_rows(
    excel_env: Sandbox,
) -> None:
    values = phones(120)
    fake = sheet_with(values)

    def sort_descending() -> None:
        rows = [[fake.cell("Leads", r, 1), fake.cell("Leads", r, 2)] for r in range(2, 122)]
        rows.sort(key=lambda row: str(row[1]), reverse=True)
        fake.fill("Leads", 2, 1, rows)

    check_selection(fake, spawn=inline_worker(excel_env, fake, before=sort_descending))
    assert fake.cell("Leads", 2, 2) != values[0]  # really sorted
    assert_rows_right(fake)


def test_neighbouring_data_makes_room_by_inserting_columns(excel_env: Sandbox) -> None:
    fake = sheet_with(phones(30))
    fake.fill("Leads", 1, 3, [["Owner"], *[["me"]] * 30])
    check_selection(fake, spawn=inline_worker(excel_env, fake))
    assert fake.cell("Leads", 1, 7) == "Owner" and fake.cell("Leads", 2, 7) == "me"
    assert_rows_right(fake, first_column=3)


def test_a_rerun_reuses_the_result_columns_and_costs_nothing(excel_env: Sandbox) -> None:
    fake = sheet_with(phones(40))
    check_selection(fake, spawn=inline_worker(excel_env, fake))
    calls = len(excel_env.log)
    check_selection(fake, spawn=inline_worker(excel_env, fake))
    assert len(excel_env.log) == calls
    assert fake.cell("Leads", 1, 7) is None  # no second set of columns
    assert_rows_right(fake)


def test_a_busy_excel_is_waited_for(excel_env: Sandbox) -> None:
    fake = sheet_with(phones(20))

    def make_busy() -> None:
        fake.busy_calls = 3

    check_selection(fake, spawn=inline_worker(excel_env, fake, before=make_busy))
    assert_rows_right(fake)


def test_a_closed_workbook_gets_its_results_on_refresh(excel_env: Sandbox) -> None:
    fake = sheet_with(phones(20))

    def close() -> None:
        fake.closed = True

    codes: list[int] = []
    spawn = inline_worker(excel_env, fake, before=close)
    check_selection(fake, spawn=lambda job: codes.append(spawn(job)) or 0)
    assert codes == [4]
    [job] = Journal().jobs()
    assert job.state == DOWNLOADED
    fake.closed = False
    refresh(fake, spawn=inline_worker(excel_env, fake))
    assert Journal().get(job.id).state == APPLIED  # type: ignore[union-attr]
    assert_rows_right(fake)
    assert excel_env.charged("create") == 1


def test_a_second_click_while_running_does_not_pay_twice(excel_env: Sandbox) -> None:
    fake = sheet_with(phones(20))
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        check_selection(fake, spawn=lambda job: worker.pid)  # a worker that is still starting
        check_selection(fake, spawn=inline_worker(excel_env, fake))
        assert "already being checked" in fake.alerts[-1][1]
        assert excel_env.charged("create") == 0
    finally:
        worker.kill()
        worker.wait()


def test_bad_selection_is_an_alert_not_a_traceback(excel_env: Sandbox) -> None:
    fake = sheet_with(phones(5))
    fake.chosen = Selection("Leads", (Area(1, 2, 6, 3),))
    check_selection(fake, spawn=inline_worker(excel_env, fake))
    assert fake.alerts == [
        ("WhatsApp check", "Select a single column: the phone numbers, or one cell in them.")
    ]


def test_missing_key_is_an_alert(excel_env: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WACHECK_API_KEY")
    fake = sheet_with(phones(5))
    check_selection(fake, spawn=inline_worker(excel_env, fake))
    assert "No API key" in fake.alerts[-1][1]


# -- the real detached worker -------------------------------------------------------------


def _wait(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_detached_worker_killed_mid_task_and_refreshed_finishes_the_same_task(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(api_key=KEY, timing=Timing(speed=15.0, pending=0.3, linger=0.3))
    monkeypatch.setenv("WACHECK_API_URL", sandbox.url)
    monkeypatch.setenv("WACHECK_API_KEY", KEY)
    monkeypatch.setenv("WACHECK_USER_ID", "sales-team")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    fake = sheet_with(phones(40))
    fake.persist(tmp_path / "excel.json")
    check_selection(fake)  # the real launcher: a detached `python -m xl_wacheck.excel.worker`
    journal = Journal()
    _wait(
        lambda: (
            bool(journal.jobs())
            and journal.jobs()[0].state == CREATED
            and len(journal.statuses(journal.jobs()[0].id)) >= 2
        )
    )
    [job] = journal.jobs()
    worker = job.owner_pid
    assert worker and worker != os.getpid()
    cmdline = Path(f"/proc/{worker}/cmdline").read_bytes()
    assert b"xl_wacheck.excel.worker" in cmdline and KEY.encode() not in cmdline
    assert os.getsid(worker) == worker  # its own session: Excel is not waiting for it
    os.kill(worker, signal.SIGKILL)
    _wait(
        lambda: (
            not Path(f"/proc/{worker}").exists()
            or Path(f"/proc/{worker}/stat").read_text().split(") ")[1][0] == "Z"
        )
    )
    refresh(FakeExcel.open(tmp_path / "excel.json"))
    _wait(lambda: journal.get(job.id).state == APPLIED)  # type: ignore[union-attr]
    assert sandbox.charged("create") == 1 and len(sandbox.tasks) == 1
    assert_rows_right(FakeExcel.open(tmp_path / "excel.json"))
    state = Path(os.environ["WACHECK_STATE_DIR"])
    for path in [*state.rglob("*"), tmp_path / "excel.json"]:
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


# -- the other buttons --------------------------------------------------------------------


def test_cancel_stops_the_worker_and_refresh_resumes(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(api_key=KEY, timing=Timing(speed=10.0, pending=0.3, linger=0.3))
    for name, value in (
        ("WACHECK_API_URL", sandbox.url),
        ("WACHECK_API_KEY", KEY),
        ("WACHECK_USER_ID", "u"),
        ("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring"),
    ):
        monkeypatch.setenv(name, value)
    fake = sheet_with(phones(30))
    fake.persist(tmp_path / "excel.json")
    check_selection(fake)
    journal = Journal()
    _wait(lambda: bool(journal.jobs()) and journal.jobs()[0].state == CREATED)
    cancel(FakeExcel.open(tmp_path / "excel.json"))
    reopened = FakeExcel.open(tmp_path / "excel.json")
    assert "Stopped waiting for 1 check(s)" in reopened.alerts[-1][1]
    [job] = journal.jobs()
    assert job.state == CREATED
    refresh(reopened)
    _wait(lambda: journal.get(job.id).state == APPLIED)  # type: ignore[union-attr]
    assert sandbox.charged("create") == 1


def test_settings_store_the_key_in_the_keychain_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    from .test_settings import MemoryKeyring

    memory = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(memory)
    try:
        fake = FakeExcel()
        fake.prompts = ["team-7", "ch", "https://api.example", "s3cret-key"]
        settings(fake)
        assert memory.passwords == {("xl-wacheck", "team-7"): "s3cret-key"}
        assert "Saved in" in fake.alerts[-1][1]
        about(fake)
        assert "API key: set" in fake.alerts[-1][1] and "s3cret" not in fake.alerts[-1][1]
        assert "team-7" in fake.alerts[-1][1]
    finally:
        keyring.set_keyring(previous)


def test_udf_reads_only_the_cache(excel_env: Sandbox) -> None:
    cache = ResultCache(excel_env.url)
    day = dt.date(2025, 1, 19)
    cache.store_results({"+41798284651": CheckResult("+41798284651", True, "Hi", day)}, "t")
    rows = checked_rows([["+41 79 828 46 51"], ["+14155552671"], [None]], cache)
    assert rows == [["yes", "Hi", day], ["", "", ""], ["", "", ""]]
    assert excel_env.log == []
