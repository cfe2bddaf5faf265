"""``xl-wacheck check FILE``: the workbook job from the command line."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from . import console
from .api import ApiClient
from .errors import WacheckError
from .plan import PlanCounts
from .records import Balance
from .settings import load_settings
from .workbook import check_file

SANDBOX_BANNER = "SANDBOX: results are SIMULATED, not real WhatsApp data."


@contextlib.contextmanager
def _client(args: argparse.Namespace) -> Iterator[ApiClient]:
    settings = load_settings()
    if not args.sandbox:
        key, user = settings.require()
        yield ApiClient(key, user, settings.api_url)
        return
    from .sandbox import Sandbox, Timing

    with Sandbox(timing=Timing(speed=2000.0, pending=0.5, linger=0.5)) as sandbox:
        print(SANDBOX_BANNER, file=sys.stderr)
        yield ApiClient(sandbox.api_key, "sandbox-demo", sandbox.url)


def _confirm(args: argparse.Namespace, client: ApiClient) -> object:
    def confirm(counts: PlanCounts) -> bool:
        balance: Balance | None = None
        if not args.yes:
            with contextlib.suppress(WacheckError):
                balance = client.balance()
        print(console.plan_text(counts, balance), file=sys.stderr)
        if args.yes:
            return True
        if not sys.stdin.isatty():
            print("Not a terminal: add --yes to confirm the charge.", file=sys.stderr)
            return False
        return console.ask("Upload and pay for these numbers?")

    return confirm


def run(args: argparse.Namespace) -> int:
    region = args.region or load_settings().region
    with _client(args) as client:
        bar = console.ProgressBar()
        try:
            done = check_file(
                Path(args.file),
                client,
                sheet=args.sheet,
                column=args.column,
                region=region,
                out=Path(args.out) if args.out else None,
                confirm=_confirm(args, client),
                on_progress=bar,
            )
        finally:
            bar.close()
    summary = done.outcome.summary
    print(f"{summary.sentence()}.")
    where = f"columns {done.columns} of {done.written}"
    print(f"Results written to {where} (phone numbers in column {done.phone_column}).")
    if done.backup is not None:
        print(f"Backup of the original: {done.backup}")
    if done.outcome.task_id:
        print(f"Task: {done.outcome.task_id}")
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
    check.add_argument("--sheet", help="sheet name (default: the first sheet)")
    check.add_argument("--column", help="phone column, by letter (C) or header text (Phone)")
    check.add_argument("--region", help="default country for numbers without +, e.g. CH")
    check.add_argument("--out", help="write here instead of updating the file in place")
    check.add_argument("--yes", "-y", action="store_true", help="do not ask before charging")
    check.add_argument(
        "--sandbox",
        action="store_true",
        help="run against a local simulation: no key, no charge, fake results",
    )
    check.set_defaults(run=run)
