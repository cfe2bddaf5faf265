"""``xl-wacheck template`` and ``xl-wacheck addin``: the Excel files, built from sources."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import addin
from .errors import InputError
from .template import build


def template(args: argparse.Namespace) -> int:
    path = Path(args.path)
    build(path, addin=path.suffix.lower() == ".xlam")
    print(f"Wrote {path}. Open it, enable macros, and use the WhatsApp Check tab.")
    return 0


def addin_command(args: argparse.Namespace) -> int:
    folder = Path(args.folder) if args.folder else None
    if args.action == "build":
        if not args.folder:
            raise InputError("'xl-wacheck addin build' needs --folder DIR.")
        build(Path(args.folder) / addin.ADDIN_NAME, addin=True)
        print(f"Wrote {Path(args.folder) / addin.ADDIN_NAME}.")
        return 0
    state = {"install": addin.install, "remove": addin.remove, "status": addin.status}[args.action](
        folder
    )
    for line in state.sentences():
        print(line)
    if args.action == "install":
        print("Restart Excel to see the WhatsApp Check tab in every workbook.")
    return 0


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    maker = commands.add_parser("template", help="write the macro-enabled workbook template")
    maker.add_argument(
        "path",
        nargs="?",
        default="workbook_template.xlsm",
        help="where to write it (.xlsm, or .xlam for the add-in)",
    )
    maker.set_defaults(run=template)
    manage = commands.add_parser("addin", help="install the WhatsApp Check tab for every workbook")
    manage.add_argument("action", choices=["install", "remove", "status", "build"])
    manage.add_argument("--folder", help="the start-up folder (default: Excel's XLSTART)")
    manage.set_defaults(run=addin_command)
