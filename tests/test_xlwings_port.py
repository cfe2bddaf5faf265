"""The xlwings adapter, exercised call by call against a fake xlwings object model.

The fake has the attribute names xlwings has (App/Books/Book/Sheets/Sheet/Range/Charts),
so every xlwings call the adapter makes runs here; only Excel itself is missing.
"""

from __future__ import annotations

import re
import sys
import types
from typing import Any

import pytest

from xl_wacheck.excel import xlwings_port
from xl_wacheck.excel.port import Area, ExcelBusy, WorkbookGone
from xl_wacheck.excel.xlwings_port import XlwingsPort, bound_com_retries, parse_address


def _index(letters: str) -> int:
    value = 0
    for char in letters:
        value = value * 26 + ord(char) - 64
    return value


class FakeRange:
    def __init__(self, sheet: FakeSheet, top: int, left: int, bottom: int, right: int) -> None:
        self.sheet, self.row, self.column = sheet, top, left
        self.bottom, self.right = bottom, right
        self.ndim: int | None = None

    @property
    def last_cell(self) -> FakeRange:
        return FakeRange(self.sheet, self.bottom, self.right, self.bottom, self.right)

    @property
    def address(self) -> str:
        return f"${self.column}${self.row}"

    def options(self, ndim: int | None = None) -> FakeRange:
        self.ndim = ndim
        return self

    @property
    def value(self) -> Any:
        self.sheet.book.app.calls.append(("read", self.row, self.column, self.bottom, self.right))
        self.sheet.book.app.maybe_busy()
        return [
            [self.sheet.cells.get((r, c)) for c in range(self.column, self.right + 1)]
            for r in range(self.row, self.bottom + 1)
        ]

    @value.setter
    def value(self, block: Any) -> None:
        self.sheet.book.app.calls.append(("write", self.row, self.column))
        for r, row in enumerate(block):
            for c, item in enumerate(row):
                self.sheet.cells[(self.row + r, self.column + c)] = item

    @property
    def number_format(self) -> str:
        return self.sheet.formats.get((self.row, self.column), "General")

    @number_format.setter
    def number_format(self, fmt: str) -> None:
        for r in range(self.row, self.bottom + 1):
            for c in range(self.column, self.right + 1):
                self.sheet.formats[(r, c)] = fmt

    def insert(self, shift: str) -> None:
        assert shift == "right" and self.row == 1 and self.bottom == 1_048_576
        count = self.right - self.column + 1
        self.sheet.cells = {
            (r, c + count if c >= self.column else c): v for (r, c), v in self.sheet.cells.items()
        }
        self.sheet.book.app.calls.append(("insert", self.column, count))


class FakeChart:
    def __init__(self) -> None:
        self.source: FakeRange | None = None
        self.chart_type = "column_clustered"

    def set_source_data(self, source: FakeRange) -> None:
        self.source = source


class FakeCharts(list):  # type: ignore[type-arg]
    def add(self, left: float = 0, top: float = 0) -> FakeChart:
        chart = FakeChart()
        self.append(chart)
        return chart


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book, self.name, self.visible = book, name, True
        self.cells: dict[tuple[int, int], Any] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.charts = FakeCharts()

    def range(self, first: Any, second: Any = None) -> FakeRange:
        if isinstance(first, str):
            match = re.fullmatch(r"([A-Z]+)(\d*)(?::([A-Z]+)(\d*))?", first)
            assert match
            c1, r1, c2, r2 = match.groups()
            if not r1:  # whole columns
                return FakeRange(self, 1, _index(c1), 1_048_576, _index(c2 or c1))
            return FakeRange(self, int(r1), _index(c1), int(r2 or r1), _index(c2 or c1))
        last = second or first
        return FakeRange(self, first[0], first[1], last[0], last[1])

    @property
    def used_range(self) -> FakeRange:
        if not self.cells:
            return FakeRange(self, 1, 1, 1, 1)
        rows = [r for r, _ in self.cells]
        columns = [c for _, c in self.cells]
        return FakeRange(self, min(rows), min(columns), max(rows), max(columns))

    def clear(self) -> None:
        self.cells.clear()


class FakeSheets(list):  # type: ignore[type-arg]
    def __init__(self, book: FakeBook, names: list[str]) -> None:
        super().__init__(FakeSheet(book, name) for name in names)
        self.book = book

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return next(sheet for sheet in self if sheet.name == key)
        return super().__getitem__(key)

    def add(self, name: str, after: Any = None) -> FakeSheet:
        sheet = FakeSheet(self.book, name)
        self.append(sheet)
        return sheet


class FakeBook:
    def __init__(self, app: FakeApp, fullname: str, sheets: list[str]) -> None:
        self.app, self.fullname = app, fullname
        self.name = fullname.rsplit("\\", 1)[-1]
        self.sheets = FakeSheets(self, sheets)


class FakeBooks(list):  # type: ignore[type-arg]
    active: FakeBook


class BusyError(Exception):
    hresult = -2147418111


class FakeApp:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.books = FakeBooks()
        self.status_bar: Any = False
        self.selection: Any = None
        self.answers: list[str] = []
        self.alerts: list[tuple[str, str | None, str]] = []
        self.calls: list[tuple[Any, ...]] = []
        self.busy = 0
        self.api = types.SimpleNamespace(InputBox=lambda prompt, title, default: "typed")

    def maybe_busy(self) -> None:
        if self.busy:
            self.busy -= 1
            raise BusyError("Call was rejected by callee.")

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok") -> str:
        self.alerts.append((prompt, title, buttons))
        return self.answers.pop(0) if self.answers else "ok"


