"""The summary a sales person looks at after a check: counts, share by country, a chart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import phonenumbers

from ..numbers import Normalised
from ..plan import NOT_PROCESSED, ResultRow

SHEET_NAME = "WhatsApp summary"


def summary_block(entries: Sequence[Normalised], rows: Sequence[ResultRow]) -> list[list[object]]:
    """Rows for the summary sheet; the first five (title + four counts) feed the chart."""
    yes = sum(1 for row in rows if row.whatsapp == "yes")
    no = sum(1 for row in rows if row.whatsapp == "no")
    missing = sum(1 for row in rows if row.note == NOT_PROCESSED)
    invalid = sum(1 for entry in entries if entry is not None and not isinstance(entry, str))
    block: list[list[object]] = [
        ["WhatsApp check", "rows"],
        ["on WhatsApp", yes],
        ["not on WhatsApp", no],
        ["invalid", invalid],
        ["not processed", missing],
        [None, None],
        ["country", "numbers", "on WhatsApp", "share on WhatsApp"],
    ]
    totals: Counter[str] = Counter()
    on: Counter[str] = Counter()
    for entry, row in zip(entries, rows, strict=True):
        if isinstance(entry, str):
            country = _country(entry)
            totals[country] += 1
            on[country] += row.whatsapp == "yes"
    for country, count in totals.most_common():
        block.append([country, count, on[country], round(on[country] / count, 3)])
    return block


def _country(e164: str) -> str:
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return "??"
    return region or "??"
