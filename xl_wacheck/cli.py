"""The ``xl-wacheck`` command line: argument parsing and the mapping of errors to exit codes.

Each sub-command lives in its own module; this one only wires them up, so an expected
failure prints one sentence (a traceback only with ``--debug``) and exits 2 for bad input,
3 for API trouble and 130 when interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import cli_check, cli_tasks, cli_template
from .errors import WacheckError
from .version import __version__


def _sandbox_command(args: argparse.Namespace) -> int:
    from .sandbox import Faults, Sandbox, Timing

    faults = Faults(
        reset=args.reset,
        burst_500=args.burst_500,
        rate_limit=args.rate_limit,
        slow=args.slow,
        foreign_results=args.foreign_results,
        link_ttl=args.link_ttl,
        expired_links=args.expired_links,
        result_format=args.result_format,
        numeric_numbers=args.numeric_numbers,
        shuffled_columns=args.shuffled_columns,
        truncate_results=args.truncate_results,
    )
    timing = Timing(
        speed=args.speed, pending=args.pending, linger=args.linger, fail_tasks=args.fail_tasks
    )
    sandbox = Sandbox(
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        timing=timing,
        faults=faults,
        time_scale=args.time_scale,
        verbose=not args.quiet,
    )
    print(f"xl-wacheck sandbox (SIMULATED results) listening on {sandbox.url}", flush=True)
    print(
        f"  API key: the one given with --api-key; try: WACHECK_API_URL={sandbox.url}", flush=True
    )
    print("  Stop with Ctrl+C.", flush=True)
    sandbox.serve_forever()
    return 0


def _add_sandbox(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sandbox = commands.add_parser(
        "sandbox",
        help="run a local simulation of the API (no key, no charge)",
        description="Serve the vendor's API contract on loopback with simulated results.",
    )
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765)
    sandbox.add_argument("--api-key", default="sandbox", help="key the sandbox accepts")
    sandbox.add_argument(
        "--speed",
        type=float,
        default=11.5,
        help="numbers checked per simulated second (vendor: ~11.5)",
    )
    sandbox.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="simulated seconds per real second (60 = a minute a second)",
    )
    sandbox.add_argument("--pending", type=float, default=2.0, help="seconds queued")
    sandbox.add_argument(
        "--linger", type=float, default=3.0, help="seconds 'completed' before 'exported'"
    )
    faults = sandbox.add_argument_group("failure switches")
    faults.add_argument(
        "--reset",
        type=int,
        default=0,
        metavar="N",
        help="drop the connection on each endpoint's first N requests",
    )
    faults.add_argument(
        "--burst-500",
        type=int,
        default=0,
        metavar="N",
        help="answer 500 to each endpoint's next N requests",
    )
    faults.add_argument(
        "--rate-limit",
        type=int,
        default=0,
        metavar="N",
        help="then answer 429 with Retry-After to the next N",
    )
    faults.add_argument(
        "--slow", type=float, default=0.0, metavar="S", help="wait S seconds before every answer"
    )
    faults.add_argument("--fail-tasks", action="store_true", help="tasks end as 'failed'")
    faults.add_argument(
        "--foreign-results", action="store_true", help="serve result links from another origin"
    )
    faults.add_argument(
        "--link-ttl",
        type=float,
        default=None,
        metavar="S",
        help="result links expire after S seconds",
    )
    faults.add_argument(
        "--expired-links",
        type=int,
        default=0,
        metavar="N",
        help="the first N result links are already expired",
    )
    faults.add_argument(
        "--result-format", default="xlsx", choices=["xlsx", "csv", "zip", "zip-csv"]
    )
    faults.add_argument(
        "--numeric-numbers", action="store_true", help="store numbers as numeric cells without '+'"
    )
    faults.add_argument(
        "--shuffled-columns",
        action="store_true",
        help="result columns in another order and letter case",
    )
    faults.add_argument(
        "--truncate-results", action="store_true", help="serve result files cut short"
    )
    sandbox.add_argument("--quiet", action="store_true", help="do not log requests")
    sandbox.set_defaults(run=_sandbox_command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xl-wacheck",
        description="Check which phone numbers have WhatsApp, with 'about' text and date.",
    )
    parser.add_argument("--version", action="version", version=f"xl-wacheck {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cli_check.add_parser(commands)
    cli_tasks.add_parsers(commands)
    cli_template.add_parsers(commands)
    _add_sandbox(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except WacheckError as error:
        if args.debug:
            raise
        print(f"xl-wacheck: {error}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
