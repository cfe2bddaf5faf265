"""The result cache: a number checked recently is answered locally, for free.

Results are facts about numbers, so they are kept per number (and per API origin, so the
sandbox's simulated answers never mix with real ones) with the time they were checked; a
job takes those younger than ``max_age`` and uploads only the rest. Numbers the service
failed to process are remembered too, for at most a day, so re-running a sheet does not
pay for a new task every time just to fail them again.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from .bulk import no_gc
from .records import CheckResult
from .store import Store

DEFAULT_MAX_AGE_DAYS = 30.0
FAILED_MAX_AGE_DAYS = 1.0
_CHUNK = 900  # stays under SQLite's limit on bound parameters
_UNSEEN = object()


@dataclass(frozen=True, slots=True)
class Known:
    """What the cache knows about a set of numbers."""

    results: dict[str, CheckResult] = field(default_factory=dict)
    #: Numbers the service recently failed to process (answered 'not processed').
    failed: frozenset[str] = frozenset()

    def __contains__(self, number: object) -> bool:
        return number in self.results or number in self.failed

    def __len__(self) -> int:
        return len(self.results) + len(self.failed)


class ResultCache:
    def __init__(self, api_url: str, store: Store | None = None) -> None:
        self.origin = api_url.rstrip("/").lower()
        self.store = store or Store()

    def fresh(self, numbers: Iterable[str], max_age_days: float = DEFAULT_MAX_AGE_DAYS) -> Known:
        """Cached answers checked within ``max_age_days`` (``0`` disables the cache)."""
        if max_age_days <= 0:
            return Known()
        with self.store.connect() as db:
            if (
                db.execute(
                    "SELECT 1 FROM cache WHERE origin = ? LIMIT 1", (self.origin,)
                ).fetchone()
                is None
            ):
                return Known()  # nothing cached for this API yet: skip a million look-ups
        now = time.time()
        oldest = now - max_age_days * 86_400
        oldest_failure = now - min(max_age_days, FAILED_MAX_AGE_DAYS) * 86_400
        wanted = list(numbers)
        results: dict[str, CheckResult] = {}
        failed: set[str] = set()
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
                    if not row["failed"]:
                        results[row["number"]] = _result(row)
                    elif row["checked_at"] >= oldest_failure:
                        failed.add(row["number"])
        return Known(results, frozenset(failed))

    def store_task(
        self, numbers: Iterable[str], results: Mapping[str, CheckResult], task_id: str | None
    ) -> None:
        """Remember what one task said about each number it was sent: its result, or — when
        the result file left the number out — that the service failed it."""
        with no_gc():
            self._write(sorted(numbers), results, task_id)

    def store_results(
        self, results: Mapping[str, CheckResult], task_id: str | None, failed: Iterable[str] = ()
    ) -> None:
        with no_gc():
            self._write(sorted([*results, *failed]), results, task_id)

    def _write(
        self, ordered: list[str], results: Mapping[str, CheckResult], task_id: str | None
    ) -> None:
        """Rows in key order (B-tree appends, not splits: three times faster), made as they
        are inserted rather than as a million-tuple list first."""
        now, origin, get = time.time(), self.origin, results.get
        texts: dict[object, str | None] = {}

        def rows() -> Iterator[tuple[object, ...]]:
            for number in ordered:
                result = get(number)
                if result is None:
                    yield (origin, number, None, "", None, now, 1, task_id)
                    continue
                update = result.status_update
                text = texts.get(update, _UNSEEN)
                if text is _UNSEEN:
                    text = texts[update] = _date_text(update)
                yield (origin, number, result.whatsapp, result.signature, text, now, 0, task_id)

        with self.store.connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO cache (origin, number, whatsapp, signature, "
                "status_update, checked_at, failed, task_id) VALUES (?,?,?,?,?,?,?,?)",
                rows(),
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
