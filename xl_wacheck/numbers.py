"""Any cell value → an E.164 number, or the reason a person can understand why not.

This is the only place that knows what phone numbers look like in the wild: text in every
common format, national numbers that need a default region, numeric cells that lost their
``+`` (Excel does that), and junk. Validation is phonenumbers' (Google's libphonenumber
metadata); this module only prepares the text and turns its verdicts into plain reasons.
"""

from __future__ import annotations

import datetime as _dt
import math
import multiprocessing
import multiprocessing.context
import numbers as _num
import os
import re
import sys
import threading
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeAlias

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

from .errors import InputError
from .fastvalid import FastE164


@dataclass(frozen=True, slots=True)
class Invalid:
    """A non-blank value that is not a usable phone number, and why."""

    reason: str


#: What a cell becomes: an E.164 string, an :class:`Invalid`, or ``None`` for a blank cell.
Normalised: TypeAlias = str | Invalid | None

NOT_A_NUMBER = "not a phone number"
TOO_SHORT = "too short"
TOO_LONG = "too long"
NO_REGION = "no country code and no default region"

# Excel's error values, as calamine, openpyxl and xlwings (err_to_str) hand them over.
_EXCEL_ERRORS = frozenset(
    {
        "#N/A",
        "#VALUE!",
        "#REF!",
        "#DIV/0!",
        "#NUM!",
        "#NAME?",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)
_PREFIXES = ("tel:", "callto:", "phone:", "whatsapp:")
# Separators people type between digit groups; NFKC has already made NBSP a plain space.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.\/()\[\]'\u2019·_]+")
_EXTENSION = re.compile(r"(?:ext\.?|extension|x|#)\s*\d{1,6}$", re.IGNORECASE)
_CLEAN = re.compile(r"\+?\d+")
# "41798284651.0": a numeric cell that went through CSV or str(float).
_FLOAT_TEXT = re.compile(r"(\d+)\.0+")
# "4.18E+10": Excel already threw the last digits away; nothing can bring them back.
_SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?[eE]\+?\d+")
_E164_SHAPE = re.compile(r"\+[1-9]\d{6,14}")
# The ASCII characters _SEPARATORS removes, for a quick path on typical '+…' text.
_ASCII_SEPARATORS = str.maketrans("", "", " \t\n\r\f\v-./()[]'_")
_FAST = FastE164()


def check_region(region: str | None) -> str | None:
    """Upper-case a default region and refuse one libphonenumber does not know."""
    if region is None or not region.strip():
        return None
    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise InputError(
            f"'{region}' is not a country code phonenumbers knows; use two letters such as "
            "CH, DE, GB or US."
        )
    return code


def normalise(value: object, region: str | None = None) -> Normalised:
    """Turn one cell value into E.164, an :class:`Invalid` reason, or ``None`` if blank.

    Never raises for any value: a spreadsheet may hold anything.
    """
    region = region.strip().upper() or None if region else None
    if value is None or isinstance(value, bool):
        return None if value is None else Invalid(f"{NOT_A_NUMBER} (TRUE/FALSE)")
    if isinstance(value, str):
        return _from_text(value, region)
    if isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
        return Invalid(f"a date or time, {NOT_A_NUMBER}")
    if isinstance(value, _num.Integral):
        return _from_digits(str(int(value)), region) if value > 0 else Invalid(NOT_A_NUMBER)
    if isinstance(value, _num.Real):
        number = float(value)
        if math.isnan(number):
            return None  # pandas' empty cell
        if not math.isfinite(number) or number <= 0 or not number.is_integer():
            return Invalid(NOT_A_NUMBER)
        return _from_digits(str(int(number)), region)
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas.NA / NaT without pandas
        return None
    return Invalid(NOT_A_NUMBER)


def _from_text(text: str, region: str | None) -> Normalised:
    if _E164_SHAPE.fullmatch(text):
        return _from_plus(text)  # the common case: already clean, still validated
    if not text.isascii():  # full-width digits, NBSP and friends become plain ASCII
        text = unicodedata.normalize("NFKC", text)
    elif text[:1] == "+":
        compact = text.translate(_ASCII_SEPARATORS)
        if compact[1:].isdigit():  # '+44 7400 100000': what the full path below comes to
            return _from_plus(compact)
    text = text.strip()
    if not text:
        return None
    if text.upper() in _EXCEL_ERRORS:
        return Invalid(f"Excel error {text.upper()}")
    if _E164_SHAPE.fullmatch(text):
        return _from_plus(text)  # the common case: already clean, still validated
    lowered = text.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            text = text[len(prefix) :].strip()
            break
    if _SCIENTIFIC.fullmatch(text):
        return Invalid("digits lost to scientific notation (format the column as text)")
    float_text = _FLOAT_TEXT.fullmatch(text)
    if float_text:
        return _from_digits(float_text.group(1), region)
    text = _EXTENSION.sub("", text)
    compact = _SEPARATORS.sub("", text)
    if not _CLEAN.fullmatch(compact):
        return Invalid(NOT_A_NUMBER)
    if compact.startswith("+"):
        return _from_plus(compact)
    return _from_digits(compact, region)


def _from_plus(text: str) -> Normalised:
    if _E164_SHAPE.fullmatch(text):  # the exact fast path (fastvalid.py)
        verdict = _FAST.valid(text)
        if verdict:
            return text
        if verdict is False:  # parse would keep these digits: skip straight to the reason
            code, nsn = _FAST.split(text)  # type: ignore[misc]
            number = phonenumbers.PhoneNumber(country_code=code, national_number=int(nsn))
            return Invalid(_invalid_reason(number))
    try:
        parsed = phonenumbers.parse(text, None)
    except NumberParseException as error:
        return Invalid(_parse_reason(error, text))
    return _e164_or_reason(parsed)


def _from_digits(digits: str, region: str | None) -> Normalised:
    """Digits without '+': a national number, or an international one that lost its '+'."""
    if digits.startswith("00"):
        # The international call prefix almost everywhere; never the start of a national number.
        return _from_plus("+" + digits[2:])
    if region is None and _E164_SHAPE.fullmatch("+" + digits):
        verdict = _FAST.valid("+" + digits)  # no national reading to prefer: the fast path
        if verdict:
            return "+" + digits
        if verdict is False:  # invalid read as international, and no region to try
            return Invalid(_length_reason(digits))
    national, national_error = None, None
    if region:
        try:
            national = phonenumbers.parse(digits, region)
        except NumberParseException as error:
            national_error = error
    if national is not None and phonenumbers.is_valid_number(national):
        return _format(national)
    international = _parse_or_none("+" + digits, None)
    if international is not None and phonenumbers.is_valid_number(international):
        return _format(international)
    if national is not None:
        return Invalid(_invalid_reason(national))
    if national_error is not None:
        return Invalid(_parse_reason(national_error, digits))
    return Invalid(_length_reason(digits))


def _length_reason(digits: str) -> str:
    """Digits that are a number neither nationally nor internationally."""
    if len(digits) < 7:
        return TOO_SHORT
    if len(digits) > 17:
        return TOO_LONG
    return NO_REGION


def _parse_or_none(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException:
        return None


def _e164_or_reason(parsed: phonenumbers.PhoneNumber) -> Normalised:
    if phonenumbers.is_valid_number(parsed):
        return _format(parsed)
    return Invalid(_invalid_reason(parsed))


def _format(parsed: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


def _invalid_reason(parsed: phonenumbers.PhoneNumber) -> str:
    code = parsed.country_code
    why = phonenumbers.is_possible_number_with_reason(parsed)
    if why == ValidationResult.INVALID_COUNTRY_CODE:
        return f"unknown country code +{code}"
    if why == ValidationResult.TOO_SHORT:
        return TOO_SHORT
    if why == ValidationResult.TOO_LONG:
        return TOO_LONG
    region = phonenumbers.region_code_for_country_code(code)
    where = f"{region} (+{code})" if region not in (None, "ZZ", "001") else f"+{code}"
    if why == ValidationResult.INVALID_LENGTH:
        return f"wrong number of digits for {where}"
    return f"not a valid number for {where}"


def _parse_reason(error: NumberParseException, text: str) -> str:
    kind = error.error_type
    if kind == NumberParseException.INVALID_COUNTRY_CODE:
        if text.startswith("+"):
            return f"unknown country code +{text[1:4]}"
        return NO_REGION
    if kind in (NumberParseException.TOO_SHORT_NSN, NumberParseException.TOO_SHORT_AFTER_IDD):
        return TOO_SHORT
    if kind == NumberParseException.TOO_LONG:
        return TOO_LONG
    return NOT_A_NUMBER


class Normaliser:
    """:func:`normalise` with a memory: a lead list repeats values, so each distinct raw
    value is parsed once (phonenumbers costs ~20 µs a call)."""

    def __init__(self, region: str | None = None) -> None:
        self.region = check_region(region)
        self._seen: dict[object, Normalised] = {}

    def __call__(self, value: object) -> Normalised:
        # bool is an int and 1 == 1.0 == True, so only text and numbers share the memory.
        kind = type(value)
        if kind is str or kind is int or kind is float:
            key = (kind is str, value)
            try:
                return self._seen[key]
            except KeyError:
                result = self._seen[key] = normalise(value, self.region)
                return result
        return normalise(value, self.region)


#: Distinct values from which a second process pays for its start-up (fork is cheap; a
#: spawned interpreter must import phonenumbers first).
PARALLEL_MIN_FORK = 40_000
PARALLEL_MIN_SPAWN = 250_000


_ONE_TABLE = frozenset({str, int, float, type(None)})


def normalise_all(values: Sequence[object], region: str | None = None) -> list[Normalised]:
    """:func:`normalise` for a whole column: each distinct value once, on every core when
    the column is big enough for that to pay."""
    region = check_region(region)
    if set(map(type, values)) <= _ONE_TABLE:  # of the values: True merges with 1 in a dict
        distinct = dict.fromkeys(values)
        # Text never equals a number, and equal ints and floats read alike, so one table
        # serves the column (True == 1 or Decimal(1) == 1 would not: those take the long
        # way). Each distinct value is read once; mapping back runs in C.
        keys = [v for v in distinct if v is not None]
        table: dict[object, Normalised] = {None: None}
        table.update(zip(keys, _normalise_values(keys, region), strict=True))
        return list(map(table.__getitem__, values))
    # Text and numbers are kept apart: 1 == 1.0 == True, and "1" must not meet 1.
    texts = dict.fromkeys(v for v in values if type(v) is str)
    numbers = dict.fromkeys(v for v in values if type(v) is int or type(v) is float)
    keys = [*texts, *numbers]
    answers = _normalise_values(keys, region)
    text_answers = dict(zip(texts, answers, strict=False))
    number_answers = dict(zip(numbers, answers[len(texts) :], strict=True))
    out: list[Normalised] = []
    append = out.append
    for value in values:
        kind = type(value)
        if kind is str:
            append(text_answers[value])
        elif kind is int or kind is float:
            append(number_answers[value])
        else:
            append(normalise(value, region))
    return out


def _normalise_chunk(chunk: list[object], region: str | None) -> list[Normalised]:
    return [normalise(value, region) for value in chunk]


def _normalise_values(values: list[object], region: str | None) -> list[Normalised]:
    context = _pool_context(len(values))
    if context is None:
        return _normalise_chunk(values, region)
    workers = min(os.cpu_count() or 1, 4)
    size = -(-len(values) // workers)
    chunks = [values[start : start + size] for start in range(0, len(values), size)]
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            parts = list(pool.map(_normalise_chunk, chunks, [region] * len(chunks)))
    except (OSError, BrokenProcessPool):  # no processes to be had: do it here
        return _normalise_chunk(values, region)
    return [item for part in parts for item in part]


def _pool_context(count: int) -> multiprocessing.context.BaseContext | None:
    if (os.cpu_count() or 1) < 2 or count < PARALLEL_MIN_FORK:
        return None
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")  # safe: no other thread holds a lock
    if count >= PARALLEL_MIN_SPAWN and multiprocessing.current_process().name == "MainProcess":
        return multiprocessing.get_context("spawn")
    return None
