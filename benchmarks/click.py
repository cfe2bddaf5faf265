"""How long the ribbon click takes for a big column, against the fake Excel.

The click reads the column once, plans it (normalise + dedupe), asks the local cache,
shows the plan, records the job and starts the worker; here the worker start is a no-op and
the alert answers OK at once, so the figure is the time Excel would wait for RunPython.
Run: python benchmarks/click.py [ROWS]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from xl_wacheck.excel import check_selection
from xl_wacheck.excel.fake import FakeExcel
from xl_wacheck.excel.port import Area, Selection


def column(rows: int) -> list[object]:
    values: list[object] = []
    for i in range(rows):
        if i % 20 == 0:
            values.append("n/a")
        elif i % 10 == 5:
            values.append(values[i - 1])
        elif i % 7 == 0:
            values.append(447400000000 + i)  # numeric cell without '+'
        else:
            values.append(f"+44 7400 {i:06d}")
    return values


def main(rows: int) -> float:
    os.environ.setdefault("WACHECK_STATE_DIR", tempfile.mkdtemp(prefix="wacheck-bench-"))
    os.environ.update(
        {
            "WACHECK_API_KEY": "bench",
            "WACHECK_USER_ID": "bench",
            "WACHECK_API_URL": "http://127.0.0.1:9",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        }
    )
    fake = FakeExcel()
    fake.fill("Leads", 1, 1, [["Phone"]])
    fake.fill("Leads", 2, 1, [[v] for v in column(rows)])
    fake.chosen = Selection("Leads", (Area(500, 1, 500, 1),))
    started = time.perf_counter()
    check_selection(fake, spawn=lambda job: 0)
    elapsed = time.perf_counter() - started
    assert fake.alerts and "Start the check?" in fake.alerts[0][1], fake.alerts
    print(f"click on {rows:,} rows: {elapsed:.2f} s")
    return elapsed


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
