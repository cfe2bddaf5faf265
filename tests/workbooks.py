"""Builders for the real workbooks the tests run on: rich enough to catch any loss."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RIBBON_XML = (
    '<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui">'
    '<ribbon><tabs><tab id="t" label="Test"><group id="g" label="G">'
    '<button id="b" label="B" onAction="Go"/></group></tab></tabs></ribbon></customUI>'
)


def tiny_png() -> bytes:
    """A 2-by-2 red PNG, made here so the test needs no image file or Pillow."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def xlwings_vba_project() -> bytes:
    """A real Excel-written vbaProject.bin: the one inside xlwings' quickstart.xlsm."""
    import xlwings

    quickstart = Path(xlwings.__file__).with_name("quickstart.xlsm")
    with zipfile.ZipFile(quickstart) as archive:
        return archive.read("xl/vbaProject.bin")


def rich_workbook(
    path: Path, phones: Sequence[object], *, vba: bool = False, ribbon: bool = False
) -> None:
    """Leads in A:E (phone in C, a formula in E) with every feature a user might have."""
    book = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    if vba:
        book.add_vba_project(io.BytesIO(xlwings_vba_project()), is_stream=True)
        book.set_vba_name("ThisWorkbook")
    bold = book.add_format({"bold": True, "bg_color": "#FFFF00", "border": 2})
    money = book.add_format({"num_format": "#,##0.00 [$EUR]", "italic": True})
    red = book.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
    sheet = book.add_worksheet("Leads")
    if vba:
        sheet.set_vba_name("Sheet1")
    sheet.write_row(0, 0, ["Company", "Contact", "Phone", "Revenue", "Double"], bold)
    last = len(phones)
    for row, phone in enumerate(phones, start=1):
        sheet.write_string(row, 0, f"Company {row}")
        sheet.write_string(row, 1, f"Contact {row}")
        if isinstance(phone, (int, float)):
            sheet.write_number(row, 2, phone)
        elif phone is not None:
            sheet.write_string(row, 2, phone)
        sheet.write_number(row, 3, 1000 + row, money)
        sheet.write_formula(row, 4, f"=D{row + 1}*2", money, (1000 + row) * 2)
    sheet.write_comment("A2", "Key account: call first")
    sheet.data_validation(1, 3, last, 3, {"validate": "integer", "criteria": ">", "value": 0})
    sheet.conditional_format(
        1, 3, last, 3, {"type": "cell", "criteria": ">", "value": 1003, "format": red}
    )
    sheet.autofilter(0, 0, last, 4)
    sheet.freeze_panes(1, 0)
    sheet.set_column(2, 2, 24)
    sheet.add_sparkline(last + 2, 3, {"range": f"Leads!D2:D{last + 1}"})
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": f"=Leads!$D$2:$D${last + 1}", "name": "Revenue"})
    sheet.insert_chart("M2", chart)
    sheet.insert_image("M20", "red.png", {"image_data": io.BytesIO(tiny_png())})
    sheet.insert_textbox("M30", "Call these first", {"width": 200, "height": 60})
    sheet.merge_range(last + 4, 0, last + 4, 2, "Merged footer", bold)
    book.define_name("Revenue", f"=Leads!$D$2:$D${last + 1}")
    summary = book.add_worksheet("Summary")
    if vba:
        summary.set_vba_name("Sheet2")
    summary.write_formula("A1", "=SUM(Revenue)", None, 0)
    summary.write_url("A2", "https://example.com", string="a link")
    chart_sheet = book.add_chartsheet("Chart")
    pie = book.add_chart({"type": "pie"})
    pie.add_series({"values": f"=Leads!$D$2:$D${last + 1}"})
    chart_sheet.set_chart(pie)
    book.close()
    if ribbon:
        add_ribbon(path)


def add_ribbon(path: Path) -> None:
    """Add a customUI part and its package relationship, as the template builder does."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    rels = parts["_rels/.rels"].decode()
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdUI" Type="{RIBBON_REL}" Target="customUI/customUI14.xml"/>'
        "</Relationships>",
    )
    parts["_rels/.rels"] = rels.encode()
    parts["customUI/customUI14.xml"] = RIBBON_XML.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
