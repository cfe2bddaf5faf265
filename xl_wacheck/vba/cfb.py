"""A compound file writer after [MS-CFB], version 3: just enough for ``vbaProject.bin``.

Layout, in 512-byte sectors after the header (2.2): the FAT sectors, the directory, the
mini FAT, the mini stream, then the streams of 4096 bytes or more. Streams smaller than the
cutoff live in the mini stream in 64-byte mini sectors (2.4). Siblings in the directory form
a red-black tree ordered by name length, then by upper-cased name (2.6.4).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1


@dataclass
class Node:
    """A storage (with children) or a stream (with data)."""

    name: str
    data: bytes | None = None
    children: list[Node] = field(default_factory=list)

    def storage(self, name: str) -> Node:
        child = Node(name)
        self.children.append(child)
        return child

    def stream(self, name: str, data: bytes) -> None:
        self.children.append(Node(name, data))


def _order(node: Node) -> tuple[int, str]:
    """2.6.4: shorter names first, then compare upper-cased names."""
    return (len(node.name.encode("utf-16-le")), node.name.upper())


@dataclass
class _Entry:
    node: Node
    kind: int
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN
    size: int = 0


def _tree(entries: list[_Entry], indices: list[int], depth: int, height: int) -> int:
    """A balanced BST of ``indices`` (already sorted); nodes on the last level of an
    incomplete tree are red, so every path has the same number of black nodes."""
    if not indices:
        return NOSTREAM
    middle = len(indices) // 2
    root = indices[middle]
    entry = entries[root]
    entry.left = _tree(entries, indices[:middle], depth + 1, height)
    entry.right = _tree(entries, indices[middle + 1 :], depth + 1, height)
    entry.color = _RED if depth == height - 1 and depth > 0 else _BLACK
    return root


def _height(count: int) -> int:
    return count.bit_length()


def _perfect(count: int) -> bool:
    return count & (count + 1) == 0


class _Layout:
    def __init__(self, root: Node) -> None:
        self.entries: list[_Entry] = [_Entry(root, _ROOT)]
        self._walk(0)

    def _walk(self, index: int) -> None:
        node = self.entries[index].node
        children = sorted(node.children, key=_order)
        first = len(self.entries)
        for child in children:
            self.entries.append(_Entry(child, _STREAM if child.data is not None else _STORAGE))
        indices = list(range(first, first + len(children)))
        height = _height(len(children))
        if _perfect(len(children)):
            height += 1  # a perfect tree needs no red level
        self.entries[index].child = _tree(self.entries, indices, 0, height)
        for child_index in indices:
            if self.entries[child_index].kind == _STORAGE:
                self._walk(child_index)


def _name_field(name: str) -> tuple[bytes, int]:
    encoded = name.encode("utf-16-le")
    if len(encoded) > 62:
        raise ValueError(f"compound file names have at most 31 characters: {name!r}")
    return (encoded + b"\x00\x00").ljust(64, b"\x00"), len(encoded) + 2


def _dir_entry(entry: _Entry | None) -> bytes:
    """2.6.1 Compound File Directory Entry (128 bytes)."""
    if entry is None:
        return b"\x00" * 64 + struct.pack(
            "<HBBIII16sIQQIQ", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\x00" * 16, 0, 0, 0, 0, 0
        )
    name, length = _name_field(entry.node.name)
    return name + struct.pack(
        "<HBBIII16sIQQIQ",
        length,
        entry.kind,
        entry.color,
        entry.left,
        entry.right,
        entry.child,
        b"\x00" * 16,
        0,
        0,
        0,
        entry.start,
        entry.size,
    )


def _pad(data: bytes, size: int) -> bytes:
    return data + b"\x00" * (-len(data) % size)


def write(root: Node) -> bytes:
    """The compound file holding ``root``'s tree (``root`` becomes the Root Entry)."""
    layout = _Layout(root)
    entries = layout.entries
    streams = [e for e in entries if e.kind == _STREAM]

    # 2.4: small streams go to the mini stream, with their own allocation table.
    mini_stream = bytearray()
    mini_fat: list[int] = []
    for entry in streams:
        data = entry.node.data or b""
        entry.size = len(data)
        if 0 < len(data) < MINI_CUTOFF:
            entry.start = len(mini_stream) // MINI_SECTOR
            count = -(-len(data) // MINI_SECTOR)
            mini_fat += [entry.start + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
            mini_stream += _pad(data, MINI_SECTOR)
    big = [e for e in streams if e.size >= MINI_CUTOFF]

    dir_sectors = -(-len(entries) * 128 // SECTOR)
    mini_fat_bytes = b""
    if mini_fat:  # unused mini FAT entries are FREESECT
        raw = struct.pack(f"<{len(mini_fat)}I", *mini_fat)
        mini_fat_bytes = raw + b"\xff" * (-len(raw) % SECTOR)
    mini_fat_sectors = len(mini_fat_bytes) // SECTOR
    mini_stream_sectors = -(-len(mini_stream) // SECTOR)
    big_sectors = [-(-e.size // SECTOR) for e in big]
    content = dir_sectors + mini_fat_sectors + mini_stream_sectors + sum(big_sectors)

    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < fat_sectors + content:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("too large for a compound file without DIFAT sectors")

    fat: list[int] = [FATSECT] * fat_sectors
    next_sector = fat_sectors

    def chain(count: int) -> int:
        nonlocal next_sector
        if count == 0:
            return ENDOFCHAIN
        first = next_sector
        fat.extend(first + i + 1 for i in range(count - 1))
        fat.append(ENDOFCHAIN)
        next_sector += count
        return first

    first_dir = chain(dir_sectors)
    first_mini_fat = chain(mini_fat_sectors)
    entries[0].start = chain(mini_stream_sectors)  # the root entry owns the mini stream
    entries[0].size = len(mini_stream)
    for entry, count in zip(big, big_sectors, strict=True):
        entry.start = chain(count)
    fat += [FREESECT] * (fat_sectors * (SECTOR // 4) - len(fat))

    directory = b"".join(_dir_entry(e) for e in entries)
    while len(directory) % SECTOR:
        directory += _dir_entry(None)

    # 2.2 Compound File Header
    difat = list(range(fat_sectors)) + [FREESECT] * (109 - fat_sectors)
    header = (
        _SIGNATURE
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack(
            "<IIIIIIIII",
            0,
            fat_sectors,
            first_dir,
            0,
            MINI_CUTOFF,
            first_mini_fat if mini_fat_sectors else ENDOFCHAIN,
            mini_fat_sectors,
            ENDOFCHAIN,
            0,
        )
        + struct.pack("<109I", *difat)
    )
    body = [
        struct.pack(f"<{len(fat)}I", *fat),
        directory,
        mini_fat_bytes,
        _pad(bytes(mini_stream), SECTOR),
        *(_pad(e.node.data or b"", SECTOR) for e in big),
    ]
    return header + b"".join(body)
