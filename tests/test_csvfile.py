"""CSV lead lists: every cell of the user's kept, results beside them, in any encoding."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from xl_wacheck.api import ApiClient
from xl_wacheck.csvfile import read_column, sniff
from xl_wacheck.plan import RESULT_HEADERS
from xl_wacheck.policy import PollPolicy
from xl_wacheck.sandbox import Sandbox
from xl_wacheck.workbook import check_file

from .conftest import client_for
from .test_end_to_end import expected_row

QUICK = PollPolicy(first=0.05, latency=0.5)


def run(path: Path, client: ApiClient, out: Path) -> object:
    return check_file(path, client, region="CH", policy=QUICK, out=out)


def test_a_cp1252_file_keeps_every_byte_of_its_own(sandbox: Sandbox, tmp_path: Path) -> None:
    """Decided over the whole file, not its start: one 'é' a megabyte in makes it cp1252,
    and even cp1252's undefined bytes come back unchanged."""
    path = tmp_path / "leads.csv"
    lines = [b"Name;Phone;Note"]
    lines += [f"Lead {i};+4474001{i % 50:05d};{'x' * 40}".encode() for i in range(30_000)]
    lines.append(b"Ren\xe9e \x81;+41798284651;caf\xe9")
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    assert path.stat().st_size > 1 << 20 and sniff(path).encoding == "cp1252"
    run(path, client_for(sandbox), tmp_path / "out.csv")
    written = (tmp_path / "out.csv").read_bytes().split(b"\r\n")
    assert written[0] == b"Name;Phone;Note;" + ";".join(RESULT_HEADERS).encode()
    assert written[-2].startswith(b"Ren\xe9e \x81;+41798284651;caf\xe9;")
    for original, new in zip(lines, written, strict=False):
        assert new.startswith(original + b";")
    row = expected_row("+41798284651")
    assert written[-2].split(b";")[3] == (row.whatsapp or "").encode()


def test_results_never_cover_a_cell_used_far_down(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    rows = [["Name", "Phone", "", ""]]
    rows += [[f"Lead {i}", f"+4474001{i:05d}", "", ""] for i in range(500)]
    rows[400][3] = 'keep "me", please\nthis is mine'
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    assert read_column(path, None).used == {0, 1, 3}
    run(path, client_for(sandbox), tmp_path / "out.csv")
    out = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text("utf-8"), newline="")))
    assert out[0][4:8] == list(RESULT_HEADERS)  # after column D, not beside the phones
    assert [r[:4] for r in out] == rows
    assert all(r[4] in ("yes", "no", "") for r in out[1:])
