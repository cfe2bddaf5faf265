"""Reading the vendor's result file, whatever shape it arrives in.

The contract promises an .xlsx with four columns; the vendor's sister API sometimes sends a
.csv, or a .zip holding one. So the format is sniffed from the bytes, never trusted from a
name, and the columns are found by header text in any order or letter case.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence

from python_calamine import CalamineError, CalamineWorkbook

from .bulk import no_gc
from .errors import ResultFileError
from .records import CheckResult

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
_HEADER_SCAN = 20
_COLUMN_NAMES = {
    "number": ("number", "phone", "phone_number", "phonenumber", "mobile", "msisdn"),
    "signature": ("signature", "about", "status_text"),
    "status_update": ("status_update", "statusupdate", "status_updated", "updated"),
    "whatsapp": ("whatsapp", "has_whatsapp", "is_whatsapp", "wa"),
}
_YES = frozenset({"yes", "y", "true", "1", "active", "valid"})
_NO = frozenset({"no", "n", "false", "0", "inactive", "invalid"})
_NON_DIGITS = re.compile(r"\D")
#: Unzipped size we accept for one result member; a zip bomb stops here.
MAX_UNPACKED = 512 * 1024 * 1024
_SHARED_MAX = 100_000


def parse_results(data: bytes) -> dict[str, CheckResult]:
    """Results keyed by E.164 number, from the bytes of an .xlsx, .xls, .csv or .zip."""
    with no_gc():
        return {result.number: result for result in iter_results(data)}


def iter_results(data: bytes) -> Iterator[CheckResult]:
    if not data:
        raise ResultFileError("The result file is empty; the task stays recorded, try again.")
    if data.startswith(_ZIP_MAGIC):
        archive = _open_zip(data)
        names = set(archive.namelist())
        if "[Content_Types].xml" in names or "xl/workbook.xml" in names:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_UNPACKED:
                raise ResultFileError(
                    "The result workbook unpacks to more than 512 MB; refusing to open it."
                )
            return _rows_to_results(_workbook_rows(data))
        return iter_results(_single_member(archive))
    if data.startswith(_OLE_MAGIC):
        return _rows_to_results(_workbook_rows(data))
    return _rows_to_results(_csv_rows(data))


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ResultFileError(
            "The result file is truncated or corrupt; the task stays recorded, try again."
        ) from error


def _single_member(archive: zipfile.ZipFile) -> bytes:
    members = [
        info
        for info in archive.infolist()
        if not info.is_dir() and not info.filename.rsplit("/", 1)[-1].startswith((".", "__"))
    ]
    if len(members) != 1:
        listing = ", ".join(info.filename for info in members) or "nothing"
        raise ResultFileError(f"The result .zip should hold one table, but holds {listing}.")
    member = members[0]
    if member.file_size > MAX_UNPACKED:
        raise ResultFileError("The result file unpacks to more than 512 MB; refusing to open it.")
    try:
        with archive.open(member) as handle:
            data = handle.read(MAX_UNPACKED + 1)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ResultFileError("The result .zip is corrupt; the task stays recorded.") from error
    if len(data) > MAX_UNPACKED:
        raise ResultFileError("The result file unpacks to more than 512 MB; refusing to open it.")
    return data


def _workbook_rows(data: bytes) -> Iterator[Sequence[object]]:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except (CalamineError, ValueError, OSError) as error:
        raise ResultFileError(
            "The result workbook is truncated or corrupt; the task stays recorded, try again."
        ) from error
    return rows


def _csv_rows(data: bytes) -> Iterator[Sequence[object]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text[:4096]:
        raise ResultFileError("The result file is neither a spreadsheet nor a CSV table.")
    # The header line decides the delimiter: signatures may hold any punctuation.
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=header.count)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _find_columns(header: Sequence[object]) -> dict[str, int] | None:
    names = [_header_key(cell) for cell in header]
    found: dict[str, int] = {}
    for field, aliases in _COLUMN_NAMES.items():
        for index, name in enumerate(names):
            if name in aliases:
                found[field] = index
                break
    return found if "number" in found and "whatsapp" in found else None


def _header_key(cell: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(cell).strip().lower()) if cell is not None else ""


def _rows_to_results(rows: Iterable[Sequence[object]]) -> Iterator[CheckResult]:
    iterator = iter(rows)
    seen: list[Sequence[object]] = []
    columns = None
    try:
        for row in iterator:
            columns = _find_columns(row)
            if columns is not None:
                break
            seen.append(row)
            if len(seen) >= _HEADER_SCAN:
                break
    except (CalamineError, csv.Error, ValueError) as error:
        raise ResultFileError("The result file is corrupt; the task stays recorded.") from error
    if columns is None:
        headers = ", ".join(
            str(cell) for cell in (seen[0] if seen else ()) if cell not in ("", None)
        )
        raise ResultFileError(
            "The result file has no 'Number' and 'whatsapp' columns"
            + (f" (it has: {headers})." if headers else ".")
        )
    return _results_from(iterator, columns)


def _results_from(
    rows: Iterator[Sequence[object]], columns: dict[str, int]
) -> Iterator[CheckResult]:
    """One result per row. The usual cell types ('+41…' text, 'yes'/'no', text, date cells)
    take a short path; anything else goes through the tolerant converters."""
    number_at = columns["number"]
    whatsapp_at = columns["whatsapp"]
    signature_at = columns.get("signature")
    update_at = columns.get("status_update")
    width = 1 + max(i for i in (number_at, whatsapp_at, signature_at, update_at) if i is not None)
    yes_no = {"yes": True, "no": False}
    date_type, str_type = dt.date, str
    # Signatures and dates repeat across rows ("Hey there! I am using WhatsApp."): one
    # object each instead of one per row keeps a million results a quarter smaller.
    seen: dict[object, object] = {}
    same = seen.setdefault
    try:
        for row in rows:
            if len(row) < width:
                row = [*row, *([None] * (width - len(row)))]
            cell = row[number_at]
            if type(cell) is str_type and cell[:1] == "+" and cell[1:].isdigit():
                number: str | None = cell
            else:
                number = _number(cell)
                if number is None:
                    continue
            answer = row[whatsapp_at]
            whatsapp = yes_no.get(answer) if type(answer) is str_type else None  # type: ignore[arg-type]
            if whatsapp is None:
                whatsapp = _yes_no(answer)
            signature = row[signature_at] if signature_at is not None else ""
            if type(signature) is not str_type:
                signature = _text(signature)
            update = row[update_at] if update_at is not None else None
            if type(update) is not date_type:
                update = _date(update)
            if len(seen) > _SHARED_MAX:
                seen.clear()  # mostly distinct texts: sharing no longer pays
            signature, update = same(signature, signature), same(update, update)
            yield CheckResult(number, whatsapp, signature, update)  # type: ignore[arg-type]
    except (CalamineError, csv.Error, ValueError) as error:
        raise ResultFileError("The result file is corrupt; the task stays recorded.") from error


def _number(cell: object) -> str | None:
    if cell is None or cell == "" or isinstance(cell, bool):
        return None
    if isinstance(cell, float):
        if not cell.is_integer():
            return None
        cell = int(cell)
    digits = _NON_DIGITS.sub("", str(cell))
    return "+" + digits if digits else None


def _yes_no(cell: object) -> bool | None:
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, (int, float)):
        return bool(cell)
    key = str(cell).strip().lower() if cell is not None else ""
    if key in _YES:
        return True
    if key in _NO:
        return False
    return None


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _date(cell: object) -> dt.date | str | None:
    if cell is None or cell == "":
        return None
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    text = str(cell).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return text
