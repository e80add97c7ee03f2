"""Property tests: however a stream's bytes are split into chunks, the same events come out, and
they are the events a plain, whole-buffer reading of the WHATWG algorithm gives."""

from __future__ import annotations

import re
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamdash.core.sse.events import Event, Heartbeat, SkippedEvent
from streamdash.core.sse.parser import EventTooLarge, SSEParser

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


# --- rule 34: the size cap decides the same for any chunking, both policies -------------------

LONG_VALUES = st.one_of(VALUES, st.integers(0, 80).map(lambda n: b"y" * n))
KINDS = st.sampled_from(["data", "data", "id", "event", "comment", "unknown", "bare", "retry", "blank"])


@st.composite
def capped_lines(draw) -> bytes:
    kind = draw(KINDS)
    end = draw(ENDINGS)
    value = draw(LONG_VALUES)
    if kind == "blank":
        return end
    if kind == "comment":
        return b":" + value + end
    if kind == "bare":
        return b"z" + value.replace(b":", b"") + end
    name = {"unknown": b"extra", "retry": b"retry"}.get(kind, kind.encode())
    if kind == "retry" and draw(st.booleans()):
        value = str(draw(st.integers(0, 5000))).encode()
    return name + b": " + value + end


@st.composite
def capped_streams(draw) -> bytes:
    body = b"".join(draw(st.lists(capped_lines(), max_size=30)))
    return body + draw(st.sampled_from([b"", b"data: unfinished", b"\r", b"\xe2", b"y" * 70]))


def run_capped(chunks: list[bytes], cap: int, policy: str) -> tuple:
    parser = SSEParser(max_event_bytes=cap, oversize=policy)
    out: list[tuple] = []
    failed = False

    def note(items) -> None:
        for item in items:
            if isinstance(item, Event):
                out.append(("event", item.event, item.data, item.id))
            elif isinstance(item, SkippedEvent):
                out.append(("skipped", item.size, item.id))
            else:
                out.append(("comment", item.comment))

    for chunk in chunks:
        try:
            note(parser.feed(chunk))
        except EventTooLarge as exc:
            note(exc.items)
            failed = True
            break
    return out, parser.last_event_id, parser.retry, failed


def reference_capped(data: bytes, cap: int, policy: str) -> tuple:
    """The whole buffer read literally, with rule 34 on top: a block's size is the UTF-8 bytes
    of its lines; an unfinished last line counts the bytes that arrived."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    last_end = max(data.rfind(b"\n"), data.rfind(b"\r"))
    trailing = len(data) - last_end - 1
    text = data[: last_end + 1].decode("utf-8", "replace")
    complete = re.split("\r\n|\r|\n", text)[:-1]
    out: list[tuple] = []
    data_buf, type_buf, id_buf, last_id, retry = "", "", "", "", None
    size, skipping = 0, False
    for line in complete:
        if line == "":
            last_id = id_buf
            if skipping:
                out.append(("skipped", size, last_id))
            elif data_buf:
                out.append(("event", type_buf or "message", data_buf[:-1], last_id))
            data_buf, type_buf, size, skipping = "", "", 0, False
            continue
        size += len(line.encode())
        if skipping:
            continue
        if size > cap:
            if policy == "fail":
                return out, last_id, retry, True
            skipping, data_buf = True, ""
            continue
        if line.startswith(":"):
            out.append(("comment", line[1:]))
            continue
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "event":
            type_buf = value
        elif name == "data":
            data_buf += value + "\n"
        elif name == "id" and "\x00" not in value:
            id_buf = value
        elif name == "retry" and value and all(c in "0123456789" for c in value):
            retry = int(value)
    failed = policy == "fail" and not skipping and size + trailing > cap
    return out, last_id, retry, failed


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.integers(0, 60), st.sampled_from(["fail", "skip"]))
def test_rule34_the_cap_decides_the_same_for_any_chunking(data, cap, policy):
    stream = data.draw(capped_streams())
    chunks = data.draw(split(stream))
    whole = run_capped([stream], cap, policy)
    assert run_capped(chunks, cap, policy) == whole
    assert run_capped([stream[i : i + 1] for i in range(len(stream))], cap, policy) == whole
    assert whole == reference_capped(stream, cap, policy)
