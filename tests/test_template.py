"""The template and the add-in, proven by independent parsers and an independent VBA engine.

olevba (oletools) must read back exactly the committed sources; headless LibreOffice must
open both files, list the modules, and run a self-test Sub that writes a cell — the only
proof of compilation, since LibreOffice silently skips a module that does not compile.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from oletools.olevba import VBA_Parser

from xl_wacheck import template
from xl_wacheck.addin import ADDIN_NAME, install, remove, status
from xl_wacheck.cli import main
from xl_wacheck.vba import Module
from xl_wacheck.xlsxpatch import write_columns

from .conftest import SYSTEM_PYTHON, needs_libreoffice

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "workbook_template.xlsm"
SOURCES = ROOT / "xl_wacheck" / "template"
HELPER = Path(__file__).with_name("helpers") / "lo_vba.py"
SELF_TEST = "XLWACheck.WACheck.WACheck_SelfTest"
CUSTOM_UI = "{http://schemas.microsoft.com/office/2009/07/customui}"


@pytest.fixture(scope="module")
def addin_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("addin") / ADDIN_NAME
    template.build(path, addin=True)
    return path


def committed_sources() -> dict[str, str]:
    sources = {}
    for path in sorted((SOURCES / "vba").glob("*.bas")):
        text = path.read_text(encoding="utf-8")
        name = re.match(r'Attribute VB_Name = "([^"]+)"', text).group(1)  # type: ignore[union-attr]
        sources[name] = text
    return sources


def _code_lines(text: str) -> list[str]:
    """Source lines without VBE's Attribute lines (and LibreOffice's added header)."""
    skip = ("Attribute VB_", "Rem Attribute VBA_ModuleType", "Option VBASupport")
    lines = text.replace("\r\n", "\n").rstrip("\n").split("\n")
    return [line for line in lines if not line.startswith(skip)]


def lo_report(path: Path, *, filter_name: str | None = None, run: tuple[str, ...] = ()) -> dict:  # type: ignore[type-arg]
    command = [str(SYSTEM_PYTHON), str(HELPER), str(path)]
    if filter_name:
        command += ["--filter", filter_name]
    if run:
        command += ["--run", *run]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# -- the sources and the committed file --------------------------------------------------


def test_committed_template_is_the_builders_output() -> None:
    assert COMMITTED.read_bytes() == template.build(), (
        "workbook_template.xlsm is stale: run 'xl-wacheck template workbook_template.xlsm'"
    )


def test_every_ribbon_callback_is_a_public_sub_with_the_right_signature() -> None:
    ribbon = etree.fromstring((SOURCES / "customUI14.xml").read_bytes())
    ids = [node.get("id") for node in ribbon.iter() if node.get("id")]
    assert len(ids) == len(set(ids))
    actions = [node.get("onAction") for node in ribbon.iter(f"{CUSTOM_UI}button")]
    assert len(actions) == 5 and all(actions)
    code = "\n".join(committed_sources().values())
    for action in actions:
        assert re.search(rf"^Public Sub {action}\(control As Object\)$", code, re.M), action
    assert all(
        node.get("imageMso") and node.get("screentip") for node in ribbon.iter(f"{CUSTOM_UI}button")
    )


@pytest.mark.parametrize("which", ["template", "addin"])
def test_olevba_reads_back_exactly_the_committed_sources(which: str, addin_file: Path) -> None:
    path = COMMITTED if which == "template" else addin_file
    parser = VBA_Parser(str(path))
    try:
        found = {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    for name, source in committed_sources().items():
        assert _code_lines(found[name]) == _code_lines(source)
        assert found[name].replace("\r\n", "\n").startswith(f'Attribute VB_Name = "{name}"')
    assert {"ThisWorkbook", "Sheet1", "Sheet2"} <= set(found)


def test_the_template_is_macro_enabled_with_a_ribbon(tmp_path: Path) -> None:
    with zipfile.ZipFile(COMMITTED) as archive:
        types = archive.read("[Content_Types].xml").decode()
        rels = archive.read("_rels/.rels").decode()
        assert template.MACRO_TYPE in types and "vbaProject" in types
        assert template.RIBBON_REL in rels and template.RIBBON_PART in archive.namelist()
    book = openpyxl.load_workbook(COMMITTED, keep_vba=True)
    assert book.vba_archive is not None and book.sheetnames == ["Leads", "How to use"]
    book.vba_archive.close()  # openpyxl leaves its in-memory copy open


def test_the_addin_has_the_addin_content_type_and_a_hidden_window(addin_file: Path) -> None:
    with zipfile.ZipFile(addin_file) as archive:
        assert template.ADDIN_TYPE in archive.read("[Content_Types].xml").decode()
        assert 'visibility="hidden"' in archive.read("xl/workbook.xml").decode()
        assert template.RIBBON_PART in archive.namelist()


def test_checking_the_template_keeps_vba_and_ribbon(tmp_path: Path, sandbox) -> None:
    from xl_wacheck.policy import PollPolicy
    from xl_wacheck.workbook import check_file

    from .conftest import client_for

    path = tmp_path / "leads.xlsm"
    write_columns(
        COMMITTED,
        path,
        "Leads",
        0,
        [(1, ["ACME", "Anna", "+41798284651"]), (2, ["Globex", "Bob", "n/a"])],
    )
    with zipfile.ZipFile(path) as before:
        vba, ribbon = before.read("xl/vbaProject.bin"), before.read(template.RIBBON_PART)
    check_file(path, client_for(sandbox), policy=PollPolicy(first=0.05, latency=0.5))
    with zipfile.ZipFile(path) as after:
        assert after.read("xl/vbaProject.bin") == vba
        assert after.read(template.RIBBON_PART) == ribbon
        assert template.RIBBON_REL in after.read("_rels/.rels").decode()
    # Values only: keep_vba=True would leave openpyxl's own in-memory ZipFile unclosed.
    sheet = openpyxl.load_workbook(path)["Leads"]
    assert sheet["D1"].value == "whatsapp" and sheet["G3"].value == "not a phone number"


# -- LibreOffice: an independent VBA engine ------------------------------------------------


@needs_libreoffice
def test_libreoffice_compiles_and_runs_the_template() -> None:
    report = lo_report(COMMITTED, run=(SELF_TEST,))
    assert "XLWACheck" in report["libraries"]
    module = report["modules"]["XLWACheck.WACheck"]
    assert _code_lines(module) == _code_lines(committed_sources()["WACheck"])
    assert report["runs"][SELF_TEST] == "ran"
    assert report["cell"] == "WACheck self-test OK"


@needs_libreoffice
def test_libreoffice_compiles_and_runs_the_addin(addin_file: Path) -> None:
    report = lo_report(addin_file, filter_name="Calc MS Excel 2007 VBA XML", run=(SELF_TEST,))
    assert set(report["modules"]) >= {"XLWACheck.WACheck", "XLWACheck.ThisWorkbook"}
    assert report["cell"] == "WACheck self-test OK"


@needs_libreoffice
def test_negative_control_a_broken_module_writes_nothing(tmp_path: Path) -> None:
    broken = Module(
        "Broken",
        'Attribute VB_Name = "Broken"\r\n'
        "Public Sub Broken_SelfTest()\r\n"
        '    ThisWorkbook.Worksheets(1).Range("Z1").Value = "should not happen"\r\n'
        "    If Then\r\n"
        "End Sub\r\n",
    )
    path = tmp_path / "broken.xlsm"
    template.build(path, extra=[broken])
    report = lo_report(path, run=("XLWACheck.Broken.Broken_SelfTest",))
    assert "XLWACheck.Broken" in report["modules"]  # it is there, listed with its source...
    assert report["cell"] == ""  # ...but it did not compile, so nothing was written


# -- installing the add-in ----------------------------------------------------------------


def test_addin_install_status_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "XLSTART"
    assert not status(folder).installed
    state = install(folder)
    assert state.installed and not state.xlwings
    assert "xlwings addin install" in " ".join(state.sentences())
    (folder / "xlwings.xlam").write_bytes(b"stand-in")
    assert status(folder).xlwings
    assert not remove(folder).installed
    assert main(["addin", "install", "--folder", str(folder)]) == 0
    assert "Restart Excel" in capsys.readouterr().out
    with zipfile.ZipFile(io.BytesIO((folder / ADDIN_NAME).read_bytes())) as archive:
        assert template.ADDIN_TYPE in archive.read("[Content_Types].xml").decode()


def test_template_command_writes_the_template(tmp_path: Path) -> None:
    assert main(["template", str(tmp_path / "t.xlsm")]) == 0
    assert (tmp_path / "t.xlsm").read_bytes() == COMMITTED.read_bytes()
