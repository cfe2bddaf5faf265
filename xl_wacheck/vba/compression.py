"""[MS-OVBA] 2.4.1 compression: the LZ77-style RLE used for module source and ``dir``.

A CompressedContainer is a signature byte 0x01 followed by chunks, each holding at most
4096 bytes of input. A chunk is a 2-byte header and either raw bytes or token sequences: a
flag byte, then up to eight tokens — a literal byte, or a 2-byte copy token pointing back
into the chunk's already-decompressed data.
"""

from __future__ import annotations

import struct

CHUNK = 4096


def _bit_count(position: int) -> int:
    """2.4.1.3.19.1 CopyToken Help: bits for the offset, from the chunk position."""
    bits = 4
    while (1 << bits) < position:
        bits += 1
    return bits


def _compress_chunk(data: bytes, start: int) -> bytes:
    """2.4.1.3.7 Compressing a DecompressedChunk; matches come from a 3-byte index, so the
    search for the longest earlier run (2.4.1.3.19.4) is not quadratic."""
    end = min(start + CHUNK, len(data))
    seen: dict[bytes, list[int]] = {}
    out = bytearray()
    position = start
    indexed = start

    def index_up_to(limit: int) -> None:
        nonlocal indexed
        while indexed < limit:
            seen.setdefault(data[indexed : indexed + 3], []).append(indexed)
            indexed += 1

    while position < end:
        flags = 0
        tokens = bytearray()
        for bit in range(8):
            if position >= end:
                break
            index_up_to(position)
            bits = _bit_count(position - start)
            # As the spec's Matching does: the longest run (ties: the closest) measured up
            # to the chunk's end, then cut to what a copy token can hold.
            available = end - position
            best_length = best_offset = 0
            if available >= 3:
                for candidate in reversed(seen.get(data[position : position + 3], ())):
                    length = 3
                    while (
                        length < available and data[candidate + length] == data[position + length]
                    ):
                        length += 1
                    if length > best_length:
                        best_length, best_offset = length, position - candidate
                        if length == available:
                            break
            best_length = min(best_length, (0xFFFF >> bits) + 3)
            if best_length >= 3:
                tokens += struct.pack("<H", ((best_offset - 1) << (16 - bits)) | (best_length - 3))
                flags |= 1 << bit
                position += best_length
            else:
                tokens.append(data[position])
                position += 1
        out.append(flags)
        out += tokens
    if len(out) > CHUNK:
        # 2.4.1.3.10: a chunk that would not fit is stored raw (exactly 4096 bytes).
        raw = data[start:end].ljust(CHUNK, b"\x00")
        return struct.pack("<H", (CHUNK - 3) | 0x3000) + raw
    header = (len(out) + 2 - 3) | 0x3000 | 0x8000  # size - 3, signature 0b011, compressed
    return struct.pack("<H", header) + bytes(out)


def compress(data: bytes) -> bytes:
    """2.4.1.3.6 Compression algorithm: a CompressedContainer for ``data``."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        out += _compress_chunk(data, start)
    return bytes(out)


def decompress(container: bytes) -> bytes:
    """2.4.1.3.1 Decompression, used by the tests to check :func:`compress` both ways."""
    if not container or container[0] != 1:
        raise ValueError("not a CompressedContainer (signature byte must be 0x01)")
    out = bytearray()
    position = 1
    while position < len(container):
        header = struct.unpack_from("<H", container, position)[0]
        size = (header & 0x0FFF) + 3
        compressed = header & 0x8000
        chunk_end = min(position + size, len(container))
        position += 2
        chunk_start = len(out)
        if not compressed:
            out += container[position : position + CHUNK]
            position += CHUNK
            continue
        while position < chunk_end:
            flags = container[position]
            position += 1
            for bit in range(8):
                if position >= chunk_end:
                    break
                if flags & (1 << bit):
                    token = struct.unpack_from("<H", container, position)[0]
                    position += 2
                    bits = _bit_count(len(out) - chunk_start)
                    length = (token & (0xFFFF >> bits)) + 3
                    offset = (token >> (16 - bits)) + 1
                    for _ in range(length):
                        out.append(out[-offset])
                else:
                    out.append(container[position])
                    position += 1
    return bytes(out)
