"""The streaming sheet rewriter on the XML shapes real generators produce."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from xl_wacheck import sheetstream
from xl_wacheck.layout import column_index, column_letters
from xl_wacheck.plan import ResultRow
from xl_wacheck.sheetstream import rewrite, used_columns

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def run(xml: str, first: int, rows: dict[int, list[object]], style: int | None = 7) -> str:
    out: list[bytes] = []
    rewrite(xml.encode(), first, 4, rows, style, out.append)
    text = b"".join(out).decode()
    etree.fromstring(text.encode())  # still well-formed XML
    return text


def cells(text: str) -> list[tuple[str, str]]:
    root = etree.fromstring(text.encode())
    found = []
    for cell in root.iter(f"{{{NS}}}c"):
        value = "".join(cell.itertext())
        found.append((cell.get("r"), value))
    return found


SHEET = (
    f'<worksheet xmlns="{NS}"><dimension ref="A1:B3"/><sheetData>'
    '<row r="1" spans="1:2"><c r="A1" t="inlineStr"><is><t>Phone</t></is></c>'
    '<c r="B1"><v>1</v></c></row>'
    '<row r="3"><c r="A3"><v>41798284651</v></c><c r="G3" s="2"><v>9</v></c></row>'
    '</sheetData><mergeCells><mergeCell ref="J1:K1"/></mergeCells></worksheet>'
)


def test_cells_are_inserted_in_column_order_and_missing_rows_created() -> None:
    text = run(
        SHEET,
        2,
        {
            0: ["whatsapp", "signature", "status_update", "note"],
            1: [None, None, None, "not a phone number"],
            2: ["yes", "=SUM(1)", dt.date(2025, 1, 19), None],
        },
    )
    assert cells(text) == [
        ("A1", "Phone"),
        ("B1", "1"),
        ("C1", "whatsapp"),
        ("D1", "signature"),
        ("E1", "status_update"),
        ("F1", "note"),
        ("F2", "not a phone number"),
        ("A3", "41798284651"),
        ("C3", "yes"),
        ("D3", "=SUM(1)"),
        ("E3", "45676"),
        ("G3", "9"),
    ]
    assert 'spans="1:2"' not in text
    assert '<dimension ref="A1:F3"/>' in text  # widened to our columns
    assert 'r="E3" s="7"' in text and "<f>" not in text
    assert '<mergeCell ref="J1:K1"/>' in text


def test_rows_and_cells_without_references_get_explicit_ones() -> None:
    xml = (
        f'<worksheet xmlns="{NS}"><sheetData><row><c><v>1</v></c><c><v>2</v></c>'
        "<c><v>3</v></c></row></sheetData></worksheet>"
    )
    text = run(xml, 3, {0: ["x", None, None, None]})
    assert cells(text) == [("A1", "1"), ("B1", "2"), ("C1", "3"), ("D1", "x")]


def test_a_cell_without_reference_after_a_referenced_one_is_not_doubled() -> None:
    """'<c>' right after A1 is B1: writing from column B must replace it, not add a second
    B1 after it (Excel would call the file corrupt)."""
    xml = (
        f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1"><v>1</v></c>'
        "<c><v>2</v></c></row></sheetData></worksheet>"
    )
    text = run(xml, 1, {0: ["x", None, None, None]})
    assert cells(text) == [("A1", "1"), ("B1", "x")]


def test_a_prefixed_sheet_keeps_its_prefix() -> None:
    xml = (
        f'<x:worksheet xmlns:x="{NS}"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>5</x:v>'
        "</x:c></x:row></x:sheetData></x:worksheet>"
    )
    text = run(xml, 1, {0: ["yes", None, None, None], 4: ["no", None, None, None]})
    assert '<x:c r="B1" t="inlineStr"><x:is><x:t>yes</x:t></x:is></x:c>' in text
    assert '<x:row r="5">' in text
    assert cells(text) == [("A1", "5"), ("B1", "yes"), ("B5", "no")]


def test_an_empty_sheet_gets_its_rows() -> None:
    xml = f'<worksheet xmlns="{NS}"><dimension ref="A1"/><sheetData/></worksheet>'
    text = run(xml, 0, {0: ["a", "b", None, None]})
    assert cells(text) == [("A1", "a"), ("B1", "b")] and '<dimension ref="A1:D1"/>' in text


def test_text_is_escaped_and_never_markup() -> None:
    evil = '</t></is></c><c r="Z9"><f>SUM(1)</f></c> & _x0041_ \r\x01'
    text = run(SHEET, 2, {0: [evil, None, None, None]})
    assert "<f>" not in text
    [(_, value)] = [c for c in cells(text) if c[0] == "C1"]
    assert value.startswith("</t></is></c>") and "_x005F_x0041_" in value and "\x01" not in value


def test_used_columns_counts_content_merges_and_sparklines() -> None:
    xml = SHEET.replace(
        "</worksheet>",
        '<extLst><ext><x14:sparklineGroups xmlns:x14="a" '
        'xmlns:xm="b"><x14:sparklineGroup><x14:sparklines><x14:sparkline>'
        "<xm:f>S!A1:B1</xm:f><xm:sqref>M4</xm:sqref></x14:sparkline>"
        "</x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext>"
        "</extLst></worksheet>",
    )
    assert used_columns(xml.encode()) == {0, 1, 6, 9, 10, 12}


def test_reading_in_tiny_slices_gives_the_same_bytes(monkeypatch) -> None:
    import io

    from xl_wacheck import sheetstream

    rows = {
        0: ["a", None, None, "n"],
        2: ["yes", "=x", dt.date(2025, 1, 19), None],
        7: ["new", None, None, None],
    }
    whole: list[bytes] = []
    sheetstream.rewrite(SHEET.encode(), 2, 4, rows, 7, whole.append)
    for size in (1, 7, 50, 300):
        monkeypatch.setattr(sheetstream, "_CHUNK", size)
        sliced: list[bytes] = []
        sheetstream.rewrite_stream(io.BytesIO(SHEET.encode()).read, 2, 4, rows, 7, sliced.append)
        assert b"".join(sliced) == b"".join(whole), size


_POOL = [
    ResultRow("yes", "Busy", dt.date(2025, 1, 19), None),
    ResultRow("no", None, None, None),
    ResultRow(None, None, None, "not a phone number"),
    ResultRow("yes", ' <b>&amp; "r=" _x0041_ ', "soon", None),
    ResultRow(),
]


@st.composite
def sheets(draw: st.DrawFn) -> str:
    rows = []
    for number in sorted(draw(st.sets(st.integers(1, 30), max_size=12))):
        columns = sorted(draw(st.sets(st.integers(0, 9), max_size=5)))
        spans = ' spans="1:9"' if draw(st.booleans()) else ""
        if not columns and draw(st.booleans()):
            rows.append(f'<row r="{number}"{spans}/>')
            continue
        body = "".join(
            f'<c r="{column_letters(c)}{number}" s="3"/>'
            if draw(st.booleans())
            else f'<c r="{column_letters(c)}{number}"><v>{c}</v></c>'
            for c in columns
        )
        rows.append(f'<row r="{number}"{spans}>{body}</row>')
    return f'<worksheet xmlns="{NS}"><sheetData>{"".join(rows)}</sheetData></worksheet>'


@settings(max_examples=150, deadline=None)
@given(
    sheets(),
    st.integers(0, 6),
    st.dictionaries(st.integers(0, 34), st.sampled_from(_POOL), max_size=15),
)
def test_shared_result_rows_are_written_exactly_like_plain_values(
    xml: str, first: int, targets: dict[int, ResultRow]
) -> None:
    """Result rows take a pre-rendered path; it must give the very bytes of the plain one,
    and every row must keep its own cells, in column order."""
    fast = run(xml, first, targets)  # type: ignore[arg-type]
    plain = run(xml, first, {row: list(values) for row, values in targets.items()})
    assert fast == plain
    root = etree.fromstring(fast.encode())
    for row in root.iter(f"{{{NS}}}row"):
        refs = [cell.get("r") for cell in row.iter(f"{{{NS}}}c")]
        columns = [column_index(ref.rstrip("0123456789")) for ref in refs]
        assert columns == sorted(set(columns)), refs
        assert all(ref.endswith(row.get("r")) for ref in refs)


@st.composite
def full_sheets(draw: st.DrawFn) -> tuple[str, int]:
    """Consecutive numbered rows, all to be written: the shape the bulk path takes."""
    first = draw(st.integers(1, 5))
    rows = []
    count = draw(st.integers(1, 25))
    start = draw(st.sampled_from([1, 1, 1, 2]))
    right = draw(st.sampled_from([first - 1, first - 1, first + 5]))  # sometimes in our way
    for number in range(start, start + count):
        columns = sorted(draw(st.sets(st.integers(0, right), max_size=4)))
        spans = ' spans="1:9"' if draw(st.booleans()) else ""
        body = "".join(f'<c r="{column_letters(c)}{number}"><v>{c}</v></c>' for c in columns)
        rows.append(f'<row r="{number}"{spans}>{body}</row>')
    if len(rows) >= 4 and draw(st.booleans()):  # out of order: Excel would repair it
        rows[1], rows[2] = rows[2], rows[1]
    rows.insert(draw(st.integers(0, len(rows))), "\n")  # text between rows stays
    return f'<worksheet xmlns="{NS}"><sheetData>{"".join(rows)}</sheetData></worksheet>', first


@settings(max_examples=150, deadline=None)
@given(full_sheets(), st.lists(st.sampled_from(_POOL), min_size=30, max_size=30))
def test_the_bulk_path_writes_what_the_row_by_row_path_writes(
    sheet: tuple[str, int], answers: list[ResultRow]
) -> None:
    xml, first = sheet
    targets = dict(enumerate(answers))
    bulk = run(xml, first, targets)  # type: ignore[arg-type]
    with mock.patch.object(sheetstream._Walker, "_in_bulk", lambda self, segment: False):
        assert run(xml, first, targets) == bulk  # type: ignore[arg-type]


def test_a_plain_sheet_takes_the_bulk_path(monkeypatch: pytest.MonkeyPatch) -> None:
    xml = (
        f'<worksheet xmlns="{NS}"><sheetData>'
        + "".join(f'<row r="{n}" spans="1:2"><c r="A{n}"><v>{n}</v></c></row>' for n in (1, 2, 3))
        + "</sheetData></worksheet>"
    )
    monkeypatch.setattr(sheetstream._Splicer, "patched_row", None)  # row by row would fail
    text = run(xml, 1, dict(enumerate(_POOL[:3])))  # type: ignore[arg-type]
    assert "spans" not in text
    assert [ref for ref, _ in cells(text)] == ["A1", "B1", "C1", "D1", "A2", "B2", "A3", "E3"]


@st.composite
def cell_sheets(draw: st.DrawFn) -> str:
    """Rows of cells with and without content, the reference first or not, in many columns."""
    rows = []
    for number in range(1, draw(st.integers(1, 12)) + 1):
        cells_ = []
        for column in sorted(draw(st.sets(st.integers(0, 80), max_size=6))):
            ref = f'r="{column_letters(column)}{number}"'
            attrs = draw(st.sampled_from([f" {ref}", f' s="2" {ref}', f' {ref} t="s"']))
            content = draw(st.sampled_from(["", "<v>1</v>", "<f>A1</f>", "<is><t>x</t></is>"]))
            cells_.append(f"<c{attrs}/>" if not content else f"<c{attrs}>{content}</c>")
        rows.append(f'<row r="{number}">{"".join(cells_)}</row>')
    return f'<worksheet xmlns="{NS}"><sheetData>{"".join(rows)}</sheetData></worksheet>'


def used_by_lxml(xml: str) -> set[int]:
    root = etree.fromstring(xml.encode())
    return {
        column_index(cell.get("r").rstrip("0123456789"))
        for cell in root.iter(f"{{{NS}}}c")
        if len(cell)
    }


@settings(max_examples=200, deadline=None)
@given(cell_sheets(), st.sampled_from([3, 64, 1 << 20]))
def test_used_columns_agree_with_a_real_xml_parser(xml: str, chunk: int) -> None:
    with mock.patch.object(sheetstream, "_CHUNK", chunk):
        assert used_columns(xml.encode()) == used_by_lxml(xml)
