"""``xl-wacheck check FILE``: the workbook job from the command line."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from . import console
from .api import ApiClient
from .cache import DEFAULT_MAX_AGE_DAYS, ResultCache
from .errors import WacheckError
from .journal import Journal
from .plan import PlanCounts
from .records import Balance
from .settings import load_settings
from .workbook import check_file

SANDBOX_BANNER = "SANDBOX: results are SIMULATED, not real WhatsApp data."


def client_from_settings() -> ApiClient:
    settings = load_settings()
    for warning in settings.warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    key, user = settings.require()
    return ApiClient(
        key,
        user,
        settings.api_url,
        timeout=(10.0, settings.timeout),
        max_download=int(settings.max_download_mb * 1024 * 1024),
    )


@contextlib.contextmanager
def _client(sandbox: bool) -> Iterator[ApiClient]:
    if not sandbox:
        yield client_from_settings()
        return
    from .sandbox import Sandbox, Timing

    with Sandbox(timing=Timing(speed=2000.0, pending=0.5, linger=0.5)) as server:
        print(SANDBOX_BANNER, file=sys.stderr)
        yield ApiClient(server.api_key, "sandbox-demo", server.url)


def _confirm(yes: bool, client: ApiClient) -> Callable[[PlanCounts], bool]:
    def confirm(counts: PlanCounts) -> bool:
        balance: Balance | None = None
        if not yes:
            with contextlib.suppress(WacheckError):
                balance = client.balance()
        print(console.plan_text(counts, balance), file=sys.stderr)
        if yes:
            return True
        if not sys.stdin.isatty():
            print("Not a terminal: add --yes to confirm the charge.", file=sys.stderr)
            return False
        return console.ask("Upload and pay for these numbers?")

    return confirm


def run_check(args: argparse.Namespace, target: dict[str, object] | None = None) -> int:
    """The check itself; ``resume`` calls it too, with the target the journal remembers."""
    options = dict(target or {})
    file = Path(str(options.get("file") or args.file))
    region = options.get("region") or args.region or load_settings().region
    out = options.get("out") or args.out
    with _client(args.sandbox) as client:
        # The demo sandbox lives and dies with this process: nothing of it is journaled or
        # cached, so simulated answers never mix with real ones.
        journal = None if args.sandbox else Journal()
        cache = None if journal is None else ResultCache(client.base_url, journal.store)
        bar = console.ProgressBar()
        try:
            done = check_file(
                file,
                client,
                sheet=options.get("sheet") or args.sheet,  # type: ignore[arg-type]
                column=options.get("column") or args.column,  # type: ignore[arg-type]
                region=region,  # type: ignore[arg-type]
                out=Path(str(out)) if out else None,
                confirm=_confirm(args.yes, client),
                on_progress=bar,
                journal=journal,
                cache=cache,
                max_age_days=args.max_age,
            )
        finally:
            bar.close()
    outcome = done.outcome
    print(f"{outcome.summary.sentence()}.")
    if outcome.counts.cached:
        print(f"{outcome.counts.cached:,} numbers came from the local cache (free).")
    print(
        f"Results written to columns {done.columns} of {done.written} "
        f"(phone numbers in column {done.phone_column})."
    )
    if done.backup is not None:
        print(f"Backup of the original: {done.backup}")
    if outcome.task_id:
        print(f"Task: {outcome.task_id}" + (f" (job {outcome.job_id})" if outcome.job_id else ""))
    if args.sandbox:
        print(SANDBOX_BANNER)
    return 0


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    check = commands.add_parser(
        "check",
        help="check the phone column of an .xlsx, .xlsm or .csv file",
        description="Check which numbers in a workbook have WhatsApp and write the results "
        "(whatsapp, signature, status_update, note) beside them.",
    )
    check.add_argument("file", help="the .xlsx, .xlsm or .csv file")
    add_check_options(check)
    check.set_defaults(run=run_check)


def add_check_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sheet", help="sheet name (default: the first sheet)")
    parser.add_argument("--column", help="phone column, by letter (C) or header text (Phone)")
    parser.add_argument("--region", help="default country for numbers without +, e.g. CH")
    parser.add_argument("--out", help="write here instead of updating the file in place")
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask before charging")
    parser.add_argument(
        "--max-age",
        type=float,
        default=DEFAULT_MAX_AGE_DAYS,
        metavar="DAYS",
        help="reuse results checked within DAYS (default 30; 0 = always ask)",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="run against a local simulation: no key, no charge, fake results",
    )
