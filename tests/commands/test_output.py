"""The text and JSON-lines formats of `tail`."""

from __future__ import annotations

import io
import json

from streamdash.commands.output import EventPrinter, iso_time
from streamdash.core.sse.events import Event, Heartbeat


def printed(fmt: str, items, **kw) -> str:
    out = io.BytesIO()
    EventPrinter(fmt, out, **kw).write(items)
    return out.getvalue().decode()


def test_jsonl_row():
    ev = Event("price", "{\"a\": 1}\nx", "7", None, True, 1_700_000_000.25)
    (line,) = printed("jsonl", [ev]).splitlines()
    assert json.loads(line) == {
        "event": "price",
        "data": "{\"a\": 1}\nx",
        "id": "7",
        "received_at": "2023-11-14T22:13:20.250000Z",
    }


def test_text_row_and_heartbeats_only_when_asked():
    items = [Heartbeat(" ping", 0.0), Event("message", "hi", "", received_at=0.0)]
    text = printed("text", items)
    assert text.count("\n") == 1 and text.rstrip().endswith(" - hi")
    with_beats = printed("text", items, heartbeats=True)
    assert with_beats.splitlines()[0].endswith(": ping")


def test_colour_only_when_asked():
    ev = Event("error", "boom", "1")
    assert "\x1b[" not in printed("text", [ev])
    assert "\x1b[1;31m" in printed("text", [ev], colour=True)


def test_a_batch_is_one_write():
    class Counting(io.BytesIO):
        writes = 0

        def write(self, b):
            Counting.writes += 1
            return super().write(b)

    out = Counting()
    n = EventPrinter("jsonl", out).write([Event("m", str(i), "") for i in range(50)])
    assert (n, Counting.writes) == (50, 1)


def test_iso_time_is_utc_with_z():
    assert iso_time(0) == "1970-01-01T00:00:00.000000Z"
