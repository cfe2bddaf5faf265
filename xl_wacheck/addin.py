"""Install the WhatsApp Check add-in where Excel loads add-ins at start-up.

Like ``xlwings addin install``, the ``.xlam`` goes into the user's XLSTART folder (on macOS,
Office's Startup/Excel folder); Excel opens everything there, hidden, when it starts. The
xlwings add-in must be there too, since the ribbon buttons run Python through it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .template import build

ADDIN_NAME = "xl_wacheck.xlam"
XLWINGS_ADDIN = "xlwings.xlam"


def startup_folder() -> Path:
    """The user's start-up folder for Excel add-ins on this platform."""
    if sys.platform == "win32":
        return (
            Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
            / "Microsoft"
            / "Excel"
            / "XLSTART"
        )
    if sys.platform == "darwin":
        return (
            Path.home()
            / "Library"
            / "Group Containers"
            / "UBF8T346G9.Office"
            / "User Content.localized"
            / "Startup.localized"
            / "Excel"
        )
    raise InputError(
        "Excel runs on Windows and macOS only; use --folder to choose where "
        "to put the add-in (or 'xl-wacheck addin build FILE')."
    )


@dataclass(frozen=True, slots=True)
class AddinStatus:
    folder: Path
    installed: bool
    xlwings: bool

    def sentences(self) -> list[str]:
        lines = [
            f"WhatsApp Check add-in: {'installed' if self.installed else 'not installed'}"
            f" ({self.folder / ADDIN_NAME})."
        ]
        if self.xlwings:
            lines.append("xlwings add-in: installed.")
        else:
            lines.append(
                "xlwings add-in: not found there. The ribbon buttons need it: run "
                "'xlwings addin install' once, then restart Excel."
            )
        return lines


def status(folder: Path | None = None) -> AddinStatus:
    folder = folder or startup_folder()
    return AddinStatus(folder, (folder / ADDIN_NAME).is_file(), (folder / XLWINGS_ADDIN).is_file())


def install(folder: Path | None = None) -> AddinStatus:
    folder = folder or startup_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        build(folder / ADDIN_NAME, addin=True)
    except OSError as error:
        raise InputError(
            f"Cannot write to {folder} ({error.strerror}); is Excel holding the "
            "add-in open? Close Excel and try again."
        ) from error
    return status(folder)


def remove(folder: Path | None = None) -> AddinStatus:
    folder = folder or startup_folder()
    try:
        (folder / ADDIN_NAME).unlink(missing_ok=True)
    except OSError as error:
        raise InputError(
            f"Cannot remove {folder / ADDIN_NAME} ({error.strerror}); close Excel and try again."
        ) from error
    return status(folder)
