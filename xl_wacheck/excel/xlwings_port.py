"""The real Excel behind the port, through xlwings.

Facts this adapter respects: ``xw.Book(path)`` *opens* a file Excel does not have open, so
reconnecting goes through ``xw.apps[pid]`` and that app's books only; on Windows xlwings
retries a rejected COM call forever, so the retries are bounded here and a rejection
becomes :class:`ExcelBusy`; when called from the add-in, the caller is the add-in itself
and the user's workbook is the active one.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from ..layout import column_index, column_letters
from .port import Area, ExcelBusy, Selection, WorkbookGone

HIDDEN_SHEET = "_wacheck"
_BUSY_HRESULTS = {-2147418111, -2147417846}  # RPC_E_CALL_REJECTED, RPC_E_SERVERCALL_RETRYLATER
_AREA = re.compile(r"\$?([A-Z]{1,3})?\$?(\d+)?(?::\$?([A-Z]{1,3})?\$?(\d+)?)?")
T = TypeVar("T")


def _xw() -> Any:
    import xlwings

    return xlwings


def bound_com_retries(attempts: int = 5) -> None:
    """Replace xlwings' endless retry of rejected COM calls by a few attempts (Windows)."""
    module = sys.modules.get("xlwings._xlwindows")
    if module is not None and getattr(module, "N_COM_ATTEMPTS", None) == 0:
        module.N_COM_ATTEMPTS = attempts


def parse_address(address: str) -> tuple[Area, ...]:
    """'$A$1:$A$10,$C$3' (or whole columns '$B:$B') → areas, 1-based."""
    areas = []
    for part in address.replace(" ", "").split(","):
        part = part.rsplit("!", 1)[-1]
        match = _AREA.fullmatch(part)
        if not match:
            raise ValueError(f"unreadable address {address!r}")
        c1, r1, c2, r2 = match.groups()
        left = column_index(c1) + 1 if c1 else 1
        right = column_index(c2) + 1 if c2 else (left if c1 else 16_384)
        top = int(r1) if r1 else 1
        bottom = int(r2) if r2 else (top if r1 and not c2 else 1_048_576)
        areas.append(Area(top, left, bottom, right))
    return tuple(areas)


def _guard(call: Callable[[], T]) -> T:
    try:
        return call()
    except Exception as error:
        if getattr(error, "hresult", None) in _BUSY_HRESULTS:
            raise ExcelBusy(str(error)) from error
        raise


class XlwingsPort:
    def __init__(self, book: Any) -> None:
        bound_com_retries()
        self._book = book
        self.book = str(book.fullname)
        self.pid = getattr(book.app, "pid", None)

    @classmethod
    def caller(cls) -> XlwingsPort:
        book = _xw().Book.caller()
        if str(book.fullname).lower().endswith((".xlam", ".xla")):
            book = book.app.books.active  # called from the add-in: act on the user's book
        return cls(book)

    @classmethod
    def connect(cls, pid: int | None, fullname: str) -> XlwingsPort:
        """The same running Excel and the same open workbook — never opening a file."""
        xw = _xw()
        try:
            app = xw.apps[pid] if pid is not None else xw.apps.active
        except Exception as error:
            raise WorkbookGone(fullname) from error
        for book in app.books:
            if str(book.fullname).lower() == fullname.lower():
                return cls(book)
        raise WorkbookGone(fullname)

    def _sheet(self, name: str) -> Any:
        return self._book.sheets[name]

    def _range(self, sheet: str, area: Area) -> Any:
        return self._sheet(sheet).range((area.top, area.left), (area.bottom, area.right))

    def selection(self) -> Selection:
        def read() -> Selection:
            chosen = self._book.app.selection
            return Selection(str(chosen.sheet.name), parse_address(str(chosen.address)))

        return _guard(read)

    def used_area(self, sheet: str) -> Area:
        def read() -> Area:
            used = self._sheet(sheet).used_range
            last = used.last_cell
            return Area(used.row, used.column, last.row, last.column)

        return _guard(read)

    def read(self, sheet: str, area: Area) -> list[list[object]]:
        return _guard(lambda: self._range(sheet, area).options(ndim=2).value)

    def write(self, sheet: str, top: int, left: int, block: list[list[object]]) -> None:
        def put() -> None:
            self._sheet(sheet).range((top, left)).value = block

        _guard(put)

    def insert_columns(self, sheet: str, before: int, count: int) -> None:
        def insert() -> None:  # whole columns: Excel shifts every reference to them
            self._sheet(sheet).range(_columns(before, count)).insert(shift="right")

        _guard(insert)

    def number_format(self, sheet: str, area: Area, fmt: str) -> None:
        def set_format() -> None:
            self._range(sheet, area).number_format = fmt

        _guard(set_format)

    def status(self, text: str | None) -> None:
        def show() -> None:
            self._book.app.status_bar = text if text else False

        _guard(show)

    def alert(self, text: str, title: str, ok_cancel: bool = False) -> bool:
        buttons = "ok_cancel" if ok_cancel else "ok"
        answer = _guard(lambda: self._book.app.alert(text, title=title, buttons=buttons))
        return answer != "cancel"

    def ask(self, prompt: str, title: str, default: str = "") -> str | None:
        if sys.platform == "win32":
            answer = _guard(lambda: self._book.app.api.InputBox(prompt, title, default))
            return None if answer is False else str(answer)
        script = (
            f'display dialog "{_quote(prompt)}" default answer "{_quote(default)}" '
            f'with title "{_quote(title)}"'
        )
        done = subprocess.run(
            ["osascript", "-e", script, "-e", "text returned of result"],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.rstrip("\n") if done.returncode == 0 else None

    def _hidden(self) -> Any:
        names = [sheet.name for sheet in self._book.sheets]
        if HIDDEN_SHEET in names:
            return self._book.sheets[HIDDEN_SHEET]
        sheet = self._book.sheets.add(HIDDEN_SHEET, after=self._book.sheets[len(names) - 1])
        sheet.visible = False
        return sheet

    def remember(self, key: str, value: str) -> None:
        def store() -> None:
            sheet = self._hidden()
            stored = self._pairs(sheet)
            stored[key] = value
            sheet.range("A1").value = [[k, v] for k, v in stored.items()]

        _guard(store)

    def recall(self) -> dict[str, str]:
        def load() -> dict[str, str]:
            if HIDDEN_SHEET not in [sheet.name for sheet in self._book.sheets]:
                return {}
            return self._pairs(self._book.sheets[HIDDEN_SHEET])

        return _guard(load)

    @staticmethod
    def _pairs(sheet: Any) -> dict[str, str]:
        rows = sheet.used_range.options(ndim=2).value or []
        return {str(row[0]): str(row[1]) for row in rows if row and row[0] and len(row) > 1}

    def summary_sheet(self, name: str, block: list[list[object]], chart_rows: int) -> None:
        def build() -> None:
            names = [sheet.name for sheet in self._book.sheets]
            sheet = self._book.sheets[name] if name in names else self._book.sheets.add(name)
            sheet.clear()
            sheet.range("A1").value = block
            chart = sheet.charts.add(left=300, top=10)
            chart.set_source_data(sheet.range((2, 1), (chart_rows, 2)))
            chart.chart_type = "pie"

        _guard(build)


def _columns(before: int, count: int) -> str:
    """1-based column numbers → 'B:E'."""
    return f"{column_letters(before - 1)}:{column_letters(before + count - 2)}"


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
