"""Result files in every shape the vendor (or its sister API) may send."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
import xlsxwriter

from xl_wacheck.errors import ResultFileError
from xl_wacheck.records import CheckResult
from xl_wacheck.results import parse_results
from xl_wacheck.sandbox import resultfile

DAY = dt.date(2025, 1, 19)
RESULTS = [
    CheckResult("+41798284651", True, "Hey there! I am using WhatsApp", DAY),
    CheckResult("+14155552671", False, "", None),
    CheckResult("+442079460958", True, '=HYPERLINK("x","y")', DAY),
]
EXPECTED = {r.number: r for r in RESULTS}


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "zip", "zip-csv"])
@pytest.mark.parametrize("numeric", [False, True])
@pytest.mark.parametrize("shuffled", [False, True])
def test_every_format_and_quirk_parses_to_the_same_results(
    fmt: str, numeric: bool, shuffled: bool
) -> None:
    data = resultfile.build(RESULTS, fmt=fmt, numeric_numbers=numeric, shuffled_columns=shuffled)
    assert parse_results(data) == EXPECTED


def _xlsx(rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, book.add_format({"num_format": "dd/mm/yyyy"}))
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def test_header_below_a_title_and_status_update_as_text_or_datetime() -> None:
    data = _xlsx(
        [
            ["Export of task cs9viu7i61pkfs4oavvg"],
            [],
            ["WhatsApp", "NUMBER", "Status Update", "Signature"],
            ["yes", "41798284651", "2025-01-19", "hi"],
            ["no", 14155552671, None, None],
            ["yes", "+442079460958", dt.datetime(2025, 1, 19, 10, 30), "1234"],
            ["maybe", "+33612345678", "last week", ""],
        ]
    )
    results = parse_results(data)
    assert results["+41798284651"] == CheckResult("+41798284651", True, "hi", DAY)
    assert results["+14155552671"] == CheckResult("+14155552671", False, "", None)
    assert results["+442079460958"].status_update == DAY
    assert results["+442079460958"].signature == "1234"
    assert results["+33612345678"] == CheckResult("+33612345678", None, "", "last week")


def test_semicolon_csv_with_bom() -> None:
    data = "\ufeffNumber;whatsapp;signature\n+41798284651;yes;Grüezi; mitenand\n".encode()
    results = parse_results(data)
    assert results["+41798284651"].whatsapp is True


def test_missing_columns_are_named_in_the_error() -> None:
    data = _xlsx([["Phone", "Country"], ["+41798284651", "CH"]])
    with pytest.raises(ResultFileError, match="it has: Phone, Country"):
        parse_results(data)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        resultfile.build(RESULTS, truncate=True),
        resultfile.build(RESULTS, fmt="zip", truncate=True),
        b"PK\x03\x04garbage",
    ],
)
def test_truncated_or_corrupt_files_give_a_clear_error(data: bytes) -> None:
    with pytest.raises(ResultFileError):
        parse_results(data)


def test_zip_with_several_tables_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", "Number,whatsapp\n+41798284651,yes\n")
        archive.writestr("b.csv", "Number,whatsapp\n+41798284651,yes\n")
    with pytest.raises(ResultFileError, match=r"a\.csv, b\.csv"):
        parse_results(buffer.getvalue())


def test_zip_ignores_mac_metadata() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("__MACOSX/._results.csv", "junk")
        archive.writestr("results.csv", "Number,whatsapp\n+41798284651,no\n")
    assert parse_results(buffer.getvalue())["+41798284651"].whatsapp is False


LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE sst [<!ENTITY a "lol">'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8)
    )
    + b"]>"
)


def test_an_xml_bomb_in_the_result_file_is_not_expanded() -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Number", "whatsapp", "signature"])
    sheet.write_row(1, 0, ["+41798284651", "yes", "BOOM"])
    book.close()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    bombed = io.BytesIO()
    with zipfile.ZipFile(bombed, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data = LAUGHS + data.split(b"?>", 1)[1].replace(b"BOOM", b"&i;")
                assert b"&i;" in data
            archive.writestr(info, data)
    try:
        results = parse_results(bombed.getvalue())
    except ResultFileError:
        return  # refusing is fine too
    assert len(results["+41798284651"].signature) < 1000  # 10**8 'lol's were not made
