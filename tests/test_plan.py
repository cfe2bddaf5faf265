"""The plan: what is uploaded once, and what every row gets back."""

from __future__ import annotations

import datetime as dt
import gc

import pytest

from xl_wacheck.bulk import no_gc
from xl_wacheck.plan import NOT_PROCESSED, ResultRow, plan_rows
from xl_wacheck.records import CheckResult

COLUMN = [
    "+41 79 828 46 51",
    "0041798284651",
    41798284651.0,
    None,
    "n/a",
    "(415) 555-2671",
    "",
    "+14155552671",
    "+442079460958",
]


def test_duplicates_in_any_format_are_uploaded_once_in_first_seen_order() -> None:
    plan = plan_rows(COLUMN, region="US")
    assert plan.to_upload() == ["+41798284651", "+14155552671", "+442079460958"]


def test_counts_for_the_confirmation_prompt() -> None:
    counts = plan_rows(COLUMN, region="US").counts()
    assert (counts.rows, counts.blank, counts.invalid, counts.valid) == (9, 2, 1, 6)
    assert (counts.unique, counts.duplicates, counts.to_charge) == (3, 3, 3)


def test_cached_numbers_are_not_uploaded_and_not_charged() -> None:
    plan = plan_rows(COLUMN, region="US")
    cached = {"+41798284651"}
    assert plan.to_upload(cached) == ["+14155552671", "+442079460958"]
    assert plan.counts(cached).to_charge == 2


def test_every_row_gets_its_answer_back() -> None:
    plan = plan_rows(COLUMN, region="US")
    day = dt.date(2025, 1, 19)
    results = {
        "+41798284651": CheckResult("+41798284651", True, "=HYPERLINK(1)", day),
        "+14155552671": CheckResult("+14155552671", False),
    }
    rows = plan.result_rows(results)
    swiss = ResultRow("yes", "=HYPERLINK(1)", day, None)
    assert rows == [
        swiss,
        swiss,
        swiss,
        ResultRow(),
        ResultRow(note="not a phone number"),
        ResultRow("no", None, None, None),
        ResultRow(),
        ResultRow("no", None, None, None),
        ResultRow(note=NOT_PROCESSED),
    ]
    assert plan.result_block(results)[0] == ["yes", "=HYPERLINK(1)", day, None]


def test_unclear_yes_no_is_noted() -> None:
    plan = plan_rows(["+41798284651"])
    rows = plan.result_rows({"+41798284651": CheckResult("+41798284651", None, "hi")})
    assert rows[0].whatsapp is None and rows[0].note


def test_an_empty_column_plans_nothing() -> None:
    plan = plan_rows([None, "", "  "])
    assert plan.to_upload() == [] and plan.counts().blank == 3


def test_rows_with_the_same_answer_share_one_row_object() -> None:
    plan = plan_rows(["+41798284651", "+14155552671", "n/a", "x", "+442079460958"], "US")
    day = dt.date(2025, 1, 19)
    results = {
        "+41798284651": CheckResult("+41798284651", True, "Busy", day),
        "+14155552671": CheckResult("+14155552671", True, "Busy", day),
    }
    swiss, american, junk, other_junk, missing = plan.result_rows(results)
    assert swiss == american == ResultRow("yes", "Busy", day, None)
    assert swiss is american and junk is other_junk
    assert missing == ResultRow(note=NOT_PROCESSED)


def test_a_paused_collector_is_restored_even_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError), no_gc():
        assert not gc.isenabled()
        with no_gc():
            pass
        assert not gc.isenabled()  # the inner pause leaves the outer one alone
        raise ValueError
    assert gc.isenabled()
