"""The VBA project writer layer by layer: compression, compound file, project streams."""

from __future__ import annotations

import io
import struct

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_wacheck.vba import Module, build_vba_project, cfb
from xl_wacheck.vba.compression import compress, decompress
from xl_wacheck.vba.project import (
    WORKBOOK_BASE,
    dir_stream,
    document_module,
    encrypt,
    project_stream,
)

SPEC_TEXT = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
# [MS-OVBA] 3.2.2 Normal Compression Example
SPEC_COMPRESSED = bytes.fromhex(
    "012FB00023616161626364658266007061676869 6A0138086 16B6C00206D6E6F70067102700400727374"
    "7576107778797A002C".replace(" ", "")
)


def test_compression_matches_the_specifications_example() -> None:
    assert compress(SPEC_TEXT) == SPEC_COMPRESSED
    assert decompress(SPEC_COMPRESSED) == SPEC_TEXT


def test_long_repeats_use_the_right_maximum_copy_length() -> None:
    """ms-ovba 0.0.1 got (0xFFFF >> bit_count) + 3 wrong and corrupted exactly this."""
    data = b"x" + b"ab" * 3000 + b"y" * 5000
    assert decompress(compress(data)) == data


@settings(max_examples=200)
@given(
    st.binary(max_size=12000)
    | st.text(alphabet="Sub End ()\r\n'ab", max_size=12000).map(str.encode)
)
def test_compression_round_trips(data: bytes) -> None:
    out = decompress(compress(data))
    assert out[: len(data)] == data and not out[len(data) :].strip(b"\x00")


def test_spec_example_of_data_encryption_decodes_with_our_parameters() -> None:
    """3.1.6's CMG for project {917DED54-…}: our encryption follows the same algorithm."""
    import random

    project_id = "{917DED54-440B-4FD1-A5C1-74ACF261E600}"
    text = encrypt(bytes(4), project_id, random.Random(1))
    data = bytes.fromhex(text)
    seed = data[0]
    assert data[1] ^ seed == 2  # version
    assert data[2] ^ seed == sum(project_id.encode()) & 0xFF == 0xDF


def _black_heights(entries: list[dict], index: int) -> set[int]:  # type: ignore[type-arg]
    if index == cfb.NOSTREAM:
        return {0}
    entry = entries[index]
    below = _black_heights(entries, entry["left"]) | _black_heights(entries, entry["right"])
    if entry["color"] == 0:  # red: children must be black
        for child in (entry["left"], entry["right"]):
            assert child == cfb.NOSTREAM or entries[child]["color"] == 1
    return {height + entry["color"] for height in below}


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7, 8, 12, 20])
def test_directory_siblings_form_a_valid_red_black_tree(count: int) -> None:
    root = cfb.Node("Root Entry")
    for i in range(count):
        root.stream(f"S{'x' * (i % 5)}{i}", bytes([i]) * (10 + i))
    data = cfb.write(root)
    entries = []
    directory_start = struct.unpack_from("<I", data, 48)[0]
    offset = 512 + directory_start * 512
    for i in range(count + 1):
        raw = data[offset + i * 128 : offset + (i + 1) * 128]
        name_length = struct.unpack_from("<H", raw, 64)[0]
        name = raw[: name_length - 2].decode("utf-16-le")
        color, left, right, child = raw[67], *struct.unpack_from("<III", raw, 68)
        entries.append({"name": name, "color": color, "left": left, "right": right, "child": child})
    top = entries[0]["child"]
    assert entries[top]["color"] == 1  # the root of the tree is black
    assert len(_black_heights(entries, top)) == 1

    def in_order(index: int) -> list[str]:
        if index == cfb.NOSTREAM:
            return []
        e = entries[index]
        return [*in_order(e["left"]), e["name"], *in_order(e["right"])]

    names = in_order(top)
    assert names == sorted(names, key=lambda n: (len(n), n.upper())) and len(names) == count


def test_olefile_reads_every_stream_back() -> None:
    root = cfb.Node("Root Entry")
    storage = root.storage("VBA")
    small, big = b"tiny" * 10, bytes(range(256)) * 40
    storage.stream("small", small)
    storage.stream("big", big)
    root.stream("PROJECT", b'ID="x"\r\n')
    ole = olefile.OleFileIO(io.BytesIO(cfb.write(root)))
    assert ole.openstream("VBA/small").read() == small
    assert ole.openstream("VBA/big").read() == big
    assert ole.openstream("PROJECT").read() == b'ID="x"\r\n'


def test_project_streams_say_what_the_spec_requires() -> None:
    modules = [
        document_module("ThisWorkbook", WORKBOOK_BASE),
        Module("Tools", 'Attribute VB_Name = "Tools"\r\nSub A()\r\nEnd Sub\r\n'),
    ]
    text = project_stream("Proj", "{00000000-0000-0000-0000-000000000001}", modules).decode()
    assert 'Document=ThisWorkbook/&H00000000\r\nModule=Tools\r\nName="Proj"' in text
    assert all(f'{key}="' in text for key in ("CMG", "DPB", "GC"))
    directory = dir_stream("Proj", modules)
    assert directory.startswith(struct.pack("<HII", 1, 4, 1))  # PROJECTSYSKIND first
    assert directory.endswith(struct.pack("<HI", 0x0010, 0))  # and the terminator last


def test_project_and_module_names_are_checked() -> None:
    tools = Module("Tools", 'Attribute VB_Name = "Tools"\r\n')
    with pytest.raises(ValueError, match="must differ"):
        build_vba_project("Tools", [tools])
    with pytest.raises(ValueError, match="Attribute VB_Name"):
        build_vba_project("P", [Module("Tools", "Sub A()\r\nEnd Sub\r\n")])
