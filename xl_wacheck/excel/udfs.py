"""Worksheet functions: ``=WA_CHECKED(A2)`` or ``=WA_CHECKED(A2:A500)``.

They read only the local result cache — never the API — so recalculating a sheet costs
nothing. Each input cell gives one row: whatsapp, signature, status_update (blank for a
number not checked recently), spilling as a dynamic array. Import this module in the
xlwings add-in's UDF modules (Windows).
"""

from __future__ import annotations

from collections.abc import Sequence

import xlwings as xw

from ..cache import ResultCache
from ..numbers import Normaliser
from ..settings import load_settings


def checked_rows(
    cells: Sequence[Sequence[object]], cache: ResultCache, region: str | None = None
) -> list[list[object]]:
    """The answer rows for a block of cells, from the cache only."""
    normalise = Normaliser(region)
    flat = [value for row in cells for value in row]
    entries = [normalise(value) for value in flat]
    known = cache.fresh({e for e in entries if isinstance(e, str)})
    rows: list[list[object]] = []
    for entry in entries:
        result = known.results.get(entry) if isinstance(entry, str) else None
        if result is None:
            rows.append(["", "", ""])
            continue
        whatsapp = "" if result.whatsapp is None else ("yes" if result.whatsapp else "no")
        rows.append([whatsapp, result.signature, result.status_update or ""])
    return rows


@xw.func
@xw.arg("cells", ndim=2)
def WA_CHECKED(cells: list[list[object]]) -> list[list[object]]:
    """WhatsApp, signature and last update of each number, from recent checks (free)."""
    settings = load_settings()
    return checked_rows(cells, ResultCache(settings.api_url), settings.region)
