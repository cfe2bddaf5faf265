"""[MS-OVBA] 2.3: the streams of a source-only VBA project, and the compound file around them.

Storage layout (2.2.1): ``VBA/_VBA_PROJECT`` (version 0xFFFF: no performance cache, so Office
compiles from source), ``VBA/dir`` (compressed project information), one ``VBA/<module>``
stream per module (compressed source at offset 0), ``PROJECT`` (text properties) and
``PROJECTwm`` (module names in MBCS and UTF-16). Everything is deterministic: the same
sources always give the same bytes.
"""

from __future__ import annotations

import random
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from . import cfb
from .compression import compress

CODE_PAGE = 1252
ENCODING = "cp1252"
LCID = 0x0409
#: 2.3.4.1 _VBA_PROJECT: Reserved1 0x61CC, Version 0xFFFF, Reserved2 0x00, Reserved3 0x0000.
VBA_PROJECT_STREAM = bytes.fromhex("CC61FFFF000000")
#: Base classes of document modules (the Excel type library's Workbook and Worksheet).
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
VISIBLE = b"\xff"  # 2.3.1.17 ProjectVisibilityState data


@dataclass(frozen=True, slots=True)
class Module:
    """A module's name and its source as VBE exports it (starting ``Attribute VB_Name``)."""

    name: str
    source: str
    document: bool = False  # ThisWorkbook and sheets: "document modules" (2.3.4.2.3.2.8)


