"""Find Excel again: from the ribbon click (the caller) or from a job's recorded target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .fake import FakeExcel
from .port import ExcelPort


def caller() -> ExcelPort:
    from .xlwings_port import XlwingsPort

    return XlwingsPort.caller()


def describe(port: ExcelPort) -> dict[str, Any]:
    """What the worker needs to reconnect to this same workbook."""
    if isinstance(port, FakeExcel):
        return {
            "adapter": "fake",
            "fake_path": str(port.path) if port.path else None,
            "book": port.book,
            "pid": port.pid,
        }
    return {"adapter": "xlwings", "book": port.book, "pid": port.pid}


def reconnect(target: dict[str, Any]) -> ExcelPort:
    if target.get("adapter") == "fake":
        return FakeExcel.open(Path(str(target["fake_path"])))
    from .xlwings_port import XlwingsPort

    return XlwingsPort.connect(target.get("pid"), str(target["book"]))
