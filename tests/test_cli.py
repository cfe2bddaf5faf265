"""The command line as a user meets it: exit codes, one-sentence errors, the sandbox demo."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from xl_wacheck.cli import main
from xl_wacheck.sandbox import Faults, Sandbox

from .workbooks import rich_workbook

PHONES: list[object] = ["+41 79 828 46 51", 41798284651, "n/a", "+14155552671"]


@pytest.fixture
def leads(tmp_path: Path) -> Path:
    path = tmp_path / "leads.xlsx"
    rich_workbook(path, PHONES)
    return path


def use(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, key: str = "sandbox") -> None:
    monkeypatch.setenv("WACHECK_API_URL", sandbox.url)
    monkeypatch.setenv("WACHECK_API_KEY", key)
    monkeypatch.setenv("WACHECK_USER_ID", "sales-team")
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent/xl-wacheck-tests")


def test_check_writes_results_and_summarises(
    sandbox: Sandbox,
    leads: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use(monkeypatch, sandbox)
    assert main(["check", str(leads), "--yes"]) == 0
    out, err = capsys.readouterr()
    assert "invalid" in out and "columns F:I" in out and "Backup of the original" in out
    assert "Numbers to check and be charged for: 2" in err
    sheet = openpyxl.load_workbook(leads)["Leads"]
    assert sheet["F1"].value == "whatsapp" and sheet["I4"].value == "not a phone number"
    assert sandbox.charged("create") == 1


def test_wrong_key_exits_3_with_one_sentence(
    sandbox: Sandbox,
    leads: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use(monkeypatch, sandbox, key="wrong-key")
    assert main(["check", str(leads), "--yes"]) == 3
    err = capsys.readouterr().err
    plan = ("Rows:", "Numbers to check")
    [sentence] = [line for line in err.splitlines() if not line.startswith(plan)]
    assert sentence.startswith("xl-wacheck: The API refused the key (401).")
    assert "Traceback" not in err and "wrong-key" not in err


def test_missing_column_exits_2_listing_headers(
    sandbox: Sandbox,
    leads: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use(monkeypatch, sandbox)
    assert main(["check", str(leads), "--column", "Mobile", "--yes"]) == 2
    assert "The headers are: A: Company, B: Contact, C: Phone" in capsys.readouterr().err
    assert sandbox.log == []


def test_without_yes_and_without_a_terminal_nothing_is_charged(
    sandbox: Sandbox,
    leads: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use(monkeypatch, sandbox)
    assert main(["check", str(leads)]) == 130
    assert "add --yes" in capsys.readouterr().err
    assert sandbox.charged("create") == 0


def test_missing_key_says_how_to_set_it(
    leads: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("WACHECK_API_KEY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main(["check", str(leads), "--yes"]) == 2
    assert "WACHECK_API_KEY" in capsys.readouterr().err


def test_debug_shows_the_traceback(
    sandbox: Sandbox,
    leads: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use(monkeypatch, sandbox, key="wrong")
    from xl_wacheck.errors import AuthError

    with pytest.raises(AuthError):
        main(["--debug", "check", str(leads), "--yes"])


def test_foreign_result_host_never_sees_the_key(
    make_sandbox,
    leads: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox = make_sandbox(faults=Faults(foreign_results=True, burst_500=1))
    use(monkeypatch, sandbox)
    assert main(["check", str(leads), "--yes"]) == 0
    downloads = [e for e in sandbox.log if e.endpoint == "download"]
    assert downloads and not any(e.with_key for e in downloads)


def test_sandbox_demo_runs_as_a_subprocess(leads: Path, tmp_path: Path) -> None:
    out = tmp_path / "checked.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "xl_wacheck",
            "check",
            str(leads),
            "--sandbox",
            "--yes",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "SIMULATED" in done.stderr and "SIMULATED" in done.stdout
    assert openpyxl.load_workbook(out)["Leads"]["F2"].value in ("yes", "no")
