"""Put results beside the numbers in a live workbook, safely.

The worker re-reads the input block first: if the user sorted or edited it meanwhile, rows
are matched by number rather than position. The four result columns go beside the numbers —
our own columns from an earlier run, the empty columns next door, or columns inserted there
(Excel shifts every reference, unlike a file edit). Text columns are formatted as text
*before* writing, so no stranger's signature becomes a formula; each block is one write.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from ..numbers import Invalid, Normalised
from ..plan import RESULT_HEADERS, ResultRow, plan_rows, result_row
from ..records import CheckResult
from .busy import patiently
from .port import Area, ExcelPort
from .selection import ColumnBlock

NOT_CHECKED = "not checked (changed after the check was started)"
TEXT, DATE = "@", "yyyy-mm-dd"
T = TypeVar("T")


def rows_for(
    values: list[object],
    region: str | None,
    results: Mapping[str, CheckResult],
    checked: Collection[str],
) -> tuple[list[Normalised], list[ResultRow]]:
    """Each current value's answer; a number nobody checked says so instead of guessing."""
    plan = plan_rows(values, region)
    rows: list[ResultRow] = []
    for entry in plan.entries:
        if entry is None:
            rows.append(ResultRow())
        elif isinstance(entry, Invalid):
            rows.append(ResultRow(note=entry.reason))
        elif entry in results or entry in checked:
            rows.append(result_row(results.get(entry)))
        else:
            rows.append(ResultRow(note=NOT_CHECKED))
    return plan.entries, rows


def write_results(
    port: ExcelPort,
    block: ColumnBlock,
    region: str | None,
    results: Mapping[str, CheckResult],
    checked: Collection[str],
    *,
    deadline: float = 600.0,
    sleep: Callable[[float], None] | None = None,
) -> tuple[int, list[Normalised], list[ResultRow]]:
    """Write the four columns; returns the first result column, and each row's number and
    answer as written."""

    def call(function: Callable[[], T]) -> T:
        options: dict[str, Any] = {"deadline": deadline}
        if sleep is not None:
            options["sleep"] = sleep
        return patiently(function, **options)

    sheet, column = block.sheet, block.column
    top = block.header_row or block.first_row
    current = call(lambda: port.read(sheet, Area(block.first_row, column, block.last_row, column)))
    entries, rows = rows_for([row[0] for row in current], region, results, checked)
    start = _output_column(port, block, call)
    for offset, fmt in enumerate((TEXT, TEXT, DATE, TEXT)):
        call(
            lambda o=offset, f=fmt: port.number_format(
                sheet, Area(top, start + o, block.last_row, start + o), f
            )
        )
    out = [row.as_list() for row in rows]
    if block.header_row is not None:
        out.insert(0, list(RESULT_HEADERS))
    call(lambda: port.write(sheet, top, start, out))
    return start, entries, rows


def _output_column(
    port: ExcelPort, block: ColumnBlock, call: Callable[[Callable[[], Any]], Any]
) -> int:
    sheet, column = block.sheet, block.column
    width = len(RESULT_HEADERS)
    used = call(lambda: port.used_area(sheet))
    if block.header_row is not None and used.right > column:
        header = call(
            lambda: port.read(
                sheet, Area(block.header_row, column + 1, block.header_row, used.right)
            )
        )[0]
        labels = [str(v).strip().lower() if isinstance(v, str) else "" for v in header]
        for index in range(len(labels) - width + 1):
            if tuple(labels[index : index + width]) == RESULT_HEADERS:
                return column + 1 + index
    top = block.header_row or block.first_row
    beside = call(lambda: port.read(sheet, Area(top, column + 1, block.last_row, column + width)))
    if all(value is None or value == "" for row in beside for value in row):
        return column + 1
    call(lambda: port.insert_columns(sheet, column + 1, width))
    return column + 1
