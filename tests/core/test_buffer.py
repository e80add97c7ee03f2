"""The ring buffer: bounded, ordered, and a cursor that survives pruning."""

from __future__ import annotations

import pytest

from streamdash.core.buffer import DATA, SEQ, STREAM, EventBuffer
from streamdash.core.sse.events import Event


def events(*data: str) -> list[Event]:
    return [Event("message", d, "") for d in data]


def test_keeps_the_newest_and_counts_what_fell_out():
    buffer = EventBuffer(3)
    assert buffer.extend("a", events("1", "2")) == 2
    buffer.extend("b", events("3", "4", "5"))
    assert [(e[SEQ], e[STREAM], e[DATA]) for e in buffer] == [(2, "b", "3"), (3, "b", "4"), (4, "b", "5")]
    assert (len(buffer), buffer.next_seq, buffer.dropped) == (3, 5, 2)


def test_since_returns_what_is_new_and_still_retained():
    buffer = EventBuffer(5)
    buffer.extend("a", events(*"abcdefg"))  # seqs 0..6, 2..6 retained
    assert [e[DATA] for e in buffer.since(5)] == ["f", "g"]
    assert [e[DATA] for e in buffer.since(0)] == list("cdefg")  # pruned ones are gone
    assert buffer.since(7) == []
    buffer.clear()
    assert buffer.since(0) == [] and buffer.next_seq == 7


def test_size_must_be_positive():
    with pytest.raises(ValueError):
        EventBuffer(0)
