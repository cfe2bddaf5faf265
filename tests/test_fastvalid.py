"""The fast E.164 validity check agrees with phonenumbers wherever it answers."""

from __future__ import annotations

import random
from unittest import mock

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_wacheck import numbers
from xl_wacheck.fastvalid import FastE164
from xl_wacheck.numbers import normalise

FAST = FastE164()


def slow_valid(text: str) -> bool:
    try:
        number = phonenumbers.parse(text)
    except phonenumbers.NumberParseException:
        return False
    return (
        phonenumbers.is_valid_number(number)
        and phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == text
    )


def example_numbers() -> list[str]:
    """Every example number libphonenumber ships, and near misses of each."""
    chance = random.Random(11)
    out = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(11):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            text = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            out.append(text)
            for _ in range(5):
                digits = list(text)
                where = chance.randrange(3, len(text))
                digits[where] = chance.choice("0123456789")
                out.append("".join(digits))
            out.extend([text + "1", text[:-1]])
    return out


def test_fast_path_agrees_on_every_example_number_and_its_near_misses() -> None:
    answered = said_invalid = 0
    for text in example_numbers():
        verdict = FAST.valid(text)
        if verdict is not None:
            answered += 1
            said_invalid += verdict is False
            assert verdict == slow_valid(text), text
    assert answered > 1000 and said_invalid > 100  # it really is the common path


def slow_normalise(value: object, region: str | None = None) -> object:
    """normalise() with the fast path switched off: phonenumbers decides everything."""
    with mock.patch.object(numbers._FAST, "valid", lambda text: None):
        return normalise(value, region)


def test_reasons_from_the_fast_path_are_phonenumbers_own() -> None:
    for text in example_numbers():
        assert normalise(text) == slow_normalise(text), text
        assert normalise(text[1:]) == slow_normalise(text[1:]), text  # a numeric cell


@settings(max_examples=3000)
@given(
    st.sampled_from(sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)),
    st.text(alphabet="0123456789", min_size=1, max_size=15),
    st.sampled_from([None, "CH", "US"]),
)
def test_normalise_answers_exactly_as_phonenumbers_alone(
    code: int, rest: str, region: str | None
) -> None:
    for value in (f"+{code}{rest}", f"{code}{rest}", float(f"{code}{rest}")):
        assert normalise(value, region) == slow_normalise(value, region), value


@settings(max_examples=3000)
@given(
    st.sampled_from(sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)),
    st.text(alphabet="0123456789", min_size=3, max_size=13),
)
def test_fast_path_never_says_valid_where_phonenumbers_does_not(code: int, rest: str) -> None:
    text = f"+{code}{rest}"
    verdict = FAST.valid(text)
    if verdict is not None:
        assert verdict == slow_valid(text), text


@given(st.from_regex(r"\+[1-9]\d{6,14}", fullmatch=True))
def test_normalise_with_the_fast_path_matches_phonenumbers(text: str) -> None:
    result = normalise(text)
    if isinstance(result, str):
        assert slow_valid(result)
    else:
        assert not slow_valid(text)
