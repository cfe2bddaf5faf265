"""Checking workbook files: results on every row, and nothing of the user's lost."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from lxml import etree

from xl_wacheck.api import ApiClient
from xl_wacheck.errors import InputError
from xl_wacheck.plan import RESULT_HEADERS, ResultRow
from xl_wacheck.policy import PollPolicy
from xl_wacheck.sandbox import Faults, Sandbox
from xl_wacheck.workbook import _streamed_column, check_file
from xl_wacheck.xlsxpatch import MAIN, sheet_part, used_columns

from .conftest import SYSTEM_PYTHON, client_for, needs_libreoffice
from .test_end_to_end import expected_row
from .workbooks import RIBBON_REL, rich_workbook

MakeSandbox = Callable[..., Sandbox]
QUICK = PollPolicy(first=0.05, latency=0.5)
PHONES: list[object] = [
    "+41 79 828 46 51",
    41798284651,
    "079 555 12 34",
    "n/a",
    None,
    "+14155552671",
    "0041798284651",
    *[f"+4474001{i:05d}" for i in range(40)],
]
SHEET = "xl/worksheets/sheet1.xml"


def run(path: Path, client: ApiClient, **kwargs: object):
    return check_file(path, client, region="CH", policy=QUICK, **kwargs)


def cell_values(path: Path, sheet: str = "Leads") -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path)
    return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]


def test_results_land_on_every_row_beside_empty_columns(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    rich_workbook(path, PHONES)
    done = run(path, client_for(sandbox), out=tmp_path / "out.xlsx")
    assert done.columns == "F:I" and done.phone_column == "C"
    rows = cell_values(tmp_path / "out.xlsx")
    assert rows[0][5:9] == RESULT_HEADERS
    swiss = expected_row("+41798284651")
    for index, phone in enumerate(PHONES, start=1):
        got = rows[index][5:9]
        if phone is None:
            assert got == (None, None, None, None)
            continue
        if phone == "n/a":
            assert got == (None, None, None, "not a phone number")
            continue
        number = {"079 555 12 34": "+41795551234"}.get(str(phone))
        want = (
            swiss
            if number is None and "41798284651" in str(phone).replace(" ", "")
            else expected_row(number or str(phone))
        )
        assert got[:2] == (want.whatsapp, want.signature), (phone, got)
        assert got[3] == want.note
        if want.status_update is not None:
            assert got[2].date() == want.status_update
    [task] = sandbox.tasks.values()
    assert len(task.numbers) == len(set(task.numbers)) == 43


def test_a_table_away_from_a1_is_read_row_for_row(sandbox: Sandbox, tmp_path: Path) -> None:
    """The column is streamed, not read whole: rows above and columns left of the table
    must not shift a single result, far past the rows used to find the header."""
    path = tmp_path / "offset.xlsx"
    phones = [f"+4474001{i:05d}" for i in range(150)]
    phones[120] = "not a number"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Leads")
    sheet.write_string(4, 3, "Name")
    sheet.write_string(4, 4, "Phone")
    for offset, phone in enumerate(phones, start=5):
        sheet.write_string(offset, 3, f"Lead {offset}")
        sheet.write_string(offset, 4, phone)
    book.close()
    done = run(path, client_for(sandbox), out=tmp_path / "out.xlsx")
    assert (done.phone_column, done.columns) == ("E", "F:I")
    rows = cell_values(tmp_path / "out.xlsx")
    assert rows[4][5:9] == RESULT_HEADERS
    for row, phone in zip(rows[5:], phones, strict=True):
        assert row[4] == phone
        want = (
            ResultRow(note="not a phone number") if phone == "not a number" else expected_row(phone)
        )
        assert (row[5], row[6], row[8]) == (want.whatsapp, want.signature, want.note), phone


class _Sheet:
    """python-calamine's sheet as another version might yield it (issue #177)."""

    def __init__(self, rows: list[list[object]], start: tuple[int, int], size: tuple[int, int]):
        self.rows, self.start, (self.height, self.width) = rows, start, size

    def iter_rows(self):
        return iter(self.rows)


@pytest.mark.parametrize(
    "rows",
    [
        [[], [], ["Phone", "x"], ["+1", ""], ["", "y"]],  # python-calamine 0.9: from row 1
        [["Phone", "x"], ["+1", ""], ["", "y"]],  # from the first used row
        [["", "", "Phone", "x"], ["", "", "+1", ""], ["", "", "", "y"]],  # and from column A
    ],
)
def test_the_streamed_column_is_aligned_whatever_iter_rows_yields(
    rows: list[list[object]],
) -> None:
    sheet = _Sheet(rows, start=(2, 2), size=(3, 2))
    assert _streamed_column(sheet, 2)[-3:] == ["Phone", "+1", ""]
    assert len(_streamed_column(sheet, 2)) == 5
    assert _streamed_column(sheet, 3)[-1] == "y"


