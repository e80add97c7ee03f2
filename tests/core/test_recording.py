"""Recordings: written as JSON lines, read back event for event, damaged lines reported."""

from __future__ import annotations

import json
import time
from contextlib import aclosing
from pathlib import Path

from streamdash.core.http.client import make_client
from streamdash.core.recording import (
    DamagedLine,
    RecordedItem,
    Recorder,
    play,
    read_recording,
)
from streamdash.core.sse import Event, Heartbeat, SSEStream, StateChange, StreamOptions, StreamState
from streamdash.demo import DemoServer


def ev(i: int, t: float = 1000.0, **kw) -> Event:
    return Event(kw.get("event", "update"), kw.get("data", f"d{i}"), str(i), id_set=True, received_at=t)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_header_event_and_state_lines(tmp_path: Path):
    path = tmp_path / "rec.jsonl"
    with Recorder(path, stream="prices") as rec:
        rec.write_items(
            [
                StateChange(StreamState.OPEN, status=200, at=999.5),
                ev(1, 1000.25, data='{"p": "é\\n"}'),
                Heartbeat(" ping", 1000.3),
                StateChange(StreamState.BACKOFF, "connection lost", 1.5, "1", at=1001.0),
            ]
        )
        rec.write_items([ev(2, 1002.0)], stream="other")
    got = lines(path)
    assert got[0]["kind"] == "header" and got[0]["format"] == "streamdash-recording"
    assert got[0]["version"] == 1 and isinstance(got[0]["started"], float)
    assert got[1] == {
        "t": 999.5, "stream": "prices", "kind": "state", "state": "open", "reason": "",
        "last_event_id": "", "delay": None, "status": 200,
    }
    assert got[2] == {
        "t": 1000.25, "stream": "prices", "kind": "event", "event": "update", "id": "1",
        "data": '{"p": "é\\n"}',
    }
    assert got[3]["state"] == "backoff" and got[3]["delay"] == 1.5 and got[3]["last_event_id"] == "1"
    assert got[4]["stream"] == "other"
    assert len(got) == 5  # heartbeats are off by default

    items = list(read_recording(path))
    assert all(isinstance(i, RecordedItem) for i in items)
    assert items[1].to_event() == Event("update", '{"p": "é\\n"}', "1")
    assert items[1].to_event().received_at == 1000.25
    change = items[2].to_state_change()
    assert change == StateChange(StreamState.BACKOFF, "connection lost", 1.5, "1", at=1001.0)


def test_heartbeats_when_asked(tmp_path: Path):
    path = tmp_path / "rec.jsonl"
    with Recorder(path, stream="s", heartbeats=True) as rec:
        rec.write_items([Heartbeat(" ping", 5.0)])
    (item,) = read_recording(path)
    assert item.kind == "heartbeat" and item.comment == " ping" and item.t == 5.0


def test_every_batch_is_on_disk_before_close(tmp_path: Path):
    path = tmp_path / "rec.jsonl"
    rec = Recorder(path, stream="s")
    rec.write_items([ev(1), ev(2)])
    assert [i.id for i in read_recording(path)] == ["1", "2"]  # without close
    rec.close()


def test_rotation_keeps_three_backups(tmp_path: Path):
    path = tmp_path / "rec.jsonl"
    with Recorder(path, stream="s", max_bytes=400) as rec:
        for i in range(60):
            rec.write_items([ev(i, 1000.0 + i)])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["rec.jsonl", "rec.jsonl.1", "rec.jsonl.2", "rec.jsonl.3"]
    for p in tmp_path.iterdir():
        assert p.stat().st_size <= 400 + 200
        assert lines(p)[0]["kind"] == "header"
    # the newest events are in the current file, the ones before in .1, .2, .3 in order
    ids = []
    for name in ["rec.jsonl.3", "rec.jsonl.2", "rec.jsonl.1", "rec.jsonl"]:
        ids += [int(i.id) for i in read_recording(tmp_path / name)]
    assert ids == list(range(ids[0], 60))
    assert not any(isinstance(i, DamagedLine) for i in read_recording(path))


def test_damaged_lines_reported_with_line_numbers_and_skipped(tmp_path: Path):
    path = tmp_path / "rec.jsonl"
    with Recorder(path, stream="s") as rec:
        rec.write_items([ev(1)])
    with open(path, "a") as f:
        f.write("{not json\n")  # line 3
        f.write('{"t": 1.0, "stream": "s", "kind": "event", "id": "x"}\n')  # 4: no event/data
        f.write('[1, 2]\n')  # 5
        f.write('{"t": "soon", "stream": "s", "kind": "event", "event": "e", "data": ""}\n')  # 6
        f.write('{"t": 2.0, "stream": "s", "kind": "state", "state": "weird"}\n')  # 7
        f.write("\n")  # 8: blank lines are not damage
        f.write(json.dumps({"t": 3.0, "stream": "s", "kind": "event", "event": "e", "data": "ok", "id": "2"}) + "\n")
        f.write('{"t": 4.0, "stream": "s", "kind": "ev')  # 10: torn last line
    items = list(read_recording(path))
    damaged = [i.line for i in items if isinstance(i, DamagedLine)]
    assert damaged == [3, 4, 5, 6, 7, 10]
    assert [i.id for i in items if isinstance(i, RecordedItem)] == ["1", "2"]
    torn = items[-1]
    assert "truncated" in torn.reason


