"""Splice result cells into a worksheet's XML as a stream of rows, never as a tree.

A million-row sheet is ~100 MB of XML; as an lxml tree it needs gigabytes. Rows cannot nest,
so this module walks the ``<row>`` elements with a regular expression, copies every row it
does not touch byte for byte, and rebuilds only the cells of the four result columns in the
rows it does touch. Rows that do not exist yet are created in order; cells stay ordered by
column; a cell without an ``r`` reference gets one, because new cells before it would
otherwise change what "next column" means.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_TEXT = 32_767
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPED_LOOKALIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_NEEDS_WORK = re.compile("[&<>\r_\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPANS = re.compile(rb'\sspans="[^"]*"')
_STYLE = re.compile(rb'\ss="(\d+)"')
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_CHUNK = 8 << 20


def _letters(index: int) -> str:
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(65 + rest) + text
    return text


def _index(letters: bytes) -> int:
    value = 0
    for char in letters:
        value = value * 26 + char - 64
    return value - 1


class Dialect:
    """The sheet's element prefix ('' for the usual default namespace, e.g. 'x:')."""

    def __init__(self, xml: bytes) -> None:
        head = xml[:4096]
        declared = re.search(rb'xmlns:(\w+)="' + re.escape(MAIN) + b'"', head)
        root = re.search(rb"<(\w+:)?worksheet\b", head)
        prefix = root.group(1) if root and root.group(1) and declared else b""
        self.prefix = prefix
        p = re.escape(prefix)
        self.row = re.compile(rb"<" + p + rb"row\b[^>]*?(?:/>|>.*?</" + p + rb"row>)", re.S)
        self.cell = re.compile(rb"<" + p + rb"c\b[^>]*?(?:/>|>.*?</" + p + rb"c>)", re.S)
        self.sheet_data = re.compile(rb"<" + p + rb"sheetData\b[^>]*?(/?)>")
        self.sheet_data_end = b"</" + prefix + b"sheetData>"
        self.dimension = re.compile(rb"(<" + p + rb'dimension\b[^>]*\bref=")([^"]*)(")')
        self.content_cell = re.compile(rb"<" + p + rb'c\b[^>]*?\br="([A-Z]{1,3})\d+"[^>]*?(?<!/)>')
        self.merge = re.compile(rb"<" + p + rb'mergeCell\b[^>]*\bref="([^"]+)"')
        self.sparkline = re.compile(
            rb"<(?:\w+:)?sparkline>.*?<(?:\w+:)?sqref>([^<]+)</(?:\w+:)?sqref>", re.S
        )


def used_columns(xml: bytes) -> set[int]:
    """0-based columns holding any value, formula or inline string, or under a merged area
    or a sparkline — scanned in slices so memory stays flat on huge sheets."""
    dialect = Dialect(xml)
    used: set[int] = set()
    position = 0
    while position < len(xml):
        end = xml.find(b"</" + dialect.prefix + b"row>", position + _CHUNK)
        end = len(xml) if end < 0 else end + 1
        used.update(
            _index(letters) for letters in set(dialect.content_cell.findall(xml, position, end))
        )
        position = end
    tail = xml.rfind(dialect.sheet_data_end)
    areas = [m.group(1) for m in dialect.merge.finditer(xml, max(tail, 0))]
    areas += [m.group(1) for m in dialect.sparkline.finditer(xml, max(tail, 0))]
    for area in areas:
        for ref in area.split():
            first, _, last = ref.replace(b"$", b"").rpartition(b"!")[2].partition(b":")
            a = re.fullmatch(rb"([A-Z]{1,3})\d*", first)
            b = re.fullmatch(rb"([A-Z]{1,3})\d*", last or first)
            if a and b:
                used.update(range(_index(a.group(1)), _index(b.group(1)) + 1))
    return used


