"""The upload's multipart body, produced while it is sent instead of built in memory first.

requests' ``files=`` reads a file completely and builds the whole multipart body, twice
over, before the first byte goes out: for a full sheet that is a million numbers held three
times. This body knows its length up front (so the request carries a Content-Length, as the
vendor's curl example does, never chunked encoding) and renders the numbers a few thousand
at a time as the connection asks for bytes. It can be rewound, so an upload that provably
never left can be sent again from the start.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence

_BATCH = 4096  # numbers rendered at a time


class UploadBody:
    """``user_id`` and the numbers as ``multipart/form-data``, one E.164 number a line."""

    def __init__(self, user_id: str, numbers: Sequence[str], filename: str = "numbers.txt"):
        if any(not number.isascii() for number in numbers):
            raise ValueError("numbers must be E.164 text")  # their length in bytes is len()
        if "\r" in user_id or "\n" in user_id:
            raise ValueError("the user ID must be one line")
        boundary = f"xl-wacheck-{secrets.token_hex(16)}"
        self.content_type = f"multipart/form-data; boundary={boundary}"
        self._head = (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="user_id"\r\n\r\n'
            f"{user_id}\r\n"
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        ).encode()
        self._tail = f"\r\n--{boundary}--\r\n".encode()
        self._numbers = numbers
        self._length = len(self._head) + sum(map(len, numbers)) + len(numbers) + len(self._tail)
        self.seek(0)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[bytes]:
        """requests sends a body with ``__iter__`` and a length as a stream (it reads it
        through :meth:`read`; this is the same bytes, for anything that iterates)."""
        return self._pieces()

    def _pieces(self) -> Iterator[bytes]:
        yield self._head
        numbers = self._numbers
        for start in range(0, len(numbers), _BATCH):
            yield ("\n".join(numbers[start : start + _BATCH]) + "\n").encode("ascii")
        yield self._tail

    def seek(self, offset: int, whence: int = 0) -> int:
        """Only a rewind to the start (or a no-op seek to the end, to measure) is needed."""
        if (offset, whence) == (0, 2):
            return self._length
        if (offset, whence) != (0, 0):
            raise OSError("an upload body can only be rewound to its start")
        self._source = self._pieces()
        self._buffer = b""
        self._position = 0
        return 0

    def tell(self) -> int:
        return self._position

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            piece = next(self._source, None)
            if piece is None:
                break
            self._buffer += piece
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        self._position += len(data)
        return data
