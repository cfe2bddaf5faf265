"""Third-party text made safe for spreadsheets: one function for every front-end.

Signatures are written by strangers. In a CSV opened by Excel, a cell starting with
``= + - @`` (or a tab or carriage return) is read as a formula; OWASP's advice is to prefix
such a cell with a single quote, which Excel shows as plain text.
"""

from __future__ import annotations

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """The value to put in a CSV cell: text that could start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value
