"""The result cache: a number checked recently is answered locally, for free.

Results are facts about numbers, so they are kept per number (and per API origin, so the
sandbox's simulated answers never mix with real ones) with the time they were checked; a
job takes those younger than ``max_age`` and uploads only the rest.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping

from .records import CheckResult
from .store import Store

DEFAULT_MAX_AGE_DAYS = 30.0
_CHUNK = 900  # stays under SQLite's limit on bound parameters


class ResultCache:
    def __init__(self, api_url: str, store: Store | None = None) -> None:
        self.origin = api_url.rstrip("/").lower()
        self.store = store or Store()

    def fresh(
        self, numbers: Iterable[str], max_age_days: float = DEFAULT_MAX_AGE_DAYS
    ) -> dict[str, CheckResult]:
        """Cached results checked within ``max_age_days`` (``0`` disables the cache)."""
        if max_age_days <= 0:
            return {}
        oldest = time.time() - max_age_days * 86_400
        wanted = list(numbers)
        found: dict[str, CheckResult] = {}
        with self.store.connect() as db:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    "SELECT * FROM cache WHERE origin = ? AND checked_at >= ? "
                    f"AND number IN ({marks})",
                    (self.origin, oldest, *chunk),
                )
                for row in rows:
                    found[row["number"]] = _result(row)
        return found

    def store_results(self, results: Mapping[str, CheckResult], task_id: str | None) -> None:
        now = time.time()
        with self.store.connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO cache (origin, number, whatsapp, signature, "
                "status_update, checked_at, task_id) VALUES (?,?,?,?,?,?,?)",
                (
                    (
                        self.origin,
                        r.number,
                        None if r.whatsapp is None else int(r.whatsapp),
                        r.signature,
                        _date_text(r.status_update),
                        now,
                        task_id,
                    )
                    for r in results.values()
                ),
            )

    def forget(self) -> int:
        with self.store.connect() as db:
            return db.execute("DELETE FROM cache WHERE origin = ?", (self.origin,)).rowcount


def _date_text(value: dt.date | str | None) -> str | None:
    if value is None:
        return None
    return f"d:{value.isoformat()}" if isinstance(value, dt.date) else f"s:{value}"


def _result(row: Mapping[str, object]) -> CheckResult:
    raw = row["status_update"]
    status_update: dt.date | str | None = None
    if isinstance(raw, str):
        kind, _, text = raw.partition(":")
        status_update = dt.date.fromisoformat(text) if kind == "d" else text
    whatsapp = row["whatsapp"]
    return CheckResult(
        number=str(row["number"]),
        whatsapp=None if whatsapp is None else bool(whatsapp),
        signature=str(row["signature"] or ""),
        status_update=status_update,
    )
