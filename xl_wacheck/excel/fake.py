"""An in-memory Excel behind the port, for tests — optionally kept in a JSON file so a
detached worker process can open "the same workbook".

It models the Excel behaviour the front-end must respect: a string starting with ``=``,
``+``, ``-`` or ``@`` written into a cell not formatted as text becomes a formula; inserting
columns shifts cells right; a busy Excel rejects calls; a closed workbook is gone.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .port import Area, ExcelBusy, Selection, WorkbookGone

FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True, slots=True)
class Formula:
    """What Excel would have made of a string it parsed as typed input."""

    text: str


@dataclass
class FakeExcel:
    book: str = "C:\\Users\\sales\\leads.xlsx"
    pid: int | None = 4242
    sheets: dict[str, dict[tuple[int, int], object]] = field(default_factory=lambda: {"Leads": {}})
    formats: dict[tuple[str, int, int], str] = field(default_factory=dict)
    chosen: Selection = field(default_factory=lambda: Selection("Leads", (Area(1, 1, 1, 1),)))
    answers: list[bool] = field(default_factory=list)
    alerts: list[tuple[str, str]] = field(default_factory=list)
    statuses: list[str | None] = field(default_factory=list)
    prompts: list[str | None] = field(default_factory=list)
    hidden: dict[str, str] = field(default_factory=dict)
    summaries: dict[str, list[list[object]]] = field(default_factory=dict)
    busy_calls: int = 0
    closed: bool = False
    calls: list[str] = field(default_factory=list)
    path: Path | None = None

    # -- helpers for tests -----------------------------------------------------------------

    def fill(self, sheet: str, top: int, left: int, block: list[list[object]]) -> None:
        self.sheets.setdefault(sheet, {})
        for r, row in enumerate(block):
            for c, value in enumerate(row):
                if value is not None:
                    self.sheets[sheet][(top + r, left + c)] = value

    def cell(self, sheet: str, row: int, column: int) -> object:
        return self.sheets[sheet].get((row, column))

    def column(self, sheet: str, column: int, top: int, bottom: int) -> list[object]:
        return [self.cell(sheet, r, column) for r in range(top, bottom + 1)]

    # -- the port --------------------------------------------------------------------------

    def _enter(self, name: str) -> None:
        if self.path is not None:
            self._reload()
        if self.closed:
            raise WorkbookGone(self.book)
        self.calls.append(name)
        if self.busy_calls > 0:
            self.busy_calls -= 1
            raise ExcelBusy(name)

    def selection(self) -> Selection:
        self._enter("selection")
        return self.chosen

    def used_area(self, sheet: str) -> Area:
        self._enter("used_area")
        cells = self.sheets.get(sheet, {})
        if not cells:
            return Area(1, 1, 1, 1)
        rows = [r for r, _ in cells]
        columns = [c for _, c in cells]
        return Area(min(rows), min(columns), max(rows), max(columns))

    def read(self, sheet: str, area: Area) -> list[list[object]]:
        self._enter("read")
        cells = self.sheets.get(sheet, {})
        return [
            [cells.get((r, c)) for c in range(area.left, area.right + 1)]
            for r in range(area.top, area.bottom + 1)
        ]

    def write(self, sheet: str, top: int, left: int, block: list[list[object]]) -> None:
        self._enter("write")
        cells = self.sheets.setdefault(sheet, {})
        for r, row in enumerate(block):
            for c, value in enumerate(row):
                key = (top + r, left + c)
                if value is None or value == "":
                    cells.pop(key, None)
                elif (
                    isinstance(value, str)
                    and value.startswith(FORMULA_STARTS)
                    and self.formats.get((sheet, *key)) != "@"
                ):
                    cells[key] = Formula(value)
                else:
                    cells[key] = value
        self._save()

    def insert_columns(self, sheet: str, before: int, count: int) -> None:
        self._enter("insert_columns")
        cells = self.sheets.get(sheet, {})
        self.sheets[sheet] = {
            (r, c + count if c >= before else c): v for (r, c), v in cells.items()
        }
        self.formats = {
            (s, r, c + count if s == sheet and c >= before else c): f
            for (s, r, c), f in self.formats.items()
        }
        self._save()

    def number_format(self, sheet: str, area: Area, fmt: str) -> None:
        self._enter("number_format")
        for r in range(area.top, area.bottom + 1):
            for c in range(area.left, area.right + 1):
                self.formats[(sheet, r, c)] = fmt
        self._save()

    def status(self, text: str | None) -> None:
        self._enter("status")
        self.statuses.append(text)
        self._save()

    def alert(self, text: str, title: str, ok_cancel: bool = False) -> bool:
        self._enter("alert")
        self.alerts.append((title, text))
        answer = self.answers.pop(0) if (ok_cancel and self.answers) else True
        self._save()
        return answer

    def ask(self, prompt: str, title: str, default: str = "") -> str | None:
        self._enter("ask")
        return self.prompts.pop(0) if self.prompts else default

    def remember(self, key: str, value: str) -> None:
        self._enter("remember")
        self.hidden[key] = value
        self._save()

    def recall(self) -> dict[str, str]:
        self._enter("recall")
        return dict(self.hidden)

    def summary_sheet(self, name: str, block: list[list[object]], chart_rows: int) -> None:
        self._enter("summary_sheet")
        self.summaries[name] = block
        self._save()

    # -- persistence for the detached-worker test -----------------------------------------

    def _save(self) -> None:
        if self.path is None:
            return
        state = {
            "book": self.book,
            "pid": self.pid,
            "closed": self.closed,
            "sheets": {
                s: [[r, c, _encode(v)] for (r, c), v in cells.items()]
                for s, cells in self.sheets.items()
            },
            "formats": [[s, r, c, f] for (s, r, c), f in self.formats.items()],
            "statuses": self.statuses,
            "alerts": self.alerts,
            "hidden": self.hidden,
            "summaries": {
                k: [[_encode(v) for v in row] for row in rows] for k, rows in self.summaries.items()
            },
        }
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state), encoding="utf-8")
        os.replace(temporary, self.path)

    def _reload(self) -> None:
        assert self.path is not None
        state = json.loads(self.path.read_text(encoding="utf-8"))
        self.book, self.pid, self.closed = state["book"], state["pid"], state["closed"]
        self.sheets = {
            s: {(r, c): _decode(v) for r, c, v in cells} for s, cells in state["sheets"].items()
        }
        self.formats = {(s, r, c): f for s, r, c, f in state["formats"]}
        self.statuses = state["statuses"]
        self.alerts = [tuple(a) for a in state["alerts"]]  # type: ignore[misc]
        self.hidden = state["hidden"]
        self.summaries = {
            k: [[_decode(v) for v in row] for row in rows] for k, rows in state["summaries"].items()
        }

    @classmethod
    def open(cls, path: Path) -> FakeExcel:
        fake = cls(path=Path(path))
        fake._reload()
        return fake

    def persist(self, path: Path) -> None:
        self.path = Path(path)
        self._save()


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, Formula):
        return {"formula": value.text}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "date" in value:
        return dt.date.fromisoformat(value["date"][:10])
    if isinstance(value, dict) and "formula" in value:
        return Formula(value["formula"])
    return value
