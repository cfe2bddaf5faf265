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
import io
import re
from collections.abc import Callable, Mapping, Sequence

from .layout import column_letters
from .plan import ResultRow

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MAX_TEXT = 32_767
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPED_LOOKALIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_NEEDS_WORK = re.compile("[&<>\r_\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPANS = re.compile(rb'\sspans="[^"]*"')
_STYLE = re.compile(rb'\ss="(\d+)"')
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_CHUNK = 8 << 20
_BULK_MAX_COLUMN = 702  # ZZ
_FEW_COLUMNS = 64


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
        self.row = re.compile(  # 1: the row number, when the row says it; 2: the start tag
            # without its '>' or '/>'; 3: the content, None for an empty '<row …/>'
            rb"(<" + p + rb'row\b(?:(?=[^>]*\br="(\d+)")|)[^>]*?)(?:/>|>(.*?)</' + p + rb"row>)",
            re.S,
        )
        self.cell = re.compile(rb"<" + p + rb"c\b[^>]*?(?:/>|>.*?</" + p + rb"c>)", re.S)
        self.row_open = b"<" + prefix + b"row"
        self.row_open_ref = b"<" + prefix + b'row r="'
        self.row_number = re.compile(rb"<" + p + rb'row r="(\d+)"')
        self.row_spans = re.compile(rb"(<" + p + rb'row\b[^>]*?)\sspans="[^"]*"')
        self.cell_open = b"<" + prefix + b"c"
        self.cell_with_ref = b"<" + prefix + b'c r="'
        self.sheet_data = re.compile(rb"<" + p + rb"sheetData\b[^>]*?(/?)>")
        self.sheet_data_end = b"</" + prefix + b"sheetData>"
        self.dimension = re.compile(rb"(<" + p + rb'dimension\b[^>]*\bref=")([^"]*)(")')
        self.content_cell = re.compile(rb"<" + p + rb'c\b[^>]*?\br="([A-Z]{1,3})\d+"[^>]*?(?<!/)>')
        self._p = p
        self.merge = re.compile(rb"<" + p + rb'mergeCell\b[^>]*\bref="([^"]+)"')
        self.sparkline = re.compile(
            rb"<(?:\w+:)?sparkline>.*?<(?:\w+:)?sqref>([^<]+)</(?:\w+:)?sqref>", re.S
        )

    def new_content_cell(self, seen: set[bytes], *, ref_first: bool) -> re.Pattern[bytes]:
        """A content cell in a column not in ``seen``. With ``ref_first`` (every cell of
        the text starts ``<c r="``), the pattern starts with that literal, which the regex
        engine finds five times faster than trying every ``<c``."""
        other = b"|".join(sorted(seen, key=len, reverse=True))
        guard = rb"(?!(?:" + other + rb")\d)" if seen else b""
        start = rb'c r="' if ref_first else rb'c\b[^>]*?\br="'
        return re.compile(rb"<" + self._p + start + guard + rb'([A-Z]{1,3})\d+"[^>]*?(?<!/)>')

    def refs_first(self, xml: bytes) -> bool:
        """Whether every cell in ``xml`` starts with its reference, as generators write.

        Strict on purpose: anything else opening with ``<c`` (a ``<c>`` with no reference,
        rich text's ``<color>``) says no, and the caller takes its slower, general path."""
        return xml.count(self.cell_open) == xml.count(self.cell_with_ref)


def used_columns(xml: bytes) -> set[int]:
    """:func:`used_columns_stream` of a sheet already in memory."""
    return used_columns_stream(io.BytesIO(xml).read)


def used_columns_stream(read: Callable[[int], bytes]) -> set[int]:
    """0-based columns holding any value, formula or inline string, or under a merged area
    or a sparkline, reading the sheet through ``read(size)`` slice by slice.

    A sheet uses few columns, so rather than listing a million cells this looks for the
    first cell of a column not seen yet, again and again: one pass in C over the XML."""
    data = read(_CHUNK)
    dialect = Dialect(data)
    row_end = b"</" + dialect.prefix + b"row>"
    letters: set[bytes] = set()
    while True:
        end = data.find(dialect.sheet_data_end)
        if end >= 0:
            _collect(dialect, data[:end], letters)
            tail = data[end:] + b"".join(iter(lambda: read(_CHUNK), b""))
            break
        cut = data.rfind(row_end)
        if cut >= 0:
            _collect(dialect, data[:cut], letters)
            data = data[cut:]
        chunk = read(_CHUNK)
        if not chunk:
            _collect(dialect, data, letters)
            tail = b""
            break
        data += chunk
    used = {_index(found) for found in letters}
    areas = [m.group(1) for m in dialect.merge.finditer(tail)]
    areas += [m.group(1) for m in dialect.sparkline.finditer(tail)]
    for area in areas:
        for ref in area.split():
            first, _, last = ref.replace(b"$", b"").rpartition(b"!")[2].partition(b":")
            a = re.fullmatch(rb"([A-Z]{1,3})\d*", first)
            b = re.fullmatch(rb"([A-Z]{1,3})\d*", last or first)
            if a and b:
                used.update(range(_index(a.group(1)), _index(b.group(1)) + 1))
    return used


def _collect(dialect: Dialect, xml: bytes, letters: set[bytes]) -> None:
    """Add the column letters of the content cells in ``xml`` to ``letters``."""
    position = 0
    ref_first = dialect.refs_first(xml)
    while len(letters) <= _FEW_COLUMNS:
        finder = dialect.new_content_cell(letters, ref_first=ref_first)
        found = finder.search(xml, position)
        if found is None:
            return
        letters.add(found.group(1))
        position = found.end()
    letters.update(dialect.content_cell.findall(xml, position))  # a wide sheet: list them


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
    """Renders result cells: text as inline strings (never a formula), dates as serials.

    Everything after the cell reference depends only on the value and the kept style, and a
    result column repeats few values ("yes", "no", common signatures, dates), so that part
    is rendered once per distinct value."""

    def __init__(self, prefix: bytes, date_style: int | None) -> None:
        self.p = prefix.decode()
        self.date_style = date_style
        self._tails: dict[tuple[type, object, bytes | None], str] = {}

    def render(self, ref: str, value: object, style: bytes | None) -> str:
        key = (type(value), value, style)
        tail = self._tails.get(key)
        if tail is None:
            tail = self._tails[key] = self._tail(value, style)
            if len(self._tails) > 100_000:
                self._tails.clear()  # many distinct values: stay bounded
        return f'<{self.p}c r="{ref}"{tail}'

    def _tail(self, value: object, style: bytes | None) -> str:
        p = self.p
        if isinstance(value, dt.date) and self.date_style is not None:
            day = value.date() if isinstance(value, dt.datetime) else value
            serial = (day - _EXCEL_EPOCH).days
            return f' s="{self.date_style}"><{p}v>{serial}</{p}v></{p}c>'
        text = xml_text(value)
        keep = f' s="{style.decode()}"' if style else ""
        space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
        return f'{keep} t="inlineStr"><{p}is><{p}t{space}>{text}</{p}t></{p}is></{p}c>'


class _Buffered:
    """Collects small writes into ~1 MB blocks: a zip stream pays per call."""

    def __init__(self, write: Callable[[bytes], object], size: int = 1 << 20) -> None:
        self._write, self._size = write, size
        self._parts: list[bytes] = []
        self._held = 0

    def __call__(self, data: bytes) -> None:
        self._parts.append(data)
        self._held += len(data)
        if self._held >= self._size:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            self._write(b"".join(self._parts))
            self._parts, self._held = [], 0


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
    rewrite_stream(io.BytesIO(xml).read, first_column, width, rows, date_style, write)


def rewrite_stream(
    read: Callable[[int], bytes],
    first_column: int,
    width: int,
    rows: Mapping[int, Sequence[object]],
    date_style: int | None,
    write: Callable[[bytes], object],
) -> None:
    """:func:`rewrite` reading the sheet through ``read(size)`` (a zip member's stream), so
    only a slice of a huge sheet is ever in memory: rows are processed up to the last
    complete ``</row>`` of what has been read so far."""
    buffer = read(_CHUNK)
    while True:
        dialect = Dialect(buffer)
        opening = dialect.sheet_data.search(buffer)
        chunk = b"" if opening else read(_CHUNK)
        if opening or not chunk:
            break
        buffer += chunk
    if opening is None:
        raise ValueError("the worksheet has no sheetData")
    targets = sorted(rows)
    out = _Buffered(write)
    out(
        _widen(
            dialect,
            buffer[: opening.start()],
            first_column + width - 1,
            max(targets, default=-1) + 1,
        )
    )
    p = dialect.prefix
    out(b"<" + p + b"sheetData>")
    walker = _Walker(dialect, first_column, width, rows, date_style, targets, out)
    rest = buffer[opening.end() :]
    del buffer
    if not opening.group(1):  # not <sheetData/>: walk the rows slice by slice
        row_end = b"</" + p + b"row>"
        while True:
            end = rest.find(dialect.sheet_data_end)
            if end >= 0:
                walker.walk(rest[:end])
                rest = rest[end + len(dialect.sheet_data_end) :]
                break
            cut = rest.rfind(row_end)
            if cut >= 0:
                walker.walk(rest[: cut + len(row_end)])
                rest = rest[cut + len(row_end) :]
            chunk = read(_CHUNK)
            if not chunk:
                raise ValueError("the worksheet's sheetData never ends")
            rest += chunk
    walker.finish()
    out(b"</" + p + b"sheetData>")
    out(rest)
    while chunk := read(_CHUNK):
        out(chunk)
    out.flush()


class _Walker:
    """Copies rows, patches the target rows, and creates missing ones in order."""

    def __init__(
        self,
        dialect: Dialect,
        first: int,
        width: int,
        rows: Mapping[int, Sequence[object]],
        date_style: int | None,
        targets: list[int],
        out: Callable[[bytes], None],
    ) -> None:
        self.dialect, self.rows, self.targets, self.out = dialect, rows, targets, out
        self.splicer = _Splicer(dialect, CellWriter(dialect.prefix, date_style), first, width)
        self.pending = self.previous = 0

    def walk(self, segment: bytes) -> None:
        """Copy ``segment`` (whole rows) with the target rows patched. Rows left as they are
        are never cut out one by one: they go out with the bytes between patched rows, and
        the segment leaves in one write."""
        if self._in_bulk(segment):
            return
        targets, rows, splicer = self.targets, self.rows, self.splicer
        count, pending, previous = len(targets), self.pending, self.previous
        parts: list[bytes] = []
        append = parts.append
        cursor = 0
        for match in self.dialect.row.finditer(segment):
            given = match.group(2)
            number = previous = int(given) if given else previous + 1
            if pending >= count:
                continue
            target = targets[pending] + 1
            if target > number:
                continue
            start, end = match.span()
            append(segment[cursor:start])
            while target < number:  # rows to create before this one
                append(splicer.new_row(target, rows[target - 1]))
                pending += 1
                target = targets[pending] + 1 if pending < count else number + 1
            if target == number:
                append(splicer.patched_row(match, number, rows[target - 1]))
                pending += 1
            else:
                append(segment[start:end])
            cursor = end
        append(segment[cursor:])
        self.pending, self.previous = pending, previous
        self.out(b"".join(parts))

    def _in_bulk(self, segment: bytes) -> bool:
        """The usual segment in one go, or False to go row by row.

        Usually every row of a segment is a target: numbered, consecutive, every cell
        referenced and left of ours. Then each row's new cells simply go before its end tag,
        and whole-segment scans (in C) prove it, instead of a regular expression per row."""
        dialect, splicer, targets, pending = self.dialect, self.splicer, self.targets, self.pending
        pieces = segment.split(splicer.row_end)  # a row per piece, the rest after the last
        count = len(pieces) - 1
        if count == 0 or pending + count > len(targets) or splicer.foreign is None:
            return False
        if not (
            segment.count(dialect.row_open) == segment.count(dialect.row_open_ref) == count
            and dialect.refs_first(segment)
            and splicer.foreign.search(segment) is None
        ):
            return False
        numbers = dialect.row_number.findall(segment)
        start, stop = int(numbers[0]), int(numbers[-1])
        if not (
            list(map(int, numbers)) == list(range(start, stop + 1))  # one each, in order
            and start > self.previous
            and targets[pending] + 1 == start
            and targets[pending + count - 1] + 1 == stop  # targets are sorted and distinct
        ):
            return False
        if b" spans=" in segment:
            pieces = dialect.row_spans.sub(rb"\1", segment).split(splicer.row_end)
        rows, ours, row_end = self.rows, splicer.ours, splicer.row_end
        parts: list[bytes] = []
        extend = parts.extend
        for number, piece in zip(range(start, stop + 1), pieces, strict=False):
            extend((piece, ours(number, rows[number - 1]), row_end))
        parts.append(pieces[-1])
        self.pending, self.previous = pending + count, stop
        self.out(b"".join(parts))
        return True

    def finish(self) -> None:
        for target in self.targets[self.pending :]:
            self.out(self.splicer.new_row(target + 1, self.rows[target]))
        self.pending = len(self.targets)


class _Splicer:
    """Builds the new and the patched rows."""

    def __init__(self, dialect: Dialect, cells: CellWriter, first: int, width: int) -> None:
        self.dialect, self.cells = dialect, cells
        self.first, self.last = first, first + width - 1
        self.letters = [column_letters(first + i) for i in range(width)]
        #: Column letters left of ours, as bytes: a row whose last cell is one of these
        #: simply gets our cells appended.
        self.before = frozenset(column_letters(i).encode() for i in range(first))
        #: Finds a cell at or right of our first column (None: too far right to list).
        self.foreign: re.Pattern[bytes] | None = None
        if first <= _BULK_MAX_COLUMN:
            left = b"|".join(sorted(self.before, key=len, reverse=True))
            guard = rb"(?!(?:" + left + rb")\d)" if left else b""
            self.foreign = re.compile(rb"<" + re.escape(dialect.prefix) + rb'c r="' + guard)
        self._templates: dict[tuple[object, ...], list[bytes]] = {}
        p = dialect.prefix
        self.row_end = b"</" + p + b"row>"
        self.cell_with_ref = dialect.cell_with_ref

    def ours(
        self, number: int, values: Sequence[object], styles: Mapping[int, bytes] | None = None
    ) -> bytes:
        if styles is None and isinstance(values, ResultRow):
            # The usual case: the row's cells are its number between fixed pieces that
            # depend only on the (shared, few) result row, so they are made once.
            template = self._templates.get(values)
            if template is None:
                template = self._template(values)
            return str(number).encode().join(template)
        render, letters, row = self.cells.render, self.letters, str(number)
        return "".join(
            render(letters[i] + row, value, styles.get(i) if styles else None)
            for i, value in enumerate(values)
            if value is not None
        ).encode()

    def _template(self, values: ResultRow) -> list[bytes]:
        """The row's cells split where the row number goes: ``number.join(template)``."""
        template = [""]
        for letters, value in zip(self.letters, values, strict=False):
            if value is None:
                continue
            head = f'<{self.cells.p}c r="{letters}'
            cell = self.cells.render(letters, value, None)  # head + '"' + the rest
            template[-1] += head
            template.append(cell[len(head) :])
        encoded = [piece.encode() for piece in template]
        if len(self._templates) > 100_000:
            self._templates.clear()  # many distinct rows: stay bounded
        self._templates[values] = encoded
        return encoded

    def new_row(self, number: int, values: Sequence[object]) -> bytes:
        cells = self.ours(number, values)
        if not cells:
            return b""
        p = self.dialect.prefix
        return b"<" + p + b'row r="' + str(number).encode() + b'">' + cells + self.row_end

    def patched_row(self, match: re.Match[bytes], number: int, values: Sequence[object]) -> bytes:
        """``match`` is the row's :attr:`Dialect.row` match."""
        tag, body = match.group(1, 3)
        if b" spans=" in tag:
            tag = _SPANS.sub(b"", tag)
        if not body:
            return tag + b">" + self.ours(number, values) + self.row_end
        last_ref = body.rfind(self.cell_with_ref)
        if last_ref >= 0 and self.dialect.refs_first(body):
            ref = _REF.match(body, last_ref + len(self.cell_with_ref) - 3)
            if ref and ref.group(1) in self.before:  # the usual case: append at the end
                return tag + b">" + body + self.ours(number, values) + self.row_end
        return tag + b">" + self._spliced(body, number, values) + self.row_end

    def _spliced(self, body: bytes, number: int, values: Sequence[object]) -> bytes:
        p = self.dialect.prefix
        before: list[bytes] = []
        after: list[bytes] = []
        styles: dict[int, bytes] = {}
        column = -1
        for match in self.dialect.cell.finditer(body):
            cell = match.group(0)
            cell_tag_end = cell.index(b">")
            ref = _REF.search(cell, 0, cell_tag_end)
            if ref:
                column = _index(ref.group(1))
            else:  # "the next column": make it explicit, since cells may be inserted before it
                column += 1
                at = len(p) + 2
                cell = (
                    cell[:at]
                    + b' r="'
                    + column_letters(column).encode()
                    + str(number).encode()
                    + b'"'
                    + cell[at:]
                )
            if column < self.first:
                before.append(cell)
            elif column > self.last:
                after.append(cell)
            else:
                style = _STYLE.search(cell, 0, cell.index(b">"))
                if style:
                    styles[column - self.first] = style.group(1)
        return b"".join(before) + self.ours(number, values, styles) + b"".join(after)


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
    ref = start + b":" + column_letters(column).encode() + str(row).encode()
    return head[: match.start(2)] + ref + head[match.end(2) :]