def document_module(name: str, base: str, code: str = "") -> Module:
    """The standard attribute block a workbook or sheet module must carry."""
    header = (
        f'Attribute VB_Name = "{name}"\r\n'
        f'Attribute VB_Base = "{base}"\r\n'
        "Attribute VB_GlobalNameSpace = False\r\n"
        "Attribute VB_Creatable = False\r\n"
        "Attribute VB_PredeclaredId = True\r\n"
        "Attribute VB_Exposed = True\r\n"
        "Attribute VB_TemplateDerived = False\r\n"
        "Attribute VB_Customizable = True\r\n"
    )
    return Module(name, header + code, document=True)


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def _record(record_id: int, data: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _u32(record_id: int, value: int) -> bytes:
    return struct.pack("<HII", record_id, 4, value)


def _u16(record_id: int, value: int) -> bytes:
    return struct.pack("<HIH", record_id, 2, value)


def _mbcs(text: str) -> bytes:
    return text.encode(ENCODING)


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def dir_stream(project_name: str, modules: Sequence[Module]) -> bytes:
    """2.3.4.2 dir Stream, uncompressed."""
    out = bytearray()
    # 2.3.4.2.1 PROJECTINFORMATION
    out += _u32(0x0001, 0x00000001)  # PROJECTSYSKIND: 32-bit Windows
    out += _u32(0x0002, LCID)  # PROJECTLCID
    out += _u32(0x0014, LCID)  # PROJECTLCIDINVOKE
    out += _u16(0x0003, CODE_PAGE)  # PROJECTCODEPAGE
    out += _record(0x0004, _mbcs(project_name))  # PROJECTNAME
    out += _record(0x0005, b"") + _record(0x0040, b"")  # PROJECTDOCSTRING (+ Unicode)
    out += _record(0x0006, b"") + _record(0x003D, b"")  # PROJECTHELPFILEPATH (1 and 2)
    out += _u32(0x0007, 0)  # PROJECTHELPCONTEXT
    out += _u32(0x0008, 0)  # PROJECTLIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # PROJECTVERSION: Reserved=4, 1.0
    out += _record(0x000C, b"") + _record(0x003C, b"")  # PROJECTCONSTANTS (+ Unicode)
    # 2.3.4.2.2 PROJECTREFERENCES: none. xlwings is called through Application.Run, and the
    # ribbon callbacks take `As Object`, so no type library (and no machine path) is needed.
    # 2.3.4.2.3 PROJECTMODULES
    out += _u16(0x000F, len(modules))
    out += _u16(0x0013, 0xFFFF)  # PROJECTCOOKIE
    for module in modules:
        out += _record(0x0019, _mbcs(module.name))  # MODULENAME
        out += _record(0x0047, _utf16(module.name))  # MODULENAMEUNICODE
        out += _record(0x001A, _mbcs(module.name))  # MODULESTREAMNAME
        out += _record(0x0032, _utf16(module.name))  # ... its Unicode form
        out += _record(0x001C, b"") + _record(0x0048, b"")  # MODULEDOCSTRING (+ Unicode)
        out += _u32(0x0031, 0)  # MODULEOFFSET: the source starts the stream
        out += _u32(0x001E, 0)  # MODULEHELPCONTEXT
        out += _u16(0x002C, 0xFFFF)  # MODULECOOKIE
        out += struct.pack("<HI", 0x0022 if module.document else 0x0021, 0)  # MODULETYPE
        out += struct.pack("<HI", 0x002B, 0)  # Terminator
    out += struct.pack("<HI", 0x0010, 0)  # dir Terminator
    return bytes(out)


def encrypt(data: bytes, project_id: str, chance: random.Random) -> str:
    """2.4.3.2 Data Encryption, as hex: the obfuscation of CMG, DPB and GC."""
    seed = chance.randrange(256)
    version_enc = seed ^ 2
    project_key = sum(project_id.encode("ascii")) & 0xFF
    project_key_enc = seed ^ project_key
    out = [seed, version_enc, project_key_enc]
    unencrypted1, encrypted1, encrypted2 = project_key, project_key_enc, version_enc

    def push(byte: int) -> None:
        nonlocal unencrypted1, encrypted1, encrypted2
        encrypted = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(encrypted)
        encrypted2, encrypted1, unencrypted1 = encrypted1, encrypted, byte

    for _ in range((seed & 6) // 2):  # IgnoredEnc
        push(chance.randrange(256))
    for byte in struct.pack("<I", len(data)):  # DataLengthEnc
        push(byte)
    for byte in data:  # DataEnc
        push(byte)
    return bytes(out).hex().upper()


def project_stream(project_name: str, project_id: str, modules: Sequence[Module]) -> bytes:
    """2.3.1 PROJECT Stream: the project's properties as text."""
    chance = random.Random(project_id)  # deterministic "random" obfuscation bytes
    lines = [f'ID="{project_id}"']
    for module in modules:
        lines.append(
            f"Document={module.name}/&H00000000" if module.document else f"Module={module.name}"
        )
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt(bytes(4), project_id, chance)}"',  # not protected
        f'DPB="{encrypt(bytes(1), project_id, chance)}"',  # no password
        f'GC="{encrypt(VISIBLE, project_id, chance)}"',  # visible
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        "[Workspace]",
    ]
    lines += [f"{module.name}=0, 0, 0, 0, C" for module in modules]
    return _mbcs("\r\n".join(lines) + "\r\n")


def project_wm(modules: Sequence[Module]) -> bytes:
    """2.3.3 PROJECTwm Stream: each module name in MBCS and UTF-16 (not compressed)."""
    out = bytearray()
    for module in modules:
        out += _mbcs(module.name) + b"\x00" + _utf16(module.name) + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def build_vba_project(project_name: str, modules: Sequence[Module]) -> bytes:
    """``vbaProject.bin`` holding ``modules`` as source."""
    names = {module.name.lower() for module in modules}
    if project_name.lower() in names:
        raise ValueError("the project name must differ from every module name")
    if len(names) != len(modules):
        raise ValueError("module names must be unique")
    project_id = (
        "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"xl-wacheck/{project_name}")).upper() + "}"
    )
    root = cfb.Node("Root Entry")
    vba = root.storage("VBA")
    vba.stream("_VBA_PROJECT", VBA_PROJECT_STREAM)
    vba.stream("dir", compress(dir_stream(project_name, modules)))
    for module in modules:
        source = _crlf(module.source)
        if not source.startswith(f'Attribute VB_Name = "{module.name}"'):
            raise ValueError(f"module {module.name} must start with its Attribute VB_Name line")
        vba.stream(module.name, compress(source.encode(ENCODING)))
    root.stream("PROJECT", project_stream(project_name, project_id, modules))
    root.stream("PROJECTwm", project_wm(modules))
    return cfb.write(root)
