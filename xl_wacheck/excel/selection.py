"""Which cells a click means: the selection rules, as plain functions.

One cell means its whole contiguous block in that column; a whole column means the used
part of it; several columns or several areas get a clear message. A label on top of the
block is the header and is kept out of the upload.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InputError
from ..layout import is_label
from .port import MAX_ROWS, Area, Selection


@dataclass(frozen=True, slots=True)
class ColumnBlock:
    sheet: str
    column: int
    header_row: int | None
    first_row: int
    last_row: int

    @property
    def rows(self) -> int:
        return self.last_row - self.first_row + 1


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def single_column(selection: Selection) -> Area:
    if len(selection.areas) != 1:
        raise InputError(
            "Select one column of phone numbers (or one cell in it), not several areas."
        )
    area = selection.areas[0]
    if area.left != area.right:
        raise InputError("Select a single column: the phone numbers, or one cell in them.")
    return area


def column_block(selection: Selection, used: Area, column_values: Sequence[object]) -> ColumnBlock:
    """The block the user means. ``column_values`` are the selected column's cells over the
    used rows (``used.top`` to ``used.bottom``), read in one go."""
    area = single_column(selection)
    column = area.left

    def value(row: int) -> object:
        index = row - used.top
        return column_values[index] if 0 <= index < len(column_values) else None

    if area.top == area.bottom:  # one cell: grow up and down over filled cells
        if _blank(value(area.top)):
            raise InputError("The selected cell is empty: select a cell in the phone column.")
        top = bottom = area.top
        while top > used.top and not _blank(value(top - 1)):
            top -= 1
        while bottom < used.bottom and not _blank(value(bottom + 1)):
            bottom += 1
    else:
        top = max(area.top, used.top)
        bottom = min(area.bottom, used.bottom) if area.bottom >= MAX_ROWS else area.bottom
        while bottom > top and _blank(value(bottom)):
            bottom -= 1  # trailing blanks of a whole-column selection
        while top < bottom and _blank(value(top)):
            top += 1
    header = top if is_label(value(top)) else None
    first = top + 1 if header is not None else top
    if first > bottom:
        raise InputError("There are no phone numbers under the header.")
    return ColumnBlock(selection.sheet, column, header, first, bottom)
