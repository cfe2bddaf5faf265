"""CSV lead lists: read the phone column and write the results back, a row at a time.

A CSV has no parts to leave untouched, so it is rewritten whole — but never held whole: the
column is read in one pass, and the write-back reads the file again beside the output, so a
million-row CSV costs the memory of its phone column, not of every cell (twice over).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .layout import HEAD_ROWS, Layout, locate
from .plan import RESULT_HEADERS, ResultRow
from .textsafe import csv_safe

_SLICE = 1 << 20


@dataclass(frozen=True, slots=True)
class CsvFormat:
    encoding: str  # utf-8-sig (kept when the file has a BOM), utf-8, or cp1252
    delimiter: str

    @property
    def errors(self) -> str:
        """cp1252 leaves five bytes undefined; they pass through unchanged, not as '?'."""
        return "surrogateescape" if self.encoding == "cp1252" else "strict"


@dataclass(frozen=True, slots=True)
class CsvColumn:
    format: CsvFormat
    layout: Layout
    header: list[Any]
    values: list[Any]
    #: Columns holding anything in any row: results never go over them.
    used: set[int]


def sniff(path: Path) -> CsvFormat:
    """UTF-8 (with or without BOM) if every byte decodes so, else Windows' cp1252; the
    delimiter is the one the header line uses most (signatures may hold any punctuation)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        start = handle.read(_SLICE)
        encoding = "utf-8-sig" if start.startswith(codecs.BOM_UTF8) else "utf-8"
        chunk = start
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = handle.read(_SLICE)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            encoding = "cp1252"
    text = start.decode(encoding, errors="replace")
    first_line = text.split("\n", 1)[0]
    return CsvFormat(encoding, max(",;\t|", key=first_line.count))


def read_column(path: Path, column: str | None) -> CsvColumn:
    found = sniff(path)
    with path.open(encoding=found.encoding, errors=found.errors, newline="") as handle:
        reader = csv.reader(handle, delimiter=found.delimiter)
        head = list(itertools.islice(reader, HEAD_ROWS))
        layout = locate(head, column)
        index = layout.column
        used: set[int] = set()
        values: list[Any] = []
        append = values.append
        for number, row in enumerate(itertools.chain(head, reader)):
            used.update(itertools.compress(range(len(row)), row))  # the non-empty cells
            if number >= layout.first_row:
                append(row[index] if index < len(row) else None)
    while values and values[-1] in (None, ""):
        values.pop()
    header = list(head[layout.header_row]) if layout.header_row is not None else []
    return CsvColumn(found, layout, header, values, used)


def write_results(
    source: Path,
    target: Path,
    column: CsvColumn,
    first: int,
    rows: Sequence[ResultRow],
) -> None:
    """``source`` with the four result values from column ``first`` on, as ``target``."""
    found, layout = column.format, column.layout
    width = first + len(RESULT_HEADERS)
    blank = [""] * len(RESULT_HEADERS)
    cells: dict[ResultRow, list[object]] = {}
    with (
        source.open(encoding=found.encoding, errors=found.errors, newline="") as reading,
        target.open("w", encoding=found.encoding, errors=found.errors, newline="") as writing,
    ):
        writer = csv.writer(writing, delimiter=found.delimiter, lineterminator="\r\n")
        for index, row in enumerate(csv.reader(reading, delimiter=found.delimiter)):
            offset = index - layout.first_row
            if index == layout.header_row:
                new: list[object] = list(RESULT_HEADERS)
            elif 0 <= offset < len(rows):
                result = rows[offset]
                new = cells.get(result)  # type: ignore[assignment]
                if new is None:
                    new = cells[result] = [_text(value, found) for value in result]
                    if len(cells) > 100_000:
                        cells.clear()
            else:
                new = blank  # type: ignore[assignment]
            if len(row) < width:
                row += [""] * (width - len(row))
            row[first:width] = new
            writer.writerow(row)


def _text(value: object, found: CsvFormat) -> object:
    """A result value as CSV text: dates in ISO form, formula-like text defused, and in a
    cp1252 file what cp1252 cannot hold (emoji in a signature) as '?'."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = csv_safe(value)
    if found.encoding == "cp1252" and isinstance(text, str):
        text = text.encode("cp1252", "replace").decode("cp1252")
    return text
