"""From a column of cell values to what gets uploaded, and from results back to every row.

The plan is the heart of "nothing paid twice": each distinct valid number is uploaded once
however many rows hold it and however it is formatted, invalid rows are never uploaded,
and every row — duplicate, invalid, blank or not processed — gets an answer back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from .bulk import no_gc
from .numbers import Invalid, Normalised, normalise_all
from .records import CheckResult

#: The four columns every front-end writes, in this order.
RESULT_HEADERS = ("whatsapp", "signature", "status_update", "note")
NOT_PROCESSED = "not processed"


@dataclass(frozen=True, slots=True)
class PlanCounts:
    """The numbers a confirmation prompt shows before anything is charged."""

    rows: int
    blank: int
    invalid: int
    #: Rows holding a valid number (duplicates included).
    valid: int
    #: Distinct valid numbers.
    unique: int
    #: Distinct numbers answered from the local cache, so free.
    cached: int = 0

    @property
    def duplicates(self) -> int:
        return self.valid - self.unique

    @property
    def to_charge(self) -> int:
        return self.unique - self.cached


class ResultRow(NamedTuple):
    """The four values written beside one input row.

    A named tuple, shared by every row with the same answer: a million rows need only as
    many of these as there are distinct answers, and writers can key caches on them."""

    whatsapp: str | None = None
    signature: str | None = None
    status_update: dt.date | str | None = None
    note: str | None = None

    def as_list(self) -> list[object]:
        return [self.whatsapp, self.signature, self.status_update, self.note]


_BLANK = ResultRow()
_NO_ANSWER = object()  # a number the result file left out


class Plan:
    """Each row's number or reason, and the distinct numbers in first-seen order."""

    __slots__ = ("entries", "unique")

    def __init__(self, entries: list[Normalised], unique: list[str]) -> None:
        self.entries = entries
        self.unique = unique

    def counts(self, cached: Container[str] = ()) -> PlanCounts:
        blank = invalid = 0
        for entry in self.entries:
            if entry is None:
                blank += 1
            elif type(entry) is Invalid:
                invalid += 1
        rows = len(self.entries)
        n_cached = sum(1 for number in self.unique if number in cached) if cached else 0
        return PlanCounts(rows, blank, invalid, rows - blank - invalid, len(self.unique), n_cached)

    def to_upload(self, cached: Container[str] = ()) -> list[str]:
        """The numbers that must be paid for: unique, valid, not already known."""
        if not cached:
            return list(self.unique)
        return [number for number in self.unique if number not in cached]

    def result_rows(self, results: Mapping[str, CheckResult]) -> list[ResultRow]:
        """One :class:`ResultRow` per input row, in input order; equal rows are one object."""
        shared: dict[object, ResultRow] = {}
        rows: list[ResultRow] = []
        append, get = rows.append, results.get
        with no_gc():
            for entry in self.entries:
                if entry is None:
                    append(_BLANK)
                    continue
                if type(entry) is Invalid:
                    key: object = entry
                    result = None
                else:
                    result = get(entry)
                    key = _NO_ANSWER if result is None else result[1:]
                row = shared.get(key)
                if row is None:
                    row = shared[key] = (
                        ResultRow(note=entry.reason)
                        if type(entry) is Invalid
                        else result_row(result)
                    )
                append(row)
        return rows

    def result_block(self, results: Mapping[str, CheckResult]) -> list[list[object]]:
        """:meth:`result_rows` as a 2-D block ready to write under :data:`RESULT_HEADERS`."""
        return [row.as_list() for row in self.result_rows(results)]


def result_row(result: CheckResult | None) -> ResultRow:
    """How one number's result reads in a sheet; ``None`` means the API never answered it."""
    if result is None:
        return ResultRow(note=NOT_PROCESSED)
    whatsapp = None if result.whatsapp is None else ("yes" if result.whatsapp else "no")
    note = None if result.whatsapp is not None else "the service gave no clear yes/no"
    return ResultRow(whatsapp, result.signature or None, result.status_update, note)


def plan_rows(values: Iterable[object], region: str | None = None) -> Plan:
    """Normalise every value and collect the distinct valid numbers."""
    with no_gc():
        entries = normalise_all(values if isinstance(values, list) else list(values), region)
        unique = [entry for entry in dict.fromkeys(entries) if type(entry) is str]
    return Plan(entries, unique)
