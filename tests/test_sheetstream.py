"""The streaming sheet rewriter on the XML shapes real generators produce."""

from __future__ import annotations

import datetime as dt

from lxml import etree

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
