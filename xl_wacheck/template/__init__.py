"""``workbook_template.xlsm`` and the ``.xlam`` add-in, built from the text sources here.

Sheets come from XlsxWriter (which also writes the macro-enabled content types and the
vbaProject relationship), the VBA project from :mod:`xl_wacheck.vba`, and the ribbon is
patched in last — ``customUI/customUI14.xml`` and its package relationship — because any
re-save by openpyxl would drop that relationship. Zip entries get a fixed date, so the same
sources always build the same bytes and a test can tell when the committed template is stale.
"""

from __future__ import annotations

import io
import re
import zipfile
from importlib import resources
from pathlib import Path

import xlsxwriter

from ..vba import Module, build_vba_project
from ..vba.project import WORKBOOK_BASE, WORKSHEET_BASE, document_module

PROJECT_NAME = "XLWACheck"
RIBBON_PART = "customUI/customUI14.xml"
RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
ADDIN_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_FIXED_DATE = (2026, 1, 1, 0, 0, 0)
_SHEETS = (("Leads", "Sheet1"), ("How to use", "Sheet2"))
HOW_TO = (
    "WhatsApp Check",
    "1. Put phone numbers in a column of the Leads sheet (any format; +41 79 …, 0041…, "
    "numbers without + …).",
    "2. Select that column, or one cell in it, and click WhatsApp Check > Check selection.",
    "3. Confirm the plan. Keep working: results appear beside the numbers when ready.",
    "Settings: your user ID and default country. The API key is kept in the system "
    "keychain, never in this workbook.",
    "Needs: Python with xl-wacheck, and the xlwings add-in (xlwings addin install).",
)


def source(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def standard_modules() -> list[Module]:
    """The standard modules from ``vba/*.bas``, in name order."""
    folder = resources.files(__package__).joinpath("vba")
    modules = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".bas"):
            text = entry.read_text(encoding="utf-8")
            match = re.match(r'Attribute VB_Name = "([^"]+)"', text)
            if not match:
                raise ValueError(f"{entry.name} must start with its Attribute VB_Name line")
            modules.append(Module(match.group(1), text))
    return modules


def vba_project(extra: list[Module] | None = None) -> bytes:
    modules = [document_module("ThisWorkbook", WORKBOOK_BASE)]
    modules += [document_module(code, WORKSHEET_BASE) for _, code in _SHEETS]
    return build_vba_project(PROJECT_NAME, [*modules, *standard_modules(), *(extra or [])])


def _sheets(vba: bytes) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"title": "WhatsApp Check", "created": _created()})
    book.set_vba_name("ThisWorkbook")
    book.add_vba_project(io.BytesIO(vba), is_stream=True)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    leads = book.add_worksheet(_SHEETS[0][0])
    leads.set_vba_name(_SHEETS[0][1])
    leads.write_row(0, 0, ["Company", "Contact", "Phone"], bold)
    leads.set_column(0, 1, 24)
    leads.set_column(2, 2, 20, book.add_format({"num_format": "@"}))  # keep typed '+'
    leads.freeze_panes(1, 0)
    guide = book.add_worksheet(_SHEETS[1][0])
    guide.set_vba_name(_SHEETS[1][1])
    guide.set_column(0, 0, 110)
    for row, line in enumerate(HOW_TO):
        guide.write_string(row, 0, line, bold if row == 0 else None)
    book.close()
    return buffer.getvalue()


def _created() -> object:
    import datetime as dt

    return dt.datetime(*_FIXED_DATE)


def _patch(package: bytes, addin: bool) -> bytes:
    """Add the ribbon part and relationship (and, for the add-in, its content type and a
    hidden window), writing every entry with a fixed date."""
    source_zip = zipfile.ZipFile(io.BytesIO(package))
    parts = {info.filename: source_zip.read(info) for info in source_zip.infolist()}
    rels = parts["_rels/.rels"].decode("utf-8")
    if RIBBON_REL not in rels:
        rels = rels.replace(
            "</Relationships>",
            f'<Relationship Id="rIdWACheckRibbon" Type="{RIBBON_REL}" '
            f'Target="{RIBBON_PART}"/></Relationships>',
        )
    parts["_rels/.rels"] = rels.encode("utf-8")
    parts[RIBBON_PART] = source("customUI14.xml").encode("utf-8")
    if addin:
        types = parts["[Content_Types].xml"].decode("utf-8")
        parts["[Content_Types].xml"] = types.replace(MACRO_TYPE, ADDIN_TYPE).encode("utf-8")
        book = parts["xl/workbook.xml"].decode("utf-8")
        parts["xl/workbook.xml"] = book.replace(
            "<workbookView ", '<workbookView visibility="hidden" ', 1
        ).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, _FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def build(
    path: Path | None = None, *, addin: bool = False, extra: list[Module] | None = None
) -> bytes:
    """The template (or add-in) bytes; written to ``path`` when given."""
    data = _patch(_sheets(vba_project(extra)), addin)
    if path is not None:
        Path(path).write_bytes(data)
    return data
