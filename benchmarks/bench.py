"""Excel-scale benchmarks: every phase of a check, and the straightforward baseline.

Each measurement runs in a fresh process, so its wall time and peak RSS are its own:
read the phone column, plan (normalise + dedupe), write the upload body, parse a result
file of the same size, write back, and the whole ``xl-wacheck check`` against a sandbox
set to instant processing. The baseline — openpyxl read, a phonenumbers loop, an openpyxl
parse of the result, an openpyxl load/save to write back — runs in the same session, so
each figure is also a ratio to it.

Run:  python benchmarks/bench.py [--rows 20000 1048575] [--skip-baseline]
Inputs are generated once into benchmarks/.data/ (git-ignored).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
PHASES = ("read", "plan", "upload", "parse", "write", "check", "check_csv")
BASELINE = ("base_read", "base_plan", "base_parse", "base_write")


# -- inputs ---------------------------------------------------------------------------------


def realistic_values(rows: int, seed: int = 7) -> list[object]:
    """Mixed formats, ~10 % duplicates, ~5 % junk, numeric cells without '+'."""
    chance = random.Random(seed)
    values: list[object] = []
    for _ in range(rows):
        roll = chance.random()
        if roll < 0.05:
            values.append(chance.choice(["n/a", "call back", "12345", "#N/A", "-", "+999 1"]))
        elif roll < 0.15 and values:
            values.append(values[chance.randrange(len(values))])
        else:
            country, digits, size = chance.choice(
                [
                    ("41", "79", 7),
                    ("44", "74", 8),
                    ("49", "151", 8),
                    ("1", "415", 7),
                    ("33", "6", 8),
                    ("91", "98", 8),
                ]
            )
            rest = f"{chance.randrange(10**size):0{size}d}"
            style = chance.random()
            if style < 0.5:
                values.append(f"+{country}{digits}{rest}")
            elif style < 0.75:
                values.append(f"+{country} {digits} {rest[:3]} {rest[3:]}")
            elif style < 0.9:
                values.append(int(f"{country}{digits}{rest}"))
            else:
                values.append(f"00{country}-{digits}-{rest}")
    return values


def make_inputs(rows: int) -> tuple[Path, Path]:
    DATA.mkdir(exist_ok=True)
    xlsx, csv_path = DATA / f"leads-{rows}.xlsx", DATA / f"leads-{rows}.csv"
    if xlsx.exists() and csv_path.exists():
        return xlsx, csv_path
    import xlsxwriter

    values = realistic_values(rows)
    book = xlsxwriter.Workbook(xlsx, {"constant_memory": True})
    sheet = book.add_worksheet("Leads")
    sheet.write_row(0, 0, ["Company", "Phone", "Owner"])
    for row, value in enumerate(values, start=1):
        sheet.write_string(row, 0, f"Company {row}")
        if isinstance(value, int):
            sheet.write_number(row, 1, value)
        else:
            sheet.write_string(row, 1, value)
        sheet.write_string(row, 2, "sales")
    book.close()
    with open(csv_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Company", "Phone", "Owner"])
        writer.writerows([f"Company {i}", v, "sales"] for i, v in enumerate(values, 1))
    return xlsx, csv_path


def result_file(rows: int) -> Path:
    """A result .xlsx for the same numbers, as the sandbox would serve it."""
    path = DATA / f"results-{rows}.xlsx"
    if not path.exists():
        from xl_wacheck.plan import plan_rows
        from xl_wacheck.sandbox import resultfile
        from xl_wacheck.sandbox.verdicts import fails, verdict

        numbers = plan_rows(realistic_values(rows)).unique
        path.write_bytes(resultfile.build(verdict(n) for n in numbers if not fails(n)))
    return path


# -- phases (each runs in its own process) ---------------------------------------------------


def column(path: Path) -> list[object]:
    """The phone column, read exactly as ``xl-wacheck check`` reads it (streamed)."""
    from xl_wacheck.workbook import _read_workbook

    _, _, _, values = _read_workbook(path, "Leads", "Phone")
    return values


def phase(name: str, rows: int) -> dict[str, object]:
    xlsx, csv_file = make_inputs(rows)
    if name == "read":
        return {"values": len(column(xlsx))}
    if name == "plan":
        from xl_wacheck.plan import plan_rows

        values = column(xlsx)
        started = time.perf_counter()
        plan = plan_rows(values)
        return {"unique": len(plan.unique), "seconds_inside": time.perf_counter() - started}
    if name == "upload":
        from xl_wacheck.plan import plan_rows
        from xl_wacheck.upload import UploadBody

        unique = plan_rows(column(xlsx)).unique
        started = time.perf_counter()
        body = UploadBody("bench", unique)
        sent = sum(map(len, iter(lambda: body.read(16_384), b"")))  # as http.client reads
        return {"bytes": sent, "seconds_inside": time.perf_counter() - started}
    if name == "parse":
        from xl_wacheck.results import parse_results

        data = result_file(rows).read_bytes()
        started = time.perf_counter()
        results = parse_results(data)
        return {"results": len(results), "seconds_inside": time.perf_counter() - started}
    if name == "write":
        import datetime as dt

        from xl_wacheck.xlsxpatch import write_columns

        day = dt.date(2025, 1, 19)
        cells = [(0, ["whatsapp", "signature", "status_update", "note"])]
        cells += [(r, ["yes", "Hey there!", day, None]) for r in range(1, rows + 1)]
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            write_columns(xlsx, Path(folder) / "out.xlsx", "Leads", 3, cells)
            return {"seconds_inside": time.perf_counter() - started}
    if name == "check":
        return whole_check(xlsx)
    if name == "check_csv":
        return whole_check(csv_file)
    return baseline_phase(name, rows, xlsx)


def whole_check(source: Path) -> dict[str, object]:
    from xl_wacheck.sandbox.process import sandbox_process

    options = ("--quiet", "--speed", "1e9", "--pending", "0", "--linger", "0")
    with sandbox_process(*options) as sandbox, tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "WACHECK_API_URL": sandbox.url,
            "WACHECK_API_KEY": "sandbox",
            "WACHECK_USER_ID": "bench",
            "WACHECK_STATE_DIR": folder,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        }
        out_file = Path(folder) / "stdout.txt"
        err_file = Path(folder) / "stderr.txt"
        started = time.perf_counter()
        with out_file.open("w") as out_handle, err_file.open("w") as err_handle:
            client = subprocess.Popen(
                [
                    sys.executable,
                    str(HERE / "peak.py"),
                    "xl_wacheck",
                    "check",
                    str(source),
                    "--yes",
                    "--column",
                    "Phone",
                    "--out",
                    str(Path(folder) / f"out{source.suffix}"),
                ],
                env=env,
                stdout=out_handle,
                stderr=err_handle,
            )
            # wait4, not wait: the client's CPU time (its normalisation workers included),
            # to tell its work from the sandbox's on the same two cores.
            _, status, usage = os.wait4(client.pid, 0)
            client.returncode = 0  # reaped here; keep Popen from waiting again
        elapsed = time.perf_counter() - started
        out, err = out_file.read_text(), err_file.read_text()
        if status != 0:
            raise RuntimeError(err)
        # The client's own high-water mark (peak.py), not ru_maxrss, which would also
        # count the pages its forked normalisation workers share with it.
        peak = next(
            int(line.split()[1]) for line in err.splitlines() if line.startswith("peak-rss-mb:")
        )
        return {
            "seconds_inside": elapsed,
            "summary": out.splitlines()[0],
            "client_peak_mb": peak,
            "client_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        }


def baseline_phase(name: str, rows: int, xlsx: Path) -> dict[str, object]:
    """The straightforward script the issue measured: openpyxl and a phonenumbers loop."""
    import openpyxl
    import phonenumbers

    if name == "base_read":
        book = openpyxl.load_workbook(xlsx, read_only=True)
        values = [row[1] for row in book["Leads"].iter_rows(min_row=2, values_only=True)]
        return {"values": len(values)}
    if name == "base_plan":
        values = column(xlsx)
        started = time.perf_counter()
        unique: dict[str, None] = {}
        for value in values:
            text = str(int(value)) if isinstance(value, float | int) else str(value)
            try:
                number = phonenumbers.parse(text if text.startswith("+") else "+" + text)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                unique[phonenumbers.format_number(number, 0)] = None
        return {"unique": len(unique), "seconds_inside": time.perf_counter() - started}
    if name == "base_parse":
        book = openpyxl.load_workbook(result_file(rows), read_only=True)
        results = {
            str(row[0]): row for row in book["Results"].iter_rows(min_row=2, values_only=True)
        }
        return {"results": len(results)}
    if name == "base_write":
        book = openpyxl.load_workbook(xlsx)
        sheet = book["Leads"]
        for row in range(1, rows + 2):
            sheet.cell(row, 4, "yes")
            sheet.cell(row, 5, "Hey there!")
        with tempfile.TemporaryDirectory() as folder:
            book.save(Path(folder) / "out.xlsx")
        return {}
    raise ValueError(name)


# -- the runner -------------------------------------------------------------------------------


def own_peak_mb() -> int:
    """This process's peak RSS since exec (VmHWM). ru_maxrss would also count the pages a
    fork shared with a big parent, which is not this phase's memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def measure(name: str, rows: int) -> dict[str, object]:
    """Run one phase in a fresh process; its wall time and its own peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, __file__, "--phase", name, "--rows", str(rows)],
        stdout=subprocess.PIPE,
        text=True,
    )
    out = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"phase {name} failed")
    report = json.loads(out or "{}")
    report.update(
        phase=name,
        rows=rows,
        wall=round(wall, 2),
        peak_rss_mb=max(int(report.get("own_peak_mb", 0)), int(report.get("client_peak_mb", 0))),
    )
    del usage
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="*", default=[20_000, 1_048_575])
    parser.add_argument("--phase")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    if args.phase:
        report = phase(args.phase, args.rows[0])
        report["own_peak_mb"] = own_peak_mb()
        print(json.dumps(report))
        return
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}"
    )
    for rows in args.rows:
        make_inputs(rows)
        result_file(rows)
        names = PHASES + (() if args.skip_baseline else BASELINE)
        reports = {name: measure(name, rows) for name in names}
        print(f"\n{rows:,} rows")
        print(f"{'phase':<12} {'wall s':>8} {'inside s':>9} {'peak MB':>8} {'vs baseline':>12}")
        pairs = {
            "read": "base_read",
            "plan": "base_plan",
            "parse": "base_parse",
            "write": "base_write",
        }
        base_total = sum(float(reports[b]["wall"]) for b in BASELINE if b in reports)
        for name, report in reports.items():
            inside = report.get("seconds_inside")
            ratio = ""
            base = pairs.get(name)
            if base in reports:
                ratio = f"{float(reports[base]['wall']) / float(report['wall']):.1f}x"
            if name == "check" and base_total:
                ratio = f"{base_total / float(report['wall']):.1f}x"
            print(
                f"{name:<12} {report['wall']:>8} "
                f"{'' if inside is None else round(float(inside), 2):>9} "
                f"{report['peak_rss_mb']:>8} {ratio:>12}"
            )
        if "check" in reports:
            check = reports["check"]
            summary = str(check.get("summary")).rstrip(".")
            print(f"check: {summary}; client CPU {check.get('client_cpu_s')} s")


if __name__ == "__main__":
    main()
