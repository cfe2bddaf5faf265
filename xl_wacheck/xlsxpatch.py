"""Write result columns into an .xlsx/.xlsm by editing one worksheet part inside the zip.

An openpyxl load/save drops shapes, text boxes, sparklines, slicers and the ribbon part of
an .xlsm. So this front-end never re-saves the workbook: it copies every zip member as it
is, streams the target worksheet's XML through :mod:`sheetstream` (cells in four columns,
the dimension) and, when dates are written, adds one date style to ``styles.xml``. Text is
written as inline strings, which Excel never evaluates, so a signature like
``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from lxml import etree

from . import sheetstream
from .errors import InputError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
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


def used_columns(path: Path, sheet: str | None) -> set[int]:
    """Columns holding any value or formula (or covered by a merge or sparkline)."""
    with zipfile.ZipFile(path) as archive:
        part, _ = sheet_part(archive, sheet)
        with archive.open(part) as stream:
            return sheetstream.used_columns_stream(stream.read)


def write_columns(
    source: Path,
    target: Path,
    sheet: str | None,
    first_column: int,
    cells: Mapping[int, Sequence[object]] | Sequence[tuple[int, Sequence[object]]],
    *,
    width: int | None = None,
) -> None:
    """Write ``cells`` — 0-based row → values left to right from ``first_column`` — into the
    sheet of ``source`` and save the package as ``target``. ``None`` clears a cell.
    ``width``, the most values in a row, saves a pass over a million rows to find it."""
    rows = cells if isinstance(cells, Mapping) else dict(cells)
    if width is None:
        width = max((len(values) for values in rows.values()), default=0)
    with zipfile.ZipFile(source) as archive:
        part, _ = sheet_part(archive, sheet)
        needs_date = any(isinstance(v, dt.date) for values in rows.values() for v in values)
        styles_part = "xl/styles.xml" if "xl/styles.xml" in archive.namelist() else None
        patched: dict[str, bytes] = {}
        date_style = None
        if needs_date and styles_part:
            styles = _parse(archive.read(styles_part))
            date_style = _date_style(styles)
            patched[styles_part] = _dump(styles)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in archive.infolist():
                if info.filename == part:
                    fresh = _fresh(info)
                    with (
                        archive.open(info) as source_stream,
                        out.open(fresh, "w", force_zip64=info.file_size > 1 << 30) as stream,
                    ):
                        sheetstream.rewrite_stream(
                            source_stream.read, first_column, width, rows, date_style, stream.write
                        )
                else:
                    data = patched.get(info.filename)
                    out.writestr(info, archive.read(info) if data is None else data)


def _fresh(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """The same entry name, date and compression, for a member written as a stream."""
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.compress_type = zipfile.ZIP_DEFLATED
    copy._compresslevel = 1  # type: ignore[attr-defined]  # a big sheet: speed over size
    copy.external_attr = info.external_attr
    return copy


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
