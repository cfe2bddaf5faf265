"""Deterministic simulated verdicts: the same number always gets the same answer.

The mix is chosen to exercise a client: yes and no, empty signatures, emoji, text that
Excel would take for a formula, dates, and a few numbers that fail and are left out of the
result file (as the real service does with failures).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from ..records import CheckResult

SIGNATURES = (
    "Hey there! I am using WhatsApp.",
    "Available",
    "Busy",
    "At work 💼",
    "🌴 On holiday until Monday",
    "Sales @ ACME — call me!",
    '=HYPERLINK("http://example.com","click me")',
    "+1 call me",
    "-2+3",
    "@SUM(1)",
    "",
    "Urgent calls only ☎️",
    "Ünïcödé façade — 日本語 ✓",
    "Can't talk, WhatsApp only",
)
_EPOCH = dt.date(2015, 1, 1)
_SPAN_DAYS = (dt.date(2026, 10, 31) - _EPOCH).days
_DAYS = [_EPOCH + dt.timedelta(days=day) for day in range(_SPAN_DAYS)]


def digest(number: str) -> bytes:
    """Everything about a number's simulated fate, from its digits alone."""
    return hashlib.blake2b(number.encode(), digest_size=8).digest()


def fails(number: str, known: bytes | None = None) -> bool:
    """About 3 % of numbers fail processing and are missing from the result file."""
    return (known or digest(number))[0] < 8


def verdict(number: str, known: bytes | None = None) -> CheckResult:
    """The simulated answer for one number (also used by tests to know what to expect);
    ``known`` is its :func:`digest` when the caller has it already."""
    digest_ = known or digest(number)
    has_whatsapp = digest_[1] < 174  # about 68 %
    if not has_whatsapp:
        return CheckResult(number, False, "", None)
    signature = SIGNATURES[digest_[2] % len(SIGNATURES)]
    day = int.from_bytes(digest_[3:6], "big") % _SPAN_DAYS
    return CheckResult(number, True, signature, _DAYS[day])