def test_appending_after_a_torn_line_starts_on_a_new_line(tmp_path: Path):
    path = tmp_path / "rec.jsonl"
    with Recorder(path, stream="s") as rec:
        rec.write_items([ev(1)])
    with open(path, "a") as f:
        f.write('{"t": 4.0, "str')
    with Recorder(path, stream="s") as rec:
        rec.write_items([ev(2)])
    items = list(read_recording(path))
    assert [type(i).__name__ for i in items] == ["RecordedItem", "DamagedLine", "RecordedItem"]
    assert items[1].line == 3


def test_missing_file_raises_at_once(tmp_path: Path):
    try:
        read_recording(tmp_path / "nope.jsonl")
    except FileNotFoundError:
        pass
    else:
        raise AssertionError("expected FileNotFoundError")


def _items(n: int, gap: float) -> list[RecordedItem]:
    return [RecordedItem(1000.0 + i * gap, "s", "event", event="e", id=str(i)) for i in range(n)]


async def test_play_keeps_pace_scaled_by_speed():
    items = _items(6, 0.1)  # 0.5 s recorded
    start = time.monotonic()
    got = [i async for i in play(items, speed=5)]
    paced = time.monotonic() - start
    start = time.monotonic()
    assert [i async for i in play(items, speed=None)] == got == items
    instant = time.monotonic() - start
    assert 0.08 <= paced < 0.5
    assert instant < paced / 4


async def test_play_does_not_sleep_when_time_goes_backwards():
    items = [RecordedItem(t, "s", "event") for t in (100.0, 50.0, 50.05)]
    start = time.monotonic()
    assert len([i async for i in play(items, speed=1)]) == 3
    assert time.monotonic() - start < 0.5


async def test_play_caps_gaps_and_passes_damage_through():
    items = [RecordedItem(0.0, "s", "event"), DamagedLine(2, "x"), RecordedItem(3600.0, "s", "event")]
    start = time.monotonic()
    got = [i async for i in play(items, speed=1, max_gap=0.05)]
    assert got == items
    assert time.monotonic() - start < 1.0


async def test_record_through_reconnects_and_read_back(tmp_path: Path):
    path = tmp_path / "flaky.jsonl"
    received: list[Event] = []
    with DemoServer(seed=3, time_scale=0.05) as server:
        url = server.url + "/streams/flaky?interval=0.01&drop_after=3"
        async with make_client() as client:
            stream = SSEStream(client, url, StreamOptions(base_delay=0.01, max_delay=0.05))
            with Recorder(path, stream="flaky") as rec:
                async with aclosing(stream.batches()) as batches:
                    async for batch in batches:
                        room = 10 - len(received)
                        events = [i for i in batch if type(i) is Event]
                        if len(events) > room:  # cut the batch right after the 10th event
                            last = events[room - 1]
                            batch = batch[: next(n for n, i in enumerate(batch) if i is last) + 1]
                            events = events[:room]
                        rec.write_items(batch)
                        received += events
                        if len(received) >= 10:
                            break
            await stream.aclose()
    items = list(read_recording(path))
    assert not [i for i in items if isinstance(i, DamagedLine)]
    replayed = [i.to_event() for i in items if i.kind == "event"]
    assert [(e.event, e.id, e.data) for e in replayed] == [(e.event, e.id, e.data) for e in received]
    assert [e.received_at for e in replayed] == [e.received_at for e in received]
    assert len(replayed) == 10
    states = [i for i in items if i.kind == "state"]
    assert all(i.stream == "flaky" for i in items)
    kinds = [s.state for s in states]
    assert kinds.count("open") >= 3 and kinds.count("backoff") >= 3
    backoff = next(s for s in states if s.state == "backoff")
    assert backoff.last_event_id == received[2].id and backoff.reason
    assert backoff.delay is not None


def test_first_problem_tells_a_recording_from_other_files(tmp_path):
    from streamdash.core.recording import first_problem

    good = tmp_path / "good.jsonl"
    with Recorder(good, stream="s") as rec:
        rec.write_items([Event("m", "x", "1", received_at=1.0)])
    assert first_problem(good) is None
    torn_first = tmp_path / "torn.jsonl"
    torn_first.write_bytes(b'{"t": 1, "str\n' + good.read_bytes())
    assert first_problem(torn_first) is None  # one bad line, then a recording
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 5000)  # binary bytes, lines of 256
    assert first_problem(binary).startswith("not a streamdash recording (line 1: ")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    assert first_problem(empty) == "empty: nothing to replay"


