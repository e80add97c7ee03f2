"""Property tests: however a stream's bytes are split into chunks, the same events come out, and
they are the events a plain, whole-buffer reading of the WHATWG algorithm gives."""

from __future__ import annotations

import re
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamdash.core.sse.events import Event, Heartbeat
from streamdash.core.sse.parser import SSEParser

ENDINGS = st.sampled_from([b"\n", b"\r", b"\r\n"])
NAMES = st.sampled_from([b"data", b"event", b"id", b"retry", b"Data", b"", b"x"])
VALUES = st.one_of(
    st.text(
        alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)),
        max_size=12,
    ).map(lambda s: s.encode()),
    st.sampled_from([b"", b" ", b"  x", b"1000", b"-1", b"a\x00b", b"\xff\xfe", b"\xe2\x82", b"\xef\xbb\xbf"]),
)


@st.composite
def lines(draw) -> bytes:
    kind = draw(st.sampled_from(["field", "field", "field", "comment", "blank", "bare"]))
    end = draw(ENDINGS)
    if kind == "blank":
        return end
    if kind == "comment":
        return b":" + draw(VALUES) + end
    if kind == "bare":
        return draw(NAMES) + end
    return draw(NAMES) + b":" + draw(VALUES) + end


@st.composite
def streams(draw) -> bytes:
    body = b"".join(draw(st.lists(lines(), max_size=40)))
    if draw(st.booleans()):
        body = b"\xef\xbb\xbf" + body
    return body + draw(st.sampled_from([b"", b"data: unfinished", b"\r", b"\xe2"]))


@st.composite
def split(draw, data: bytes) -> list[bytes]:
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=30)))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in pairwise(bounds)]


def run(chunks: list[bytes]) -> tuple[list[tuple], str, int | None]:
    parser = SSEParser(max_event_bytes=None)
    out: list[tuple] = []
    for chunk in chunks:
        for item in parser.feed(chunk):
            if isinstance(item, Event):
                out.append(("event", item.event, item.data, item.id, item.id_set))
            else:
                assert isinstance(item, Heartbeat)
                out.append(("comment", item.comment))
    parser.close()
    return out, parser.last_event_id, parser.retry


def reference(data: bytes) -> tuple[list[tuple], str, int | None]:
    """The spec's algorithm read literally over the whole buffer, with no incremental state."""
    text = data.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    parts = re.split("\r\n|\r|\n", text)
    complete = parts[:-1]  # whatever follows the last line end never finished
    out: list[tuple] = []
    data_buf, type_buf, id_buf, last_id, retry = "", "", "", "", None
    id_in_block = False
    for line in complete:
        if line == "":
            last_id = id_buf
            if data_buf:
                out.append(("event", type_buf or "message", data_buf[:-1], last_id, id_in_block))
            data_buf, type_buf, id_in_block = "", "", False
            continue
        if line.startswith(":"):
            out.append(("comment", line[1:]))
            continue
        if ":" in line:
            name, value = line.split(":", 1)
            if value.startswith(" "):
                value = value[1:]
        else:
            name, value = line, ""
        if name == "event":
            type_buf = value
        elif name == "data":
            data_buf += value + "\n"
        elif name == "id" and "\x00" not in value:
            id_buf, id_in_block = value, True
        elif name == "retry" and value and all(c in "0123456789" for c in value):
            retry = int(value)
    return out, last_id, retry


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_chunking_never_changes_the_events(data):
    stream = data.draw(streams())
    chunks = data.draw(split(stream))
    assert run(chunks) == run([stream])


@settings(max_examples=400, deadline=None)
@given(streams())
def test_one_byte_chunks_match_the_reference_algorithm(stream):
    one_byte = [stream[i : i + 1] for i in range(len(stream))]
    assert run(one_byte) == reference(stream)
    assert run([stream]) == reference(stream)