def test_formula_like_signatures_are_stored_as_text(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    rich_workbook(path, [f"+4474001{i:05d}" for i in range(200)])
    run(path, client_for(sandbox))
    sheet = openpyxl.load_workbook(path)["Leads"]
    signatures = {sheet.cell(r, 7).value: sheet.cell(r, 7).data_type for r in range(2, 202)}
    for text in ('=HYPERLINK("http://example.com","click me")', "+1 call me", "-2+3", "@SUM(1)"):
        assert signatures[text] == "s"
    with zipfile.ZipFile(path) as archive:
        xml = etree.fromstring(archive.read(SHEET))
    formulas = [c.get("r") for c in xml.iter(f"{{{MAIN}}}c") if c.find(f"{{{MAIN}}}f") is not None]
    assert all(ref.startswith("E") for ref in formulas)  # only the user's own formulas


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _sheet_without(xml: bytes, columns: set[str]) -> list[bytes]:
    """Every element of the sheet, with the cells of ``columns`` and row hints removed."""
    root = etree.fromstring(xml)
    for cell in list(root.iter(f"{{{MAIN}}}c")):
        if cell.get("r", "").rstrip("0123456789") in columns:
            cell.getparent().remove(cell)
    for row in root.iter(f"{{{MAIN}}}row"):
        row.attrib.pop("spans", None)
    dimension = root.find(f"{{{MAIN}}}dimension")
    if dimension is not None:
        root.remove(dimension)
    return [etree.tostring(child, method="c14n") for child in root]


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_every_other_part_survives_byte_for_byte(
    sandbox: Sandbox, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"leads{suffix}"
    rich_workbook(path, PHONES, vba=suffix == ".xlsm", ribbon=suffix == ".xlsm")
    before = _parts(path)
    done = run(path, client_for(sandbox))
    after = _parts(path)
    assert done.backup is not None and _parts(done.backup) == before
    assert list(after) == list(before)  # same parts, same order
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {SHEET, "xl/styles.xml"}
    assert _sheet_without(before[SHEET], {"F", "G", "H", "I"}) == _sheet_without(
        after[SHEET], {"F", "G", "H", "I"}
    )
    old_xfs = etree.fromstring(before["xl/styles.xml"]).find(f"{{{MAIN}}}cellXfs")
    new_xfs = etree.fromstring(after["xl/styles.xml"]).find(f"{{{MAIN}}}cellXfs")
    assert [etree.tostring(x) for x in old_xfs] == [etree.tostring(x) for x in new_xfs][:-1]
    if suffix == ".xlsm":
        assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
        assert RIBBON_REL.encode() in after["_rels/.rels"]
        book = openpyxl.load_workbook(path, keep_vba=True)
        assert book.vba_archive is not None
        book.vba_archive.close()  # openpyxl leaves its in-memory copy open
    untouched = cell_values(done.backup)
    assert [row[:5] for row in cell_values(path)] == [row[:5] for row in untouched]
    assert cell_values(path, "Summary") == cell_values(done.backup, "Summary")


def test_a_rerun_reuses_its_own_columns(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    rich_workbook(path, PHONES)
    first = run(path, client_for(sandbox))
    once = cell_values(path)
    second = run(path, client_for(sandbox))
    assert first.columns == second.columns == "F:I"
    assert cell_values(path) == once
    assert len(once[0]) == 9  # no second set of columns


def test_results_go_after_the_last_used_column_when_beside_is_taken(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "busy.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Phone", "Owner", None, None, None, "Region"])
    sheet.write_row(1, 0, ["+41798284651", "me", None, None, None, "EU"])
    sheet.write_string(40, 1, "a note far below")
    book.close()
    done = run(path, client_for(sandbox))
    assert done.columns == "G:J"
    rows = cell_values(path, "Sheet1")
    assert rows[0][:6] == ("Phone", "Owner", None, None, None, "Region")
    assert rows[40][1] == "a note far below"


def test_sparklines_count_as_used_cells(tmp_path: Path) -> None:
    path = tmp_path / "spark.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Phone", 1, 2, 3])
    sheet.add_sparkline(0, 6, {"range": "Sheet1!B1:D1"})
    book.close()
    assert 6 in used_columns(path, None)


