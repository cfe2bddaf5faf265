"""The sandbox's result files: the vendor's .xlsx, and the .csv/.zip variants of its sister API.

Switches reproduce the quirks a client must survive: numbers stored as numeric cells without
'+', columns in another order and letter case, and a truncated file.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable

import xlsxwriter

from ..records import CheckResult

HEADERS = ("Number", "signature", "status_update", "whatsapp")
SIMULATED_NOTE = "SIMULATED by the xl-wacheck sandbox; not real WhatsApp data."


def build(
    results: Iterable[CheckResult],
    *,
    fmt: str = "xlsx",
    numeric_numbers: bool = False,
    shuffled_columns: bool = False,
    truncate: bool = False,
) -> bytes:
    order = [3, 0, 2, 1] if shuffled_columns else [0, 1, 2, 3]
    headers = [HEADERS[i].upper() if shuffled_columns else HEADERS[i] for i in order]
    rows = ([_cells(r, numeric_numbers)[i] for i in order] for r in results)
    if fmt == "xlsx":
        data = _xlsx(headers, rows)
    elif fmt == "csv":
        data = _csv(headers, rows)
    elif fmt == "zip":
        data = _zip("results.xlsx", _xlsx(headers, rows))
    elif fmt == "zip-csv":
        data = _zip("results.csv", _csv(headers, rows))
    else:
        raise ValueError(f"unknown result format {fmt!r}")
    return data[: len(data) * 2 // 3] if truncate else data


def _cells(result: CheckResult, numeric_numbers: bool) -> list[object]:
    number: object = int(result.number[1:]) if numeric_numbers else result.number
    return [number, result.signature, result.status_update, "yes" if result.whatsapp else "no"]


def _xlsx(headers: list[str], rows: Iterable[list[object]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    book.set_properties({"title": "WhatsApp check results (simulated)", "comments": SIMULATED_NOTE})
    sheet = book.add_worksheet("Results")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, headers)
    for index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None:
                continue
            if hasattr(value, "toordinal"):
                sheet.write_datetime(index, column, value, date_format)
            elif isinstance(value, str):
                sheet.write_string(index, column, value)
            else:
                sheet.write_number(index, column, value)
    about = book.add_worksheet("About")
    about.write_string(0, 0, SIMULATED_NOTE)
    book.close()
    return buffer.getvalue()


def _csv(headers: list[str], rows: Iterable[list[object]]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return text.getvalue().encode("utf-8")


def _zip(name: str, payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, payload)
    return buffer.getvalue()
