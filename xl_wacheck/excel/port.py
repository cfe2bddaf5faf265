"""What the Excel front-end needs from Excel, and nothing more.

Rows and columns are 1-based, as Excel counts them. Both adapters — xlwings and the fake —
implement exactly this, so every entry point and the worker run unchanged against either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

MAX_ROWS = 1_048_576


class ExcelBusy(Exception):
    """Excel rejected the call (the user is editing a cell, a dialog is open): try later."""


class WorkbookGone(Exception):
    """The workbook (or Excel) is no longer open; results wait for ``refresh()``."""


@dataclass(frozen=True, slots=True)
class Area:
    top: int
    left: int
    bottom: int
    right: int


@dataclass(frozen=True, slots=True)
class Selection:
    sheet: str
    areas: tuple[Area, ...]


class ExcelPort(Protocol):
    #: The workbook's full name (path or URL), how the worker finds it again.
    book: str
    #: Excel's process ID, or None where it cannot be known.
    pid: int | None

    def selection(self) -> Selection: ...

    def used_area(self, sheet: str) -> Area: ...

    def read(self, sheet: str, area: Area) -> list[list[object]]: ...

    def write(self, sheet: str, top: int, left: int, block: list[list[object]]) -> None: ...

    def insert_columns(self, sheet: str, before: int, count: int) -> None: ...

    def number_format(self, sheet: str, area: Area, fmt: str) -> None: ...

    def status(self, text: str | None) -> None: ...

    def alert(self, text: str, title: str, ok_cancel: bool = False) -> bool: ...

    def ask(self, prompt: str, title: str, default: str = "") -> str | None: ...

    def remember(self, key: str, value: str) -> None: ...

    def recall(self) -> dict[str, str]: ...

    def summary_sheet(self, name: str, block: list[list[object]], chart_rows: int) -> None: ...