def test_missing_column_lists_the_headers(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    rich_workbook(path, PHONES)
    with pytest.raises(InputError, match="A: Company, B: Contact, C: Phone, D: Revenue"):
        run(path, client_for(sandbox), column="Mobile")
    assert sandbox.log == []


def test_column_by_letter_and_by_header(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    rich_workbook(path, PHONES)
    assert run(path, client_for(sandbox), column="C", out=tmp_path / "a.xlsx").phone_column == "C"
    assert (
        run(path, client_for(sandbox), column="phone", out=tmp_path / "b.xlsx").phone_column == "C"
    )


def test_unknown_sheet_lists_the_sheets(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    rich_workbook(path, PHONES)
    with pytest.raises(InputError, match="The sheets are: Leads, Summary, Chart"):
        run(path, client_for(sandbox), sheet="Nope")


def test_csv_round_trip_neutralises_formula_text(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    lines = ["Name;Phone;Owner"] + [f"Lead {i};+4474001{i:05d};me" for i in range(200)]
    lines += ["Junk;n/a;me"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    done = run(path, client_for(sandbox), out=tmp_path / "out.csv")
    assert done.columns == "D:G"
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    out = [line.split(";") for line in raw.decode("utf-8-sig").splitlines()]
    assert out[0] == ["Name", "Phone", "Owner", *RESULT_HEADERS]
    signatures = {row[4] for row in out[1:]}
    assert "'+1 call me" in signatures and "'-2+3" in signatures and "'@SUM(1)" in signatures
    assert not any(s.startswith(("=", "+", "-", "@")) for s in signatures)
    assert out[-1][3:] == ["", "", "", "not a phone number"]
    row = expected_row("+447400100000")
    assert out[1][3] == (row.whatsapp or "")


def test_results_right_against_an_adversarial_sandbox(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(
        faults=Faults(
            burst_500=2,
            foreign_results=True,
            numeric_numbers=True,
            shuffled_columns=True,
            result_format="zip",
        )
    )
    path = tmp_path / "leads.xlsx"
    rich_workbook(path, PHONES)
    done = run(path, client_for(sandbox))
    assert done.outcome.rows[0] == expected_row("+41798284651")
    assert done.outcome.rows[-1] == expected_row("+447400100039")
    assert len(sandbox.tasks) == 1
    assert not any(e.with_key for e in sandbox.log if e.server == "results")


def test_an_unreadable_file_is_an_input_error(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a readable Excel workbook"):
        run(path, client_for(sandbox))


def test_rows_of_the_outcome_match_plan(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    rich_workbook(path, PHONES)
    done = run(path, client_for(sandbox), out=tmp_path / "o.xlsx")
    assert len(done.outcome.rows) == len(PHONES)
    assert done.outcome.rows[4] == ResultRow()


def test_updating_in_place_keeps_the_files_permissions(sandbox: Sandbox, tmp_path: Path) -> None:
    import os
    import stat

    path = tmp_path / "leads.xlsx"
    rich_workbook(path, PHONES[:3])
    path.chmod(0o640)
    run(path, client_for(sandbox))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    run(path, client_for(sandbox), out=tmp_path / "new.xlsx")
    assert stat.S_IMODE(os.stat(tmp_path / "new.xlsx").st_mode) & 0o044  # readable as usual


@needs_libreoffice
def test_a_real_pivot_table_survives(sandbox: Sandbox, tmp_path: Path) -> None:
    """A pivot table made by LibreOffice (XlsxWriter cannot make one) is copied untouched."""
    import subprocess

    path = tmp_path / "pivot.xlsx"
    helper = Path(__file__).with_name("helpers") / "lo_pivot.py"
    made = subprocess.run(
        [str(SYSTEM_PYTHON), str(helper), str(path)], capture_output=True, text=True, timeout=300
    )
    assert made.returncode == 0, made.stderr
    before = _parts(path)
    assert any(name.startswith("xl/pivotTables/") for name in before)
    done = run(path, client_for(sandbox), sheet="Leads", column="Phone")
    after = _parts(path)
    assert list(after) == list(before)
    with zipfile.ZipFile(path) as archive:
        leads_part = sheet_part(archive, "Leads")[0]
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= {leads_part, "xl/styles.xml"} and leads_part in changed
    assert done.columns == "D:G"
    book = openpyxl.load_workbook(path)
    assert book["Leads"]["D1"].value == "whatsapp"
    assert book["Pivot"]["A1"].value == before_value(done.backup)


def before_value(backup: Path | None) -> object:
    assert backup is not None
    return openpyxl.load_workbook(backup)["Pivot"]["A1"].value
