"""The parser against every byte-level rule of ../shared/design/sse-client-rules.md (A, B, C, 34, 36).

Each test is named after the rule it keeps. Network-level rules live in test_stream.py.
"""

from __future__ import annotations

import time

import pytest
from httpx_sse import ServerSentEvent, SSEError

from streamdash.core.sse.events import Event, Heartbeat
from streamdash.core.sse.parser import DEFAULT_MAX_EVENT_BYTES, EventTooLarge, SSEParser


def feed_all(chunks: list[bytes], parser: SSEParser | None = None) -> list[Event | Heartbeat]:
    parser = parser or SSEParser()
    out: list[Event | Heartbeat] = []
    for chunk in chunks:
        out.extend(parser.feed(chunk))
    return out


def events(chunks: list[bytes] | bytes, parser: SSEParser | None = None) -> list[tuple]:
    if isinstance(chunks, bytes):
        chunks = [chunks]
    return [(e.event, e.data, e.id) for e in feed_all(chunks, parser) if isinstance(e, Event)]


def one_byte_chunks(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


# --- A. Bytes to lines -------------------------------------------------------------------------


def test_rule01_always_utf8_whatever_the_charset():
    # The parser is never told a charset: Latin-1 bytes of "é" are invalid UTF-8 and become U+FFFD,
    # while real UTF-8 decodes as UTF-8 even if a server claims charset=latin-1.
    assert events("data: caf\u00e9\n\n".encode()) == [("message", "caf\u00e9", "")]
    assert events(b"data: caf\xe9\n\n") == [("message", "caf\ufffd", "")]


def test_rule02_one_leading_bom_removed_even_split_in_three():
    bom = b"\xef\xbb\xbf"
    assert events([bom[:1], bom[1:2], bom[2:], b"data: first\n\n"]) == [("message", "first", "")]
    assert events(bom + b"data: x\n\n") == [("message", "x", "")]


def test_rule02_second_bom_is_data():
    bom = b"\xef\xbb\xbf"
    # After the first BOM goes, a second one begins a field name "\ufeffdata": unknown, ignored.
    assert events(bom + bom + b"data: x\n\n") == []
    assert events(b"data: a" + bom + b"\n\n") == [("message", "a\ufeff", "")]
    assert events([b"data: 1\n\n", bom + b"data: 2\n\n"]) == [("message", "1", "")]


def test_rule03_invalid_utf8_is_replacement_and_split_characters_decode_whole():
    assert events(b"data: \xff\xfe\n\n") == [("message", "\ufffd\ufffd", "")]
    euro = "\u20ac".encode()  # three bytes
    assert events([b"data: ", euro[:1], euro[1:2], euro[2:], b"\n\n"]) == [("message", "\u20ac", "")]
    emoji = "\U0001f600".encode()
    assert events(one_byte_chunks(b"data: " + emoji + b"\n\n")) == [("message", "\U0001f600", "")]


@pytest.mark.parametrize("ending", [b"\r\n", b"\n", b"\r"])
def test_rule04_line_endings(ending):
    stream = b"data: a" + ending + b"data: b" + ending + ending
    assert events(stream) == [("message", "a\nb", "")]


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c"])
def test_rule04_other_breaks_are_data(char):
    assert events(f"data: a{char}b\n\n".encode()) == [("message", f"a{char}b", "")]


def test_rule05_crlf_split_across_chunks_is_one_line_end():
    assert events([b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]) == [("message", "a\nb", "")]
    # One-byte chunks of a CRLF stream give the same single event.
    assert events(one_byte_chunks(b"data: a\r\ndata: b\r\n\r\n")) == [("message", "a\nb", "")]


def test_rule06_cr_completes_a_line_at_once():
    parser = SSEParser()
    # The blank line that dispatches is CR-ended and nothing follows yet: the event fires now.
    assert [e.data for e in parser.feed(b"data: now\r\r")] == ["now"]
    assert parser.feed(b"\n") == []  # the LF pairs with the last CR; no phantom blank line


def test_rule07_nul_in_data_is_kept():
    assert events(b"data: a\x00b\n\n") == [("message", "a\x00b", "")]


# --- B. Lines to fields ------------------------------------------------------------------------


def test_rule08_blank_line_dispatches():
    parser = SSEParser()
    assert parser.feed(b"data: x\n") == []
    assert [e.data for e in parser.feed(b"\n")] == ["x"]


def test_rule09_comments_dispatch_nothing_and_surface_as_heartbeats():
    out = feed_all([b": ping\n\n:\n\n"])
    assert out == [Heartbeat(" ping"), Heartbeat("")]
    out = feed_all([b"data: a\n: in the middle\ndata: b\n\n"])
    assert [type(x).__name__ for x in out] == ["Heartbeat", "Event"]
    assert out[1].data == "a\nb"


def test_rule10_exactly_one_leading_space_removed_tab_kept():
    assert events(b"data:  x\n\n") == [("message", " x", "")]
    assert events(b"data:x\n\n") == [("message", "x", "")]
    assert events(b"data:\tx\n\n") == [("message", "\tx", "")]
    assert events(b"data: a:b: c\n\n") == [("message", "a:b: c", "")]


def test_rule11_line_without_colon_is_field_with_empty_value():
    assert events(b"data\n\n") == [("message", "", "")]
    assert events(b"data\ndata\n\n") == [("message", "\n", "")]
    parser = SSEParser("5")
    events(b"id\n\n", parser)


def test_rule12_names_are_case_sensitive_and_unknown_ignored():
    assert events(b"Data: x\nDATA: y\n\n") == []
    assert events(b"Event: x\ndata: y\n\n") == [("message", "y", "")]
    assert events(b"foo: bar\ndata: y\n\n") == [("message", "y", "")]
    assert events(b"data : y\n\n") == []  # the name is "data " with its space


def test_rule13_event_sets_type_last_wins_and_data_appends():
    assert events(b"event: a\nevent: b\ndata: 1\ndata: 2\n\n") == [("b", "1\n2", "")]


def test_rule14_id_with_nul_ignored_empty_id_clears():
    parser = SSEParser()
    assert events(b"id: 7\ndata: a\n\n", parser) == [("message", "a", "7")]
    assert events(b"id: 8\x009\ndata: b\n\n", parser) == [("message", "b", "7")]
    assert events(b"id:\ndata: c\n\n", parser) == [("message", "c", "")]


@pytest.mark.parametrize(
    "value", [b"-1", b"+5", b"1_000", b"1.5", "\uff11\uff12".encode(), b"", b"  5", b"5 ", b"0x10"]
)
def test_rule15_bogus_retry_ignored(value):
    parser = SSEParser()
    parser.feed(b"retry: 1234\n\n")
    parser.feed(b"retry:" + value + b"\n\n")
    assert parser.retry == 1234


def test_rule15_retry_applies_at_once_without_dispatch():
    parser = SSEParser()
    assert parser.feed(b"retry: 2500\n") == []
    assert parser.retry == 2500  # not even the block's blank line has come
    assert parser.feed(b"\n") == []  # and a retry-only block fires nothing
    assert events(b"retry: 0\ndata: x\n\n", parser) == [("message", "x", "")]
    assert parser.retry == 0


# --- C. Dispatch -------------------------------------------------------------------------------


def test_rule16_id_only_block_moves_resume_point_and_fires_nothing():
    parser = SSEParser()
    assert parser.feed(b"id: 41\n\n") == []
    assert parser.last_event_id == "41"
    assert events(b"data: x\n\n", parser) == [("message", "x", "41")]


@pytest.mark.parametrize(
    "block", [b"event: x\n\n", b"retry: 10\n\n", b": c\n\n", b"\n\n\n", b"id: 1\n\n"]
)
def test_rule17_no_data_no_event(block):
    parser = SSEParser()
    assert events(b"id: 5\ndata: before\n\n", parser) == [("message", "before", "5")]
    assert events(block, parser) == []


def test_rule18_exactly_one_trailing_lf_removed():
    assert events(b"data: a\ndata:\n\n") == [("message", "a\n", "")]
    assert events(b"data:\ndata:\n\n") == [("message", "\n", "")]


def test_rule19_type_defaults_to_message():
    assert events(b"event:\ndata: x\n\n") == [("message", "x", "")]


def test_rule20_id_persists_until_changed():
    parser = SSEParser()
    got = events(b"id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n", parser)
    assert got == [("message", "a", "1"), ("message", "b", "1"), ("message", "c", "2")]


def test_rule21_type_does_not_leak_into_next_block():
    assert events(b"event: special\ndata: a\n\ndata: b\n\n") == [
        ("special", "a", ""),
        ("message", "b", ""),
    ]
    # Not through a block that never dispatched either.
    assert events(b"event: special\n\ndata: b\n\n") == [("message", "b", "")]


def test_rule22_unfinished_block_is_dropped_with_its_id():
    parser = SSEParser("3")
    assert events(b"id: 3\ndata: done\n\nid: 4\ndata: half", parser) == [("message", "done", "3")]
    parser.close()
    assert parser.last_event_id == "3"


def test_dispatch_flags_whether_the_block_set_its_id():
    out = [e for e in feed_all([b"id: 1\ndata: a\n\ndata: b\n\n"]) if isinstance(e, Event)]
    assert [e.id_set for e in out] == [True, False]


def test_events_are_httpx_sse_events():
    (event,) = feed_all([b"event: t\ndata: {\"a\": 1}\nid: 9\nretry: 5\n\n"])
    assert isinstance(event, ServerSentEvent)
    assert (event.event, event.id, event.retry, event.json()) == ("t", "9", 5, {"a": 1})


# --- 34 and 36: size cap and linear cost --------------------------------------------------------


def test_rule34_oversized_event_is_an_error_by_name():
    parser = SSEParser(max_event_bytes=100)
    events(b"data: " + b"x" * 94 + b"\n\n", parser)  # a 100-byte line: exactly at the cap is fine
    with pytest.raises(EventTooLarge, match="max_event_bytes") as caught:
        parser.feed(b"data: " + b"x" * 60 + b"\ndata: " + b"y" * 60 + b"\n\n")
    assert issubclass(EventTooLarge, SSEError)
    # One line that names the cap and the real flag and key that raise it.
    message = str(caught.value)
    assert "\n" not in message
    assert "--max-event-bytes" in message and "[stream] max_event_bytes" in message
    assert "100 bytes" in message


def test_rule34_counts_utf8_bytes_not_characters():
    parser = SSEParser(max_event_bytes=100)
    with pytest.raises(EventTooLarge):
        parser.feed(("data: " + "\u20ac" * 40 + "\n\n").encode())  # 46 chars, 126 bytes


def test_rule34_default_cap_is_16_mib_and_a_5_mb_event_arrives_whole():
    assert DEFAULT_MAX_EVENT_BYTES == 16 * 1024 * 1024
    event = b"id: big\nevent: completion\ndata: " + b"x" * 5_000_000 + b"\n\n"
    for chunks in ([event], [event[:2_500_000], event[2_500_000:]]):
        (got,) = events(chunks, SSEParser())
        assert got == ("completion", "x" * 5_000_000, "big")


@pytest.mark.parametrize("field", [b"id: ", b"event: ", b": ", b"unknown: ", b"bare", b"retry: 1"])
@pytest.mark.parametrize("chunk_size", [None, 1000, 7])
def test_rule34_every_line_kind_counts_whatever_the_chunking(field, chunk_size):
    body = b"data: before\n\n" + field + b"9" * 5000 + b"\ndata: x\n\n"
    chunks = [body] if chunk_size is None else [
        body[i : i + chunk_size] for i in range(0, len(body), chunk_size)
    ]
    parser = SSEParser(max_event_bytes=1000)
    got: list = []
    with pytest.raises(EventTooLarge) as caught:
        for chunk in chunks:
            got.extend(parser.feed(chunk))
    got.extend(caught.value.items)  # what that chunk completed before the cap was passed
    assert [(e.event, e.data) for e in got if isinstance(e, Event)] == [("message", "before")]


def test_rule34_events_before_the_oversized_one_in_the_same_chunk_are_kept():
    parser = SSEParser(max_event_bytes=100)
    with pytest.raises(EventTooLarge) as caught:
        parser.feed(b"id: 1\ndata: a\n\nid: 2\ndata: " + b"x" * 200 + b"\n\n")
    assert [(e.data, e.id) for e in caught.value.items] == [("a", "1")]
    assert "id 2" in str(caught.value)


def test_rule34_fail_fires_as_soon_as_the_cap_is_passed_not_at_the_event_end():
    parser = SSEParser(max_event_bytes=10_000)
    fed = 0
    with pytest.raises(EventTooLarge):
        parser.feed(b"data: ")
        for _ in range(1_000):  # 1 MB that never ends its line
            fed += 1000
            parser.feed(b"x" * 1000)
    assert fed <= 11_000


def test_rule34_unfinished_hostile_line_is_stopped_before_memory_grows():
    parser = SSEParser(max_event_bytes=10_000)
    with pytest.raises(EventTooLarge):
        for _ in range(1_000):  # 1 MB with no line end
            parser.feed(b"x" * 1000)
    assert parser._pending_len <= 10_000 + 1000


def test_rule34_a_failed_parser_stays_failed():
    parser = SSEParser(max_event_bytes=10)
    with pytest.raises(EventTooLarge):
        parser.feed(b"data: " + b"x" * 20 + b"\n\n")
    with pytest.raises(EventTooLarge):
        parser.feed(b"data: small\n\n")


def test_rule34_skip_discards_the_event_reports_it_once_and_reads_on():
    body = (
        b"id: 1\ndata: a\n\n"
        b"id: 2\nevent: big\ndata: " + b"x" * 300 + b"\ndata: more\n: note\nid: 9\n\n"
        b"data: b\n\n"
    )
    for chunks in ([body], one_byte_chunks(body)):
        out = feed_all(chunks, SSEParser(max_event_bytes=100, oversize="skip"))
        assert [type(i).__name__ for i in out] == ["Event", "SkippedEvent", "Event"]
        skipped = out[1]
        assert (skipped.size, skipped.id, skipped.limit) == (len(b"id: 2event: bigdata: ") + 300
                                                             + len(b"data: more: noteid: 9"), "2", 100)
        # The resume point moves past it (its own id came before the cap), later lines unread.
        assert [(e.data, e.id) for e in out if isinstance(e, Event)] == [("a", "1"), ("b", "2")]


def test_rule34_skip_keeps_no_memory_for_a_hostile_line():
    parser = SSEParser(max_event_bytes=10_000, oversize="skip")
    parser.feed(b"data: ")
    for _ in range(10_000):  # 10 MB in one line that never ends
        assert parser.feed(b"x" * 1000) == []
        assert parser._pending_len <= 10_000  # kept only while it may still fit
    assert parser._pending_len == 0 and not parser._pending
    (skipped, after) = parser.feed(b"\n\ndata: after\n\n")
    assert skipped.size == 6 + 10_000_000
    assert after.data == "after"


def test_rule34_skip_a_line_end_right_after_the_cut_is_not_a_blank_line():
    parser = SSEParser(max_event_bytes=10, oversize="skip")
    assert parser.feed(b"data: " + b"x" * 20) == []  # passes the cap mid-line
    assert parser.feed(b"\n") == []  # ends that line, not the event
    assert parser.feed(b"data: tail\n") == []
    (skipped,) = parser.feed(b"\n")
    assert skipped.size == 26 + 10


def test_rule34_no_cap_when_disabled():
    parser = SSEParser(max_event_bytes=None)
    assert len(events(b"data: " + b"x" * 3_000_000 + b"\n\n", parser)[0][1]) == 3_000_000


def test_rule36_cost_is_linear_in_bytes_however_chunked():
    # A ratio within one process, not a wall-clock budget: 4 MB in 100-byte chunks against the
    # same bytes in one chunk. Linear parsing pays only a per-call overhead (~10x here); joining
    # the pending line on every chunk would copy ~80 GB and be thousands of times slower.
    line = b"data: " + b"x" * 4_000_000 + b"\n\n"
    small = [line[i : i + 100] for i in range(0, len(line), 100)]

    def run(chunks):
        parser = SSEParser(max_event_bytes=None)
        start = time.perf_counter()
        (event,) = feed_all(chunks, parser)
        assert len(event.data) == 4_000_000
        return time.perf_counter() - start

    whole = min(run([line]) for _ in range(3))
    chunked = min(run(small) for _ in range(3))
    assert chunked / max(whole, 1e-4) < 200
