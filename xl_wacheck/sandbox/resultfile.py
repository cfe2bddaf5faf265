"""The sandbox's result files: the vendor's .xlsx, and the .csv/.zip variants of its sister API.

Switches reproduce the quirks a client must survive: numbers stored as numeric cells without
'+', columns in another order and letter case, and a truncated file.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import zipfile
from collections.abc import Iterable, Iterator, Sequence

from ..records import CheckResult
from ..sheetstream import xml_text

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
    order = (3, 0, 2, 1) if shuffled_columns else (0, 1, 2, 3)
    headers = [HEADERS[i].upper() if shuffled_columns else HEADERS[i] for i in order]
    rows = _ordered(results, numeric_numbers, order)
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


def _ordered(
    results: Iterable[CheckResult], numeric_numbers: bool, order: tuple[int, ...]
) -> Iterator[tuple[object, ...]]:
    for result in results:
        number: object = int(result.number[1:]) if numeric_numbers else result.number
        cells = (number, result.signature, result.status_update, "yes" if result.whatsapp else "no")
        yield cells if order == (0, 1, 2, 3) else tuple(cells[i] for i in order)


def _xlsx(headers: list[str], rows: Iterable[list[object]]) -> bytes:
    """A minimal, valid .xlsx written directly, with a shared-string table as XlsxWriter and
    Excel write it: XlsxWriter itself needs ~30 s for a million rows, which would swamp what
    the client benchmarks measure."""
    strings: dict[str, int] = {}
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{_MAIN}"><sheetData>'
    ]
    lines += _rows(headers, rows, strings)
    lines.append("</sheetData></worksheet>")
    about_sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{_MAIN}"><sheetData>'
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>{xml_text(SIMULATED_NOTE)}'
        "</t></is></c></row></sheetData></worksheet>"
    )
    table = [f'<sst xmlns="{_MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">']
    table += [
        f"<si><t>{text}</t></si>"
        if text.isalnum() or text[1:].isdigit()
        else f"<si><t{_space(text)}>{_escape(text)}</t></si>"
        for text in strings
    ]
    table.append("</sst>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/sharedStrings.xml", _DECL + "".join(table))
        archive.writestr("xl/worksheets/sheet1.xml", "".join(lines))
        archive.writestr("xl/worksheets/sheet2.xml", about_sheet)
    return buffer.getvalue()


def _space(text: str) -> str:
    return ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""


def _rows(
    headers: list[str], rows: Iterable[Sequence[object]], strings: dict[str, int]
) -> Iterator[str]:
    """The sheet's rows. What follows a cell's reference depends only on its value, so it is
    kept for values seen twice (signatures, 'yes'/'no' and dates repeat; numbers do not);
    an empty value is an empty cell element, as Excel writes a formatted blank."""
    tails: dict[object, str] = {None: "/>"}
    get = tails.get

    def tail(value: object) -> str:
        if type(value) is str:
            index = strings.get(value)
            if index is None:  # first sight: most likely a number, never seen again
                index = strings[value] = len(strings)
                return f' t="s"><v>{index}</v></c>'
            text = tails[value] = f' t="s"><v>{index}</v></c>'
            return text
        if isinstance(value, dt.date):
            text = tails[value] = f' s="1"><v>{(value - _EPOCH).days}</v></c>'
            return text
        return f"><v>{value}</v></c>"  # a numeric number: unique, not kept

    for r, (a, b, c, d) in enumerate(itertools.chain([headers], rows), start=1):
        yield (
            f'<row r="{r}"><c r="A{r}"{get(a) or tail(a)}<c r="B{r}"{get(b) or tail(b)}'
            f'<c r="C{r}"{get(c) or tail(c)}<c r="D{r}"{get(d) or tail(d)}</row>'
        )


@functools.lru_cache(maxsize=4096)
def _escape(text: str) -> str:
    return xml_text(text)


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_EPOCH = dt.date(1899, 12, 30)
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PARTS = {
    "[Content_Types].xml": _DECL
    + (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": _DECL
    + (
        f'<Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        "</Relationships>"
    ),
    "docProps/core.xml": _DECL
    + (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>WhatsApp check results (simulated)</dc:title>"
        f"<dc:description>{SIMULATED_NOTE}</dc:description></cp:coreProperties>"
    ),
    "xl/workbook.xml": _DECL
    + (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        '<sheet name="Results" sheetId="1" r:id="rId1"/>'
        '<sheet name="About" sheetId="2" r:id="rId2"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": _DECL
    + (
        f'<Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId4" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": _DECL
    + (
        f'<styleSheet xmlns="{_MAIN}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
        "</borders>"
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


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