# --- hostile recordings: times, huge lines, pace ------------------------------------------------


def test_a_time_that_is_not_finite_or_out_of_range_is_a_damaged_line(tmp_path: Path):
    path = tmp_path / "rec.jsonl"
    with Recorder(path, stream="s") as rec:
        rec.write_items([ev(1, t=1000.0)])  # lines 1-2
    good = '{"t": %s, "stream": "s", "kind": "event", "event": "e", "data": "", "id": "%s"}\n'
    with open(path, "a") as f:
        f.write(good % ("1e309", "inf"))  # 3: json reads this as infinity
        f.write(good % ("NaN", "nan"))  # 4
        f.write(good % ("-1e300", "ancient"))  # 5
        f.write(good % ("-Infinity", "minus"))  # 6
        f.write('{"t": 2.0, "stream": "s", "kind": "state", "state": "backoff", "delay": 1e309}\n')  # 7
        f.write(good % ("1001.5", "2"))  # 8
    items = list(read_recording(path))
    damaged = {i.line: i.reason for i in items if isinstance(i, DamagedLine)}
    assert sorted(damaged) == [3, 4, 5, 6, 7]
    assert all("not a time" in damaged[n] for n in (3, 4, 5, 6)), damaged
    assert "delay" in damaged[7]
    assert [i.id for i in items if isinstance(i, RecordedItem)] == ["1", "2"]


def test_a_line_over_the_bound_is_damaged_and_skipped_without_reading_it_whole(tmp_path: Path):
    import tracemalloc

    path = tmp_path / "rec.jsonl"
    with Recorder(path, stream="s") as rec:
        rec.write_items([ev(1)])
    huge = 50 << 20
    with open(path, "a") as f:  # line 3: 50 MiB of one JSON string, then a good line
        f.write('{"t": 1.0, "stream": "s", "kind": "event", "event": "e", "id": "big", "data": "')
        chunk = "x" * (1 << 20)
        for _ in range(huge >> 20):
            f.write(chunk)
        f.write('"}\n')
    with Recorder(path, stream="s") as rec:
        rec.write_items([ev(2)])
    tracemalloc.start()
    try:
        items = list(read_recording(path, max_line_bytes=64 << 10))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    damaged = [i for i in items if isinstance(i, DamagedLine)]
    assert [(d.line, d.reason) for d in damaged] == [(3, "line longer than 64 KiB (the limit for a recorded line)")]
    assert [i.id for i in items if isinstance(i, RecordedItem)] == ["1", "2"]
    assert peak < 4 << 20  # the 50 MiB line was never held whole


def test_an_event_at_the_live_size_cap_reads_back(tmp_path: Path):
    from streamdash.core.recording import MAX_LINE_BYTES
    from streamdash.core.sse.parser import DEFAULT_MAX_EVENT_BYTES

    assert MAX_LINE_BYTES >= DEFAULT_MAX_EVENT_BYTES
    path = tmp_path / "rec.jsonl"
    data = '{"k": "' + "v" * (DEFAULT_MAX_EVENT_BYTES - 10) + '"}'  # JSON escaping grows it
    with Recorder(path, stream="s") as rec:
        rec.write_items([Event("m", data, "1", received_at=5.0)])
    (item,) = read_recording(path)
    assert isinstance(item, RecordedItem) and item.data == data


async def test_no_pause_is_longer_than_the_cap_whatever_the_gap_or_speed(monkeypatch):
    from streamdash.core import recording

    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:  # record what play asks for, sleep not at all
        slept.append(seconds)

    monkeypatch.setattr(recording.asyncio, "sleep", fake_sleep)
    items = [RecordedItem(t, "s", "event") for t in (0.0, 9e10, 9e10 + 1)]
    for speed in (1.0, recording.MIN_SPEED):
        assert len([i async for i in play(items, speed=speed)]) == 3
    assert slept and max(slept) <= recording.MAX_PAUSE
    for speed in (float("nan"), float("inf"), -1.0, 1e-300):
        try:
            [i async for i in play(items, speed=speed)]
        except ValueError as exc:
            assert "speed" in str(exc)
        else:
            raise AssertionError(f"speed {speed} accepted")


def test_a_full_disk_fails_the_write_once_and_close_stays_quiet(tmp_path: Path):
    import errno
    import subprocess

    import pytest

    disk = tmp_path / "tiny"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a 64 KiB tmpfs here (needs root)")
    try:
        rec = Recorder(disk / "rec.jsonl", stream="s")
        with pytest.raises(OSError) as caught:
            for i in range(1000):
                rec.write_items([ev(i, data="x" * 4096)])
        assert caught.value.errno == errno.ENOSPC
        rec.close()  # the failed flush is not raised a second time (the app's notice path)
        assert rec.closed
    finally:
        subprocess.run(["umount", str(disk)], check=False)
