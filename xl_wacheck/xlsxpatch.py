"""Write result columns into an .xlsx/.xlsm by editing one worksheet part inside the zip.

An openpyxl load/save drops shapes, text boxes, sparklines, slicers and the ribbon part of
an .xlsm. So this front-end never re-saves the workbook: it copies every zip member as it
is, rewrites only the target worksheet's XML (cells in four columns, the dimension) and,
when dates are written, adds one date style to ``styles.xml``. Text is written as inline
strings, which Excel never evaluates, so a signature like ``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from .errors import InputError
from .layout import column_index, column_letters

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_TEXT = 32_767
DATE_FORMAT = "yyyy-mm-dd"


def _q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, _PARSER)


def _dump(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def sheet_part(archive: zipfile.ZipFile, name: str | None) -> tuple[str, str]:
    """The zip path of the worksheet called ``name`` (the first sheet if None), and its name."""
    book = _parse(archive.read("xl/workbook.xml"))
    rels = _parse(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(f"{{{PKG_REL}}}Relationship")}
    sheets = [(s.get("name"), s.get(f"{{{DOC_REL}}}id")) for s in book.iter(_q("sheet"))]
    if not sheets:
        raise InputError("The workbook has no sheets.")
    chosen = (
        sheets[0]
        if name is None
        else next((s for s in sheets if s[0] is not None and s[0].lower() == name.lower()), None)
    )
    if chosen is None:
        listing = ", ".join(str(s[0]) for s in sheets)
        raise InputError(f"There is no sheet '{name}'. The sheets are: {listing}.")
    target = targets.get(chosen[1]) or ""
    path = (
        target.lstrip("/")
        if target.startswith("/")
        else posixpath.normpath(posixpath.join("xl", target))
    )
    if not path.startswith("xl/worksheets/"):
        raise InputError(f"'{chosen[0]}' is a chart sheet or dialog, not a worksheet.")
    return path, str(chosen[0])


def _cells_with_columns(row: etree._Element) -> list[tuple[int, etree._Element]]:
    """Cells of a row with their 0-based column; a missing ``r`` means 'next column'."""
    cells, column = [], -1
    for cell in row.iterchildren(_q("c")):
        ref = cell.get("r")
        match = _CELL_REF.fullmatch(ref) if ref else None
        column = column_index(match.group(1)) if match else column + 1
        cells.append((column, cell))
    return cells


def _rows_with_numbers(sheet_data: etree._Element) -> list[tuple[int, etree._Element]]:
    rows, number = [], 0
    for row in sheet_data.iterchildren(_q("row")):
        number = int(row.get("r") or number + 1)
        rows.append((number, row))
    return rows


def used_columns(path: Path, sheet: str | None) -> set[int]:
    """Columns holding any value or formula (or covered by a merge) in the sheet."""
    with zipfile.ZipFile(path) as archive:
        part, _ = sheet_part(archive, sheet)
        root = _parse(archive.read(part))
    used: set[int] = set()
    data = root.find(_q("sheetData"))
    if data is not None:
        for _, row in _rows_with_numbers(data):
            for column, cell in _cells_with_columns(row):
                if len(cell):  # <v>, <f> or <is>
                    used.add(column)
    # Merged areas and sparklines occupy cells that hold no value of their own.
    areas = [merge.get("ref") or "" for merge in root.iter(_q("mergeCell"))]
    areas += [
        ref.text or ""
        for ref in root.iter(f"{{{XM}}}sqref")
        if ref.getparent() is not None and ref.getparent().tag == f"{{{X14}}}sparkline"
    ]
    for area in areas:
        for ref in area.split():
            first, _, last = ref.replace("$", "").rpartition("!")[2].partition(":")
            a, b = _CELL_REF.fullmatch(first), _CELL_REF.fullmatch(last or first)
            if a and b:
                used.update(range(column_index(a.group(1)), column_index(b.group(1)) + 1))
    return used


def write_columns(
    source: Path,
    target: Path,
    sheet: str | None,
    first_column: int,
    cells: Sequence[tuple[int, Sequence[object]]],
) -> None:
    """Write ``cells`` — (0-based row, values left to right from ``first_column``) — into the
    sheet of ``source`` and save the package as ``target``. ``None`` clears a cell."""
    with zipfile.ZipFile(source) as archive:
        part, _ = sheet_part(archive, sheet)
        root = _parse(archive.read(part))
        needs_date = any(isinstance(v, dt.date) for _, values in cells for v in values)
        styles_part = "xl/styles.xml" if "xl/styles.xml" in archive.namelist() else None
        patched: dict[str, bytes] = {}
        date_style = None
        if needs_date and styles_part:
            styles = _parse(archive.read(styles_part))
            date_style = _date_style(styles)
            patched[styles_part] = _dump(styles)
        _write_cells(root, first_column, cells, date_style)
        patched[part] = _dump(root)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in archive.infolist():
                data = patched.get(info.filename)
                out.writestr(info, archive.read(info) if data is None else data)


def _write_cells(
    root: etree._Element,
    first_column: int,
    cells: Sequence[tuple[int, Sequence[object]]],
    date_style: int | None,
) -> None:
    sheet_data = root.find(_q("sheetData"))
    if sheet_data is None:
        raise InputError("The worksheet has no cell data section.")
    rows = dict(_rows_with_numbers(sheet_data))
    created = False
    max_row = max(rows, default=0)
    max_col = first_column
    for row_index, values in cells:
        number = row_index + 1
        row = rows.get(number)
        if row is None:
            if all(v is None for v in values):
                continue
            row = etree.SubElement(sheet_data, _q("row"), r=str(number))
            rows[number] = row
            created = True
        row.set("r", str(number))
        row.attrib.pop("spans", None)  # an optional hint that our new cells would falsify
        existing = _cells_with_columns(row)
        for column, cell in existing:
            cell.set("r", f"{column_letters(column)}{number}")
        by_column = dict(existing)
        for offset, value in enumerate(values):
            column = first_column + offset
            cell = by_column.get(column)
            if value is None:
                if cell is not None:
                    row.remove(cell)
                continue
            if cell is None:
                cell = etree.Element(_q("c"), r=f"{column_letters(column)}{number}")
                after = [c for col, c in existing if col < column]
                if after:
                    after[-1].addnext(cell)
                else:
                    row.insert(0, cell)
                existing = sorted([*existing, (column, cell)], key=lambda item: item[0])
            _set_value(cell, value, date_style)
            max_col = max(max_col, column)
        max_row = max(max_row, number)
    if created:
        ordered = sorted(sheet_data.iterchildren(_q("row")), key=lambda r: int(r.get("r")))
        for row in ordered:
            sheet_data.append(row)  # lxml moves the element
    _widen_dimension(root, max_row, max_col)


def _set_value(cell: etree._Element, value: object, date_style: int | None) -> None:
    for child in list(cell):
        cell.remove(child)
    for attribute in ("t", "cm", "vm"):
        cell.attrib.pop(attribute, None)
    if isinstance(value, dt.date) and date_style is not None:
        day = value if not isinstance(value, dt.datetime) else value.date()
        etree.SubElement(cell, _q("v")).text = str((day - _EXCEL_EPOCH).days)
        cell.set("s", str(date_style))
        return
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    text = _ILLEGAL.sub("", text)[:_MAX_TEXT]
    cell.set("t", "inlineStr")
    holder = etree.SubElement(etree.SubElement(cell, _q("is")), _q("t"))
    holder.text = text
    if text != text.strip() or "\n" in text:
        holder.set(XML_SPACE, "preserve")


def _widen_dimension(root: etree._Element, max_row: int, max_col: int) -> None:
    dimension = root.find(_q("dimension"))
    if dimension is None:
        return
    first, _, last = (dimension.get("ref") or "A1").partition(":")
    last_match = _CELL_REF.fullmatch(last or first)
    if last_match:
        max_col = max(max_col, column_index(last_match.group(1)))
        max_row = max(max_row, int(last_match.group(2)))
    start = first if _CELL_REF.fullmatch(first) else "A1"
    dimension.set("ref", f"{start}:{column_letters(max_col)}{max_row}")


def _date_style(styles: etree._Element) -> int:
    """Index of a cell format showing yyyy-mm-dd, added to styles.xml if not there yet."""
    formats = styles.find(_q("numFmts"))
    if formats is None:
        formats = etree.Element(_q("numFmts"), count="0")
        styles.insert(0, formats)
    format_id = next(
        (
            int(f.get("numFmtId"))
            for f in formats.iterchildren(_q("numFmt"))
            if f.get("formatCode") == DATE_FORMAT
        ),
        None,
    )
    if format_id is None:
        taken = [int(f.get("numFmtId") or 0) for f in formats.iterchildren(_q("numFmt"))]
        format_id = max([163, *taken]) + 1
        etree.SubElement(formats, _q("numFmt"), numFmtId=str(format_id), formatCode=DATE_FORMAT)
        formats.set("count", str(len(formats)))
    cell_formats = styles.find(_q("cellXfs"))
    if cell_formats is None:
        raise InputError("The workbook's styles have no cell formats; cannot add a date format.")
    for index, xf in enumerate(cell_formats.iterchildren(_q("xf"))):
        if (
            xf.get("numFmtId") == str(format_id)
            and xf.get("fontId", "0") == "0"
            and xf.get("fillId", "0") == "0"
            and xf.get("borderId", "0") == "0"
        ):
            return index
    etree.SubElement(
        cell_formats,
        _q("xf"),
        numFmtId=str(format_id),
        fontId="0",
        fillId="0",
        borderId="0",
        xfId="0",
        applyNumberFormat="1",
    )
    cell_formats.set("count", str(len(cell_formats)))
    return len(cell_formats) - 1
