"""pandas front-end and the console's progress bar."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import xl_wacheck
from xl_wacheck.console import ProgressBar, plan_text
from xl_wacheck.errors import InputError
from xl_wacheck.plan import PlanCounts
from xl_wacheck.policy import PollPolicy
from xl_wacheck.records import Balance, Progress
from xl_wacheck.sandbox import Sandbox

from .conftest import client_for
from .test_end_to_end import expected_row

QUICK = PollPolicy(first=0.05, latency=0.5)


def test_check_dataframe_returns_a_copy_with_four_columns(sandbox: Sandbox) -> None:
    df = pd.DataFrame(
        {"Name": ["a", "b", "c"], "Phone": ["+41798284651", "n/a", 41798284651]}, index=[10, 20, 30]
    )
    out = xl_wacheck.check_dataframe(df, "Phone", client=client_for(sandbox), policy=QUICK)
    assert list(df.columns) == ["Name", "Phone"]  # the input is untouched
    assert list(out.columns) == ["Name", "Phone", "whatsapp", "signature", "status_update", "note"]
    assert list(out.index) == [10, 20, 30]
    want = expected_row("+41798284651")
    assert out.loc[10, "whatsapp"] == out.loc[30, "whatsapp"] == want.whatsapp
    assert out.loc[20, "note"] == "not a phone number"
    assert pd.api.types.is_datetime64_any_dtype(out["status_update"])
    assert sandbox.charged("create") == 1


def test_check_dataframe_names_the_columns_when_one_is_missing() -> None:
    with pytest.raises(InputError, match="Its columns are: Name"):
        xl_wacheck.check_dataframe(pd.DataFrame({"Name": []}), "Phone", sandbox=True)


def test_check_numbers_has_a_row_per_input(sandbox: Sandbox) -> None:
    out = xl_wacheck.check_numbers(
        ["079 828 46 51", None, "junk"], region="CH", client=client_for(sandbox), policy=QUICK
    )
    assert list(out["input"]) == ["079 828 46 51", None, "junk"]
    assert out.loc[0, "number"] == "+41798284651"
    assert out.loc[2, "note"] == "not a phone number"


def test_check_numbers_on_the_in_process_sandbox() -> None:
    out = xl_wacheck.check_numbers(["+41798284651"], sandbox=True)
    assert out.loc[0, "whatsapp"] in ("yes", "no")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_counts_and_eta_on_a_terminal() -> None:
    stream = Terminal()
    bar = ProgressBar(stream)
    bar(Progress("processing", 6724, 20000, 725.0, 5))
    bar.close()
    text = stream.getvalue()
    assert "6,724/20,000 processing" in text and "~12m05s left" in text and text.endswith("\n")


def test_progress_bar_is_silent_off_a_terminal() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar(Progress("processing", 1, 2, None, 1))
    bar.close()
    assert stream.getvalue() == ""


def test_plan_text_shows_what_will_be_charged_and_the_balance() -> None:
    text = plan_text(PlanCounts(rows=10, blank=1, invalid=2, valid=7, unique=5), Balance(42.5))
    assert "duplicates 2" in text and "charged for: 5" in text and "42.50 USD" in text