@pytest.fixture
def excel(monkeypatch: pytest.MonkeyPatch) -> FakeApp:
    app = FakeApp(pid=777)
    book = FakeBook(app, "C:\\Leads\\Q3 leads.xlsx", ["Leads", "Other"])
    addin = FakeBook(app, "C:\\AddIns\\xl_wacheck.xlam", ["Sheet1"])
    app.books.extend([book, addin])
    app.books.active = book

    class Apps(dict):  # type: ignore[type-arg]
        active = app

    class Book:
        @staticmethod
        def caller() -> FakeBook:
            return addin

    module = types.SimpleNamespace(apps=Apps({777: app}), Book=Book)
    monkeypatch.setattr(xlwings_port, "_xw", lambda: module)
    return app


def port_for(app: FakeApp) -> XlwingsPort:
    return XlwingsPort.connect(777, "c:\\leads\\q3 LEADS.xlsx")


def test_caller_from_the_add_in_means_the_users_active_book(excel: FakeApp) -> None:
    port = XlwingsPort.caller()
    assert port.book == "C:\\Leads\\Q3 leads.xlsx" and port.pid == 777


def test_connect_finds_the_open_book_and_never_opens_one(excel: FakeApp) -> None:
    assert port_for(excel).book == "C:\\Leads\\Q3 leads.xlsx"
    with pytest.raises(WorkbookGone):
        XlwingsPort.connect(777, "C:\\Leads\\closed.xlsx")
    with pytest.raises(WorkbookGone):
        XlwingsPort.connect(999, "C:\\Leads\\Q3 leads.xlsx")
    assert len(excel.books) == 2


def test_selection_reads_every_area(excel: FakeApp) -> None:
    sheet = excel.books[0].sheets["Leads"]
    excel.selection = types.SimpleNamespace(sheet=sheet, address="$B$2:$B$9,$D$4")
    selection = port_for(excel).selection()
    assert selection.sheet == "Leads"
    assert selection.areas == (Area(2, 2, 9, 2), Area(4, 4, 4, 4))


@pytest.mark.parametrize(
    ("address", "areas"),
    [
        ("$A$1", (Area(1, 1, 1, 1),)),
        ("$C:$C", (Area(1, 3, 1_048_576, 3),)),
        ("$2:$3", (Area(2, 1, 3, 16_384),)),
        ("Leads!$AA$10:$AB$12", (Area(10, 27, 12, 28),)),
    ],
)
def test_parse_address(address: str, areas: tuple[Area, ...]) -> None:
    assert parse_address(address) == areas


def test_read_write_format_and_used_area(excel: FakeApp) -> None:
    port = port_for(excel)
    port.write("Leads", 2, 2, [["+41798284651", "x"], ["+14155552671", "y"]])
    assert port.used_area("Leads") == Area(2, 2, 3, 3)
    assert port.read("Leads", Area(2, 2, 3, 2)) == [["+41798284651"], ["+14155552671"]]
    port.number_format("Leads", Area(2, 4, 3, 4), "@")
    assert excel.books[0].sheets["Leads"].formats == {(2, 4): "@", (3, 4): "@"}
    assert ("write", 2, 2) in excel.calls


def test_insert_columns_inserts_whole_columns(excel: FakeApp) -> None:
    port = port_for(excel)
    port.write("Leads", 1, 1, [["Phone", "Owner"]])
    port.insert_columns("Leads", 2, 4)
    assert port.read("Leads", Area(1, 1, 1, 6)) == [["Phone", None, None, None, None, "Owner"]]


def test_status_bar_alert_and_ask(excel: FakeApp) -> None:
    port = port_for(excel)
    port.status("WhatsApp check: 1 / 2")
    assert excel.status_bar == "WhatsApp check: 1 / 2"
    port.status(None)
    assert excel.status_bar is False  # hands the status bar back to Excel
    excel.answers = ["cancel"]
    assert port.alert("Start?", "WhatsApp check", ok_cancel=True) is False
    assert excel.alerts[-1] == ("Start?", "WhatsApp check", "ok_cancel")
    if sys.platform == "win32":  # pragma: no cover
        assert port.ask("User ID:", "t") == "typed"


def test_remember_and_recall_use_a_hidden_sheet(excel: FakeApp) -> None:
    port = port_for(excel)
    assert port.recall() == {}
    port.remember("job:1", '{"state": "submitted"}')
    port.remember("job:2", '{"state": "submitted"}')
    port.remember("job:1", '{"state": "applied"}')
    hidden = excel.books[0].sheets["_wacheck"]
    assert hidden.visible is False
    assert port.recall() == {"job:1": '{"state": "applied"}', "job:2": '{"state": "submitted"}'}


def test_summary_sheet_has_the_block_and_a_pie_chart(excel: FakeApp) -> None:
    port = port_for(excel)
    block = [
        ["WhatsApp check", "rows"],
        ["on WhatsApp", 3],
        ["not", 1],
        ["invalid", 0],
        ["not processed", 0],
    ]
    port.summary_sheet("WhatsApp summary", block, 5)
    sheet = excel.books[0].sheets["WhatsApp summary"]
    assert sheet.cells[(2, 2)] == 3
    [chart] = sheet.charts
    assert chart.chart_type == "pie" and chart.source is not None
    assert (chart.source.row, chart.source.bottom) == (2, 5)


def test_a_rejected_call_is_excel_busy(excel: FakeApp) -> None:
    port = port_for(excel)
    excel.busy = 1
    with pytest.raises(ExcelBusy):
        port.read("Leads", Area(1, 1, 1, 1))
    assert port.read("Leads", Area(1, 1, 1, 1)) == [[None]]


def test_xlwings_endless_com_retries_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    windows = types.SimpleNamespace(N_COM_ATTEMPTS=0)
    monkeypatch.setitem(sys.modules, "xlwings._xlwindows", windows)
    bound_com_retries()
    assert windows.N_COM_ATTEMPTS == 5
