"""StreamMeasures: one batch at a time into inter-arrival gaps, missing ids, latency and text."""

from __future__ import annotations

from streamdash.core.sse import Event
from streamdash.core.sse.measures import StreamMeasures, describe_ranges


def ev(ident: str, at: float, data: str = "{}") -> Event:
    return Event("message", data, ident, received_at=at)


def test_always_measured_gaps_between_events_and_missing_ids():
    m = StreamMeasures()
    m.add([ev("1", 10.0), ev("2", 10.5), ev("5", 12.5)])
    m.add([ev("6", 12.6)])
    assert abs(m.inter_arrival.last - 0.1) < 1e-9
    assert m.inter_arrival.max == 2.0
    assert m.gaps.missing == 2 and list(m.gaps.ranges) == [(3, 4)]
    assert m.latency is None and m.assembler is None and m.latency_of(ev("7", 13.0)) is None


def test_latency_and_assembly_only_when_asked():
    m = StreamMeasures(latency_field="sent", assemble="t", started_at=99.0)
    m.add([ev("", 100.25, '{"sent": 100.0, "t": "Hel"}'), ev("", 100.5, '{"t": "lo"}')])
    assert m.latency is not None and m.latency.count == 1 and m.latency.missing == 1
    assert m.latency_of(ev("", 101.0, '{"sent": 100000}')) == (101.0 - 100000) * 1000  # epoch s
    assert m.latency_of(ev("", 1_700_000_001.0, '{"sent": 1700000000000}')) == 1000.0  # epoch ms
    assert m.assembler is not None and m.assembler.text == "Hello"
    assert m.assembler.time_to_first_token == 1.25


def test_describe_ranges_keeps_the_newest():
    assert describe_ranges([(4, 6), (9, 9), (20, 27)]) == "4-6, 9, 20-27"
    assert describe_ranges([(n, n) for n in range(30)], limit=3) == "..., 27, 28, 29"
    assert describe_ranges([]) == ""


def test_the_request_start_counts_for_time_to_first_token_when_not_known_yet():
    m = StreamMeasures(assemble="t")
    m.request_started(10.0)
    m.request_started(11.0)  # a later connect (a reconnect) does not move it
    m.add([ev("", 10.5, '{"t": "a"}')])
    assert m.assembler is not None and m.assembler.time_to_first_token == 0.5
    StreamMeasures().request_started(1.0)  # no assembler: nothing to do
