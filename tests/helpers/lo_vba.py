"""Open a workbook in headless LibreOffice and report its VBA modules; optionally run Subs.

Run by the *system* python3 (UNO is importable only there):
    /usr/bin/python3 lo_vba.py FILE [--filter NAME] [--run Lib.Module.Sub ...]
Prints one JSON object: the Basic libraries and each module's source, what each run said,
and the text of cell Z1 of the first sheet (where the self-test Subs write). LibreOffice
silently skips a module that fails to compile, so only the cell proves compilation.
"""

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    item = PropertyValue()
    item.Name, item.Value = name, value
    return item


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def connect(port, deadline):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    url = f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
    while True:
        try:
            return resolver.resolve(url)
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


@contextlib.contextmanager
def office():
    """A headless LibreOffice with a throw-away profile; yields its Desktop."""
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    port = free_port()
    process = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation=file://{profile}",
            f"--accept=socket,host=127.0.0.1,port={port};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        context = connect(port, time.monotonic() + 90)
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        yield desktop
        with contextlib.suppress(Exception):  # it may already be going away
            desktop.terminate()
    finally:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--filter")
    parser.add_argument("--run", nargs="*", default=[])
    args = parser.parse_args()
    report = {"libraries": [], "modules": {}, "runs": {}, "cell": None}
    with office() as desktop:
        options = [prop("Hidden", True), prop("MacroExecutionMode", 4)]
        if args.filter:
            options.append(prop("FilterName", args.filter))
        document = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(os.path.abspath(args.file)), "_blank", 0, tuple(options)
        )
        libraries = document.BasicLibraries
        report["libraries"] = list(libraries.ElementNames)
        for name in libraries.ElementNames:
            libraries.loadLibrary(name)
            library = libraries.getByName(name)
            for module in library.ElementNames:
                report["modules"][f"{name}.{module}"] = library.getByName(module)
        provider = document.getScriptProvider()
        for target in args.run:
            try:
                script = provider.getScript(
                    f"vnd.sun.star.script:{target}?language=Basic&location=document"
                )
                script.invoke((), (), ())
                report["runs"][target] = "ran"
            except Exception as error:
                report["runs"][target] = f"error: {type(error).__name__}"
        report["cell"] = document.Sheets.getByIndex(0).getCellRangeByName("Z1").String
        document.close(True)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
