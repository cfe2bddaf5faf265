"""The pandas front-end: a DataFrame in, a copy with the four result columns out.

Also the home of the two public one-call helpers, because both hand back DataFrames.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

import pandas as pd

from .api import ApiClient
from .check import Outcome, check_values
from .errors import InputError
from .plan import RESULT_HEADERS
from .settings import load_settings


@contextlib.contextmanager
def _client(client: ApiClient | None, sandbox: bool) -> Iterator[ApiClient]:
    if client is not None:
        yield client
    elif sandbox:
        from .sandbox import Sandbox, Timing

        with Sandbox(timing=Timing(speed=2000.0, pending=0.2, linger=0.2)) as server:
            yield ApiClient(server.api_key, "sandbox-demo", server.url)
    else:
        settings = load_settings()
        key, user = settings.require()
        yield ApiClient(key, user, settings.api_url)


def _run(
    values: list[Any],
    region: str | None,
    client: ApiClient | None,
    sandbox: bool,
    options: dict[str, Any],
) -> Outcome:
    with _client(client, sandbox) as api:
        outcome = check_values(values, api, region=region, front_end="pandas", **options)
    outcome.applied()  # a DataFrame is 'written' as soon as it exists
    return outcome


def _frame(outcome: Outcome, index: pd.Index) -> pd.DataFrame:
    columns = {
        name: pd.Series([getattr(row, name) for row in outcome.rows], index=index, dtype=object)
        for name in RESULT_HEADERS
    }
    frame = pd.DataFrame(columns)
    frame["status_update"] = pd.to_datetime(frame["status_update"], errors="coerce")
    return frame


def check_dataframe(
    df: pd.DataFrame,
    column: str,
    region: str | None = None,
    *,
    client: ApiClient | None = None,
    sandbox: bool = False,
    **options: Any,
) -> pd.DataFrame:
    """A copy of ``df`` with ``whatsapp``, ``signature``, ``status_update`` and ``note``.

    Existing columns of those names are replaced in the copy; ``df`` itself is untouched.
    """
    if column not in df.columns:
        listing = ", ".join(map(str, df.columns))
        raise InputError(f"The DataFrame has no column '{column}'. Its columns are: {listing}.")
    outcome = _run(df[column].tolist(), region, client, sandbox, options)
    result = df.copy()
    for name, series in _frame(outcome, df.index).items():
        result[name] = series
    return result


def check_numbers(
    numbers: Iterable[object],
    region: str | None = None,
    *,
    client: ApiClient | None = None,
    sandbox: bool = False,
    **options: Any,
) -> pd.DataFrame:
    """One row per input value: ``input``, ``number`` (E.164 or empty) and the results."""
    values = list(numbers)
    outcome = _run(values, region, client, sandbox, options)
    frame = _frame(outcome, pd.RangeIndex(len(values)))
    entries = outcome.plan.entries
    frame.insert(0, "number", [e if isinstance(e, str) else None for e in entries])
    frame.insert(0, "input", pd.Series(values, dtype=object))
    return frame