def xml_text(value: object) -> str:
    """Text for an element's content: escaped, cleaned, and OOXML's own escapes escaped."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if len(text) <= _MAX_TEXT and _NEEDS_WORK.search(text) is None:
        return text  # the common case: nothing to do
    text = _ILLEGAL.sub("", text)[:_MAX_TEXT]
    # OOXML escapes characters as _xHHHH_, so a literal '_x0041_' must itself be escaped.
    text = _ESCAPED_LOOKALIKE.sub(r"_x005F_\1", text).replace("\r", "_x000D_")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class CellWriter:
    """Renders result cells: text as inline strings (never a formula), dates as serials."""

    def __init__(self, prefix: bytes, date_style: int | None) -> None:
        self.p = prefix.decode()
        self.date_style = date_style

    def render(self, ref: str, value: object, style: bytes | None) -> str:
        p = self.p
        if isinstance(value, dt.date) and self.date_style is not None:
            day = value.date() if isinstance(value, dt.datetime) else value
            serial = (day - _EXCEL_EPOCH).days
            return f'<{p}c r="{ref}" s="{self.date_style}"><{p}v>{serial}</{p}v></{p}c>'
        text = xml_text(value)
        keep = f' s="{style.decode()}"' if style else ""
        space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
        return (
            f'<{p}c r="{ref}"{keep} t="inlineStr"><{p}is><{p}t{space}>{text}</{p}t></{p}is></{p}c>'
        )


def rewrite(
    xml: bytes,
    first_column: int,
    width: int,
    rows: Mapping[int, Sequence[object]],
    date_style: int | None,
    write: Callable[[bytes], object],
) -> None:
    """Stream ``xml`` to ``write`` with ``rows`` (0-based row → values from
    ``first_column``) spliced in; ``None`` clears a cell of those columns."""
    dialect = Dialect(xml)
    cells = CellWriter(dialect.prefix, date_style)
    opening = dialect.sheet_data.search(xml)
    if opening is None:
        raise ValueError("the worksheet has no sheetData")
    last_column = first_column + width - 1
    targets = sorted(rows)
    head = xml[: opening.start()]
    max_row = max(targets, default=-1) + 1
    head = _widen(dialect, head, last_column, max_row)
    write(head)
    p = dialect.prefix
    write(b"<" + p + b"sheetData>")
    if opening.group(1):  # <sheetData/>: there are no rows yet
        body_start = body_end = opening.end()
    else:
        body_start = opening.end()
        body_end = xml.index(dialect.sheet_data_end, body_start)
    pending = 0
    previous = 0
    cursor = body_start
    for match in dialect.row.finditer(xml, body_start, body_end):
        start_tag_end = xml.index(b">", match.start())
        number_match = _ROW_NUMBER.search(xml, match.start(), start_tag_end)
        number = int(number_match.group(1)) if number_match else previous + 1
        previous = number
        while pending < len(targets) and targets[pending] + 1 < number:
            _new_row(cells, p, targets[pending], first_column, rows[targets[pending]], write)
            pending += 1
        write(xml[cursor : match.start()])
        cursor = match.end()
        if pending < len(targets) and targets[pending] + 1 == number:
            write(
                _patched_row(
                    dialect,
                    cells,
                    xml[match.start() : match.end()],
                    number,
                    first_column,
                    last_column,
                    rows[targets[pending]],
                )
            )
            pending += 1
        else:
            write(xml[match.start() : match.end()])
    write(xml[cursor:body_end])
    for target in targets[pending:]:
        _new_row(cells, p, target, first_column, rows[target], write)
    write(b"</" + p + b"sheetData>")
    tail_start = body_end + len(dialect.sheet_data_end) if not opening.group(1) else opening.end()
    write(xml[tail_start:])


def _new_row(
    cells: CellWriter,
    p: bytes,
    row: int,
    first: int,
    values: Sequence[object],
    write: Callable[[bytes], object],
) -> None:
    rendered = [
        cells.render(f"{_letters(first + i)}{row + 1}", v, None)
        for i, v in enumerate(values)
        if v is not None
    ]
    if rendered:
        write(
            b"<"
            + p
            + b'row r="'
            + str(row + 1).encode()
            + b'">'
            + "".join(rendered).encode()
            + b"</"
            + p
            + b"row>"
        )


def _patched_row(
    dialect: Dialect,
    cells: CellWriter,
    row: bytes,
    number: int,
    first: int,
    last: int,
    values: Sequence[object],
) -> bytes:
    p = dialect.prefix
    tag_end = row.index(b">")
    self_closing = row[tag_end - 1 : tag_end] == b"/"
    start_tag = _SPANS.sub(b"", row[: tag_end - 1 if self_closing else tag_end]) + b">"
    body = b"" if self_closing else row[tag_end + 1 : row.rindex(b"</" + p + b"row>")]
    before: list[bytes] = []
    after: list[bytes] = []
    styles: dict[int, bytes] = {}
    column = -1
    for match in dialect.cell.finditer(body):
        cell = match.group(0)
        cell_tag_end = cell.index(b">")
        ref = _REF.search(cell, 0, cell_tag_end)
        if ref:
            column = _index(ref.group(1))
        else:  # "the next column": make it explicit, since cells may be inserted before it
            column += 1
            insert_at = len(p) + 2
            cell = (
                cell[:insert_at]
                + b' r="'
                + _letters(column).encode()
                + str(number).encode()
                + b'"'
                + cell[insert_at:]
            )
        if column < first:
            before.append(cell)
        elif column > last:
            after.append(cell)
        else:
            style = _STYLE.search(cell, 0, cell.index(b">"))
            if style:
                styles[column] = style.group(1)
    ours = "".join(
        cells.render(f"{_letters(first + i)}{number}", value, styles.get(first + i))
        for i, value in enumerate(values)
        if value is not None
    ).encode()
    return start_tag + b"".join(before) + ours + b"".join(after) + b"</" + p + b"row>"


def _widen(dialect: Dialect, head: bytes, last_column: int, max_row: int) -> bytes:
    match = dialect.dimension.search(head)
    if match is None:
        return head
    first, _, last = match.group(2).partition(b":")
    end = re.fullmatch(rb"([A-Z]{1,3})(\d+)", last or first)
    column, row = last_column, max_row
    if end:
        column = max(column, _index(end.group(1)))
        row = max(row, int(end.group(2)))
    start = first if re.fullmatch(rb"[A-Z]{1,3}\d+", first) else b"A1"
    ref = start + b":" + _letters(column).encode() + str(row).encode()
    return head[: match.start(2)] + ref + head[match.end(2) :]
