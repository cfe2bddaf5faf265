"""The workbook-file front-end: check a column of an .xlsx, .xlsm or .csv without Excel.

Reading is python-calamine's (fast, read-only); writing is :mod:`xlsxpatch`'s one-part edit
for workbooks and :mod:`csvfile`'s row-by-row rewrite for CSV. A file is changed in place
only after a timestamped backup copy, and through a temporary file replaced atomically.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from . import csvfile, xlsxpatch
from .api import ApiClient
from .check import Outcome, check_plan
from .errors import InputError
from .layout import HEAD_ROWS, Layout, column_letters, locate, output_column
from .plan import RESULT_HEADERS, plan_rows

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
        sheet_name, layout, header, values = _read_workbook(path, sheet, column)
        # Before anything is paid for: a sheet we could not write into fails here.
        used = xlsxpatch.used_columns(path, sheet_name)
    elif suffix == ".csv":
        table = csvfile.read_column(path, column)
        layout, header, values, used = table.layout, table.header, table.values, table.used
    else:
        raise InputError(f"{path.name}: only .xlsx, .xlsm and .csv files can be checked.")
    first = output_column(header, used, layout.column)
    target = {
        "kind": "file",
        "file": str(path.resolve()),
        "sheet": sheet,
        "column": column or column_letters(layout.column),
        "region": region,
        "out": str(Path(out).resolve()) if out else None,
    }
    plan = plan_rows(values, region)
    del values  # a million raw cells: the plan holds what is still needed
    outcome = check_plan(plan, client, target=target, front_end="cli", **check)
    if suffix == ".csv":
        written, backup = _save(
            path,
            out,
            lambda target: csvfile.write_results(path, target, table, first, outcome.rows),
        )
    else:
        cells = ResultCells(layout, outcome)
        written, backup = _save(
            path,
            out,
            lambda target: xlsxpatch.write_columns(
                path, target, sheet_name, first, cells, width=len(RESULT_HEADERS)
            ),
        )
    outcome.applied()
    span = f"{column_letters(first)}:{column_letters(first + len(RESULT_HEADERS) - 1)}"
    return FileOutcome(outcome, written, backup, span, column_letters(layout.column))


def _read_workbook(
    path: Path, sheet: str | None, column: str | None
) -> tuple[str, Layout, list[Any], list[Any]]:
    """The sheet's name, where the phone column is, the header row and the column's values.

    Only the top rows are read whole (to find the header); the rest is streamed and only
    the phone column kept, so a million rows of every column are never held at once."""
    unreadable = (zipfile.BadZipFile, KeyError, CalamineError, ValueError)
    try:
        with zipfile.ZipFile(path) as archive:
            _, name = xlsxpatch.sheet_part(archive, sheet)
        found = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name)
        head = found.to_python(skip_empty_area=False, nrows=HEAD_ROWS)
    except unreadable as error:
        raise _unreadable(path, error) from error
    layout = locate(head, column)  # its own errors are about the layout, not the file
    try:
        values = _streamed_column(found, layout.column)[layout.first_row :]
    except unreadable as error:
        raise _unreadable(path, error) from error
    while values and values[-1] in (None, ""):
        values.pop()
    header = list(head[layout.header_row]) if layout.header_row is not None else []
    return name, layout, header, values


def _unreadable(path: Path, error: Exception) -> InputError:
    return InputError(f"{path.name} is not a readable Excel workbook ({error}).")


def _streamed_column(sheet: Any, column: int) -> list[Any]:
    """One column of every row from row 1 down, through ``iter_rows``.

    Unlike ``to_python``, ``iter_rows`` leaves out the empty columns left of the used range,
    and its rows start at row 1 in python-calamine 0.9 but might start at the first used row
    in another version (python-calamine issue #177); the row length and count tell which."""
    top, left = sheet.start or (0, 0)
    rows = sheet.iter_rows()
    first = next(rows, None)
    if first is None:
        return []
    index = column if len(first) > sheet.width else column - left
    if index < 0:
        return []
    cells = [row[index] if index < len(row) else None for row in itertools.chain([first], rows)]
    if top and len(cells) == sheet.height:  # it started at the first used row
        cells[:0] = [None] * top
    return cells


class ResultCells(Mapping[int, Sequence[object]]):
    """Row → the four values to write, built on demand instead of a million lists at once."""

    def __init__(self, layout: Layout, outcome: Outcome) -> None:
        self.header = layout.header_row
        self.first = layout.first_row
        self.rows = outcome.rows

    def __getitem__(self, row: int) -> Sequence[object]:
        if row == self.header:
            return list(RESULT_HEADERS)
        index = row - self.first
        if not 0 <= index < len(self.rows):
            raise KeyError(row)
        return self.rows[index]  # a shared ResultRow: the writer renders each one once

    def __iter__(self) -> Iterator[int]:
        if self.header is not None:
            yield self.header
        yield from range(self.first, self.first + len(self.rows))

    def __len__(self) -> int:
        return len(self.rows) + (self.header is not None)


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
