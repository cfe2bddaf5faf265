"""The workbook-file front-end: check a column of an .xlsx, .xlsm or .csv without Excel.

Reading is python-calamine's (fast, read-only); writing is :mod:`xlsxpatch`'s one-part edit
for workbooks and a plain rewrite for CSV. A file is changed in place only after a
timestamped backup copy, and through a temporary file replaced atomically.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from . import xlsxpatch
from .api import ApiClient
from .check import Outcome, check_values
from .errors import InputError
from .layout import Layout, column_letters, locate, output_column
from .plan import RESULT_HEADERS
from .textsafe import csv_safe

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True, slots=True)
class FileOutcome:
    outcome: Outcome
    written: Path
    backup: Path | None
    #: e.g. "C:F": where the four result columns went.
    columns: str
    phone_column: str


def check_file(
    path: Path,
    client: ApiClient,
    *,
    sheet: str | None = None,
    column: str | None = None,
    region: str | None = None,
    out: Path | None = None,
    **check: Any,
) -> FileOutcome:
    """Check the phone column of ``path`` and write the results beside it."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"There is no file {path}.")
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        rows, sheet_name = _read_workbook(path, sheet)
    elif suffix == ".csv":
        rows, dialect, encoding = _read_csv(path)
    else:
        raise InputError(f"{path.name}: only .xlsx, .xlsm and .csv files can be checked.")
    layout = locate(rows, column)
    values = _column_values(rows, layout)
    header = list(rows[layout.header_row]) if layout.header_row is not None else []
    if suffix != ".csv":
        del rows  # a million rows of the whole sheet: not needed any more
    target = {
        "kind": "file",
        "file": str(path.resolve()),
        "sheet": sheet,
        "column": column or column_letters(layout.column),
        "region": region,
        "out": str(Path(out).resolve()) if out else None,
    }
    outcome = check_values(values, client, region=region, target=target, front_end="cli", **check)
    del values  # the plan holds what is still needed
    if suffix == ".csv":
        used = {i for row in rows for i, v in enumerate(row) if v not in (None, "")}
        first = output_column(header, used, layout.column)
        data = _csv_bytes(rows, layout, first, outcome, dialect, encoding)
        written, backup = _save(path, out, lambda target: target.write_bytes(data))
    else:
        first = output_column(header, xlsxpatch.used_columns(path, sheet_name), layout.column)
        cells = ResultCells(layout, outcome)
        written, backup = _save(
            path,
            out,
            lambda target: xlsxpatch.write_columns(path, target, sheet_name, first, cells),
        )
    outcome.applied()
    span = f"{column_letters(first)}:{column_letters(first + len(RESULT_HEADERS) - 1)}"
    return FileOutcome(outcome, written, backup, span, column_letters(layout.column))


def _read_workbook(path: Path, sheet: str | None) -> tuple[list[list[Any]], str]:
    try:
        with zipfile.ZipFile(path) as archive:
            _, name = xlsxpatch.sheet_part(archive, sheet)
        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (zipfile.BadZipFile, KeyError, CalamineError, ValueError) as error:
        raise InputError(f"{path.name} is not a readable Excel workbook ({error}).") from error
    return rows, name


def _read_csv(path: Path) -> tuple[list[list[Any]], str, str]:
    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        encoding, text = "cp1252", raw.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=first_line.count)
    rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    return rows, delimiter, encoding


def _column_values(rows: Sequence[Sequence[Any]], layout: Layout) -> list[Any]:
    index = layout.column
    values = [row[index] if index < len(row) else None for row in rows[layout.first_row :]]
    while values and values[-1] in (None, ""):
        values.pop()
    return values


class ResultCells(Mapping[int, list[object]]):
    """Row → the four values to write, built on demand instead of a million lists at once."""

    def __init__(self, layout: Layout, outcome: Outcome) -> None:
        self.header = layout.header_row
        self.first = layout.first_row
        self.rows = outcome.rows

    def __getitem__(self, row: int) -> list[object]:
        if row == self.header:
            return list(RESULT_HEADERS)
        index = row - self.first
        if not 0 <= index < len(self.rows):
            raise KeyError(row)
        return self.rows[index].as_list()

    def __iter__(self) -> Iterator[int]:
        if self.header is not None:
            yield self.header
        yield from range(self.first, self.first + len(self.rows))

    def __len__(self) -> int:
        return len(self.rows) + (self.header is not None)


def _csv_bytes(
    rows: list[list[Any]],
    layout: Layout,
    first: int,
    outcome: Outcome,
    delimiter: str,
    encoding: str,
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    width = first + len(RESULT_HEADERS)
    results = {layout.first_row + i: row.as_list() for i, row in enumerate(outcome.rows)}
    for index, row in enumerate(rows):
        if index == layout.header_row:
            new: list[object] = list(RESULT_HEADERS)
        else:
            new = [_csv_text(v) for v in results.get(index, [None] * len(RESULT_HEADERS))]
        padded = list(row) + [""] * max(0, width - len(row))
        padded[first:width] = ["" if v is None else v for v in new]
        writer.writerow(padded)
    return buffer.getvalue().encode(encoding)


def _csv_text(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    return csv_safe(value)


def _save(path: Path, out: Path | None, write: Any) -> tuple[Path, Path | None]:
    """Write to ``out``, or replace ``path`` atomically after a timestamped backup copy."""
    target = Path(out) if out is not None else path
    backup = None
    temporary: Path | None = None
    try:
        if out is None:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            backup = path.with_name(f"{path.stem}.wacheck-backup-{stamp}{path.suffix}")
            shutil.copy2(path, backup)
        handle, name = tempfile.mkstemp(prefix=".wacheck-", suffix=target.suffix, dir=target.parent)
        os.close(handle)
        temporary = Path(name)
        write(temporary)
        _keep_mode(target, temporary)
        os.replace(temporary, target)
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise WriteError(
            f"Cannot write {target} ({error.strerror or error}); is it open in Excel, or is "
            "the disk full? The results are kept: run the same command again."
        ) from error
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise
    return target, backup


def _keep_mode(target: Path, temporary: Path) -> None:
    """mkstemp makes 0600 files: give the result the original's mode (or the usual one)."""
    if target.exists():
        shutil.copymode(target, temporary)
    else:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)


class WriteError(InputError):
    """The results could not be written; they stay in the journal for the next run."""
