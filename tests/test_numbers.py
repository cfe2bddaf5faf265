"""Cell values to E.164 or a reason: the formats sales lists really contain."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_wacheck import numbers
from xl_wacheck.errors import InputError
from xl_wacheck.numbers import Invalid, Normaliser, check_region, normalise

SWISS = "+41798284651"


@pytest.mark.parametrize(
    "value",
    [
        "+41798284651",
        "+41 79 828 46 51",
        "+41-79-828-46-51",
        "+41.79.828.46.51",
        "+41 (0)79 828 46 51",
        "0041 79 828 46 51",
        "tel:+41-79-828-46-51",
        "TEL:+41798284651",
        "+41\u00a079\u00a0828\u00a046\u00a051",
        "\u202f+41 79 828 46 51 ",
        "+41 79 828 46 51 ext. 12",
        "41798284651",
        41798284651,
        41798284651.0,
        "41798284651.0",
        "\uff0b\uff14\uff11\uff17\uff19\uff18\uff12\uff18\uff14\uff16\uff15\uff11",  # full-width
    ],
)
def test_common_formats_become_e164(value: object) -> None:
    assert normalise(value) == SWISS


def test_national_number_uses_the_default_region() -> None:
    assert normalise("079 828 46 51", "CH") == SWISS
    assert normalise("(415) 555-2671", "US") == "+14155552671"
    assert normalise("020 7946 0958", "gb") == "+442079460958"


def test_national_number_without_region_says_so() -> None:
    assert normalise("(415) 555-2671") == Invalid("no country code and no default region")


def test_digits_valid_both_ways_prefer_the_default_region() -> None:
    digits = "3109063371"
    national = phonenumbers.parse(digits, "US")
    international = phonenumbers.parse("+" + digits)
    assert phonenumbers.is_valid_number(national)
    assert phonenumbers.is_valid_number(international)  # +31 (Netherlands) reads it too
    assert normalise(digits, "US") == "+13109063371"
    assert normalise(digits) == "+319063371"


def test_digits_that_lost_their_plus_are_read_internationally_when_national_fails() -> None:
    assert normalise(41798284651, "US") == SWISS
    assert normalise("41798284651", "FR") == SWISS


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("n/a", "not a phone number"),
        ("call me", "not a phone number"),
        ("+1 call me", "not a phone number"),
        ("=HYPERLINK(1)", "not a phone number"),
        ("123", "too short"),
        ("+4179", "too short"),
        ("+41791234567891234", "too long"),
        ("+999123456789", "unknown country code +999"),
        ("#N/A", "Excel error #N/A"),
        ("#value!", "Excel error #VALUE!"),
        (True, "not a phone number (TRUE/FALSE)"),
        (dt.date(2024, 5, 1), "a date or time, not a phone number"),
        (dt.datetime(2024, 5, 1, 9), "a date or time, not a phone number"),
        (-41798284651, "not a phone number"),
        (4.5, "not a phone number"),
        (math.inf, "not a phone number"),
        ("4.18E+10", "digits lost to scientific notation (format the column as text)"),
        (b"+41798284651", "not a phone number"),
        ("+41 12 345 67 89", "not a valid number for CH (+41)"),
    ],
)
def test_junk_gets_a_specific_reason(value: object, reason: str) -> None:
    assert normalise(value) == Invalid(reason)


@pytest.mark.parametrize("value", [None, "", "   ", "\u00a0", math.nan])
def test_blank_cells_are_skipped(value: object) -> None:
    assert normalise(value) is None


def test_unknown_region_is_refused_with_examples() -> None:
    with pytest.raises(InputError, match="CH, DE"):
        check_region("XX")
    assert check_region(" ch ") == "CH"
    assert check_region("") is None


def test_normaliser_remembers_but_keeps_true_apart_from_one() -> None:
    normalise_cached = Normaliser("CH")
    assert normalise_cached("079 828 46 51") == SWISS
    assert normalise_cached("079 828 46 51") == SWISS
    assert normalise_cached(True) == Invalid("not a phone number (TRUE/FALSE)")
    assert normalise_cached(1) == Invalid("not a phone number")


cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet="+0123456789 ()-.\u00a0/x#tel:", max_size=30),
    st.from_regex(r"\+?[1-9]\d{6,14}", fullmatch=True),
    st.dates(),
    st.datetimes(),
)
regions = st.sampled_from([None, "CH", "US", "GB", "DE", "IN", "BR"])


@given(cell_values, regions)
def test_normalise_never_raises_and_gives_e164_or_a_reason(
    value: object, region: str | None
) -> None:
    result = normalise(value, region)
    if isinstance(result, str):
        assert result.startswith("+") and result[1:].isdigit()
        assert phonenumbers.is_valid_number(phonenumbers.parse(result))
    else:
        assert result is None or (isinstance(result, Invalid) and result.reason)


@given(cell_values, regions, regions)
def test_normalise_is_idempotent_on_its_own_output(
    value: object, region: str | None, other: str | None
) -> None:
    result = normalise(value, region)
    if isinstance(result, str):
        assert normalise(result, other) == result


def test_normalise_all_on_several_processes_equals_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import multiprocessing

    values: list[object] = [f"+4474001{i:05d}" for i in range(300)]
    values += ["n/a", None, True, 41798284651.0, "079 828 46 51", dt.date(2024, 1, 1)] * 5
    monkeypatch.setattr(
        numbers, "_pool_context", lambda count: multiprocessing.get_context("spawn")
    )
    parallel = numbers.normalise_all(values, "CH")
    assert parallel == [normalise(value, "CH") for value in values]


@given(st.lists(cell_values, max_size=40), regions)
def test_normalise_all_equals_one_by_one(values: list[object], region: str | None) -> None:
    assert numbers.normalise_all(values, region) == [normalise(v, region) for v in values]


def test_values_that_compare_equal_but_read_differently_stay_apart() -> None:
    for values in ([41798284651, True, 1], [Decimal(41798284651), 41798284651], ["1", 1, 1.0]):
        assert numbers.normalise_all(values, "CH") == [normalise(v, "CH") for v in values]
        assert numbers.normalise_all(values[::-1], "CH") == [
            normalise(v, "CH") for v in values[::-1]
        ]
