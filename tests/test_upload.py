"""The streamed upload body: the same bytes however it is read, a multipart form any parser
reads, and a length known before the first byte."""

from __future__ import annotations

import email.parser
import email.policy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_wacheck.upload import UploadBody

numbers_lists = st.lists(st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True), min_size=1)


def fields(body: UploadBody, data: bytes) -> dict[str, bytes]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {body.content_type}\r\n\r\n".encode() + data
    )
    return {
        part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
        for part in message.iter_parts()
    }


@given(numbers_lists, st.lists(st.integers(1, 70_000), min_size=1, max_size=20))
def test_any_reading_gives_the_same_multipart_form(numbers: list[str], sizes: list[int]) -> None:
    body = UploadBody("user-1", numbers)
    whole = body.read()
    assert len(whole) == len(body)
    body.seek(0)
    pieces, step = [], 0
    while chunk := body.read(sizes[step % len(sizes)]):
        assert len(chunk) <= sizes[step % len(sizes)]
        pieces.append(chunk)
        step += 1
    assert b"".join(pieces) == whole == b"".join(body)
    form = fields(body, whole)
    assert form["user_id"] == b"user-1"
    assert form["file"] == "".join(f"{n}\n" for n in numbers).encode()


def test_many_numbers_stream_in_batches() -> None:
    numbers = [f"+4179{i:07d}" for i in range(20_000)]
    body = UploadBody("u", numbers)
    assert len(body) == len(b"".join(body))
    assert body.read(10) and body.tell() == 10


def test_what_cannot_be_framed_is_refused() -> None:
    with pytest.raises(ValueError, match=r"E\.164"):
        UploadBody("u", ["+41 79 ₉"])
    with pytest.raises(ValueError, match="one line"):
        UploadBody("u\r\n--x", ["+41798284651"])
