"""Where the phone column is and where results go: sheet layout decisions, without I/O.

Front-ends hand in the sheet as plain rows of values (and which cells hold anything); this
module finds the header row and the phone column, and picks four output columns that never
cover a cell the user owns — or finds the columns an earlier run wrote, to reuse them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import InputError
from .numbers import normalise
from .plan import RESULT_HEADERS

_HEADER_SCAN = 20
_SAMPLE = 50
#: How many rows from the top :func:`locate` may look at.
HEAD_ROWS = _HEADER_SCAN + _SAMPLE
_PHONE_WORDS = re.compile(
    r"phone|mobile|cell|tel|number|nummer|numéro|numero|handy|whatsapp|msisdn",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Layout:
    """0-based positions: the header row (or None), the phone column, the first data row."""

    header_row: int | None
    column: int
    first_row: int


def column_index(letters: str) -> int:
    """'A' → 0, 'AA' → 26."""
    index = 0
    for char in letters.strip().upper():
        if not "A" <= char <= "Z":
            raise InputError(f"'{letters}' is not a column letter.")
        index = index * 26 + ord(char) - 64
    if not 1 <= index <= 16_384:
        raise InputError(f"'{letters}' is outside the sheet (A to XFD).")
    return index - 1


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def is_label(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not isinstance(normalise(value), str)


def locate(rows: Sequence[Sequence[object]], column: str | None = None) -> Layout:
    """Find the header row and the phone column, by letter, by header text, or by guessing."""
    top = min(len(rows), _HEADER_SCAN)
    if (
        column
        and re.fullmatch(r"[A-Za-z]{1,3}", column.strip())
        and not _header_named(rows, column, top)
    ):
        index = column_index(column)
        for r in range(top):
            value = rows[r][index] if index < len(rows[r]) else None
            if value not in (None, ""):
                header = r if is_label(value) else None
                return Layout(header, index, r + 1 if header is not None else r)
        raise InputError(f"Column {column.upper()} is empty.")
    header_row = next((r for r in range(top) if any(is_label(v) for v in rows[r])), None)
    if header_row is None:
        raise InputError("No header row found; name the phone column with --column LETTER.")
    labels = [str(v).strip() if isinstance(v, str) else "" for v in rows[header_row]]
    if column:
        matches = [i for i, label in enumerate(labels) if label.lower() == column.strip().lower()]
        problem = f"No column is headed '{column}'"
    else:
        matches = _best_phone_columns(rows, header_row, labels)
        problem = "Cannot tell which column holds the phone numbers"
    if len(matches) != 1:
        listing = ", ".join(
            f"{column_letters(i)}: {label}" for i, label in enumerate(labels) if label
        )
        how = "; name it with --column LETTER or --column HEADER"
        many = " (several match)" if matches else ""
        raise InputError(f"{problem}{many}{how}. The headers are: {listing}.")
    return Layout(header_row, matches[0], header_row + 1)


def _best_phone_columns(
    rows: Sequence[Sequence[object]], header_row: int, labels: list[str]
) -> list[int]:
    """Columns whose header sounds like a phone column; if several (or none) do, the one
    whose first values read best as phone numbers."""
    named = [
        i
        for i, label in enumerate(labels)
        if _PHONE_WORDS.search(label) and label.lower() not in RESULT_HEADERS
    ]
    if len(named) == 1:
        return named
    sample = rows[header_row + 1 : header_row + 1 + _SAMPLE]
    candidates = named or range(len(labels))
    scores = {
        i: sum(isinstance(normalise(r[i] if i < len(r) else None), str) for r in sample)
        for i in candidates
    }
    best = max(scores.values(), default=0)
    winners = [i for i, score in scores.items() if score == best]
    return winners if best * 2 > len(sample) else named


def _header_named(rows: Sequence[Sequence[object]], name: str, top: int) -> bool:
    wanted = name.strip().lower()
    return any(
        isinstance(v, str) and v.strip().lower() == wanted for r in range(top) for v in rows[r]
    )


def output_column(
    header: Sequence[object], used_columns: Sequence[int] | set[int], phone_column: int
) -> int:
    """The first of four columns to write: our own from an earlier run, the four beside the
    phone column if nothing is in them, or the four after the last used column."""
    labels = [str(v).strip().lower() if isinstance(v, str) else "" for v in header]
    width = len(RESULT_HEADERS)
    for start in range(len(labels) - width + 1):
        if tuple(labels[start : start + width]) == RESULT_HEADERS:
            return start
    beside = range(phone_column + 1, phone_column + 1 + width)
    if not any(column in used_columns for column in beside):
        return phone_column + 1
    return max(used_columns) + 1
