"""`streamdash replay FILE`: a recording back on stdout, connection changes and damage on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from streamdash.cli import main as cli_main
from streamdash.core.recording import Recorder
from streamdash.core.sse import Event, StateChange, StreamState


def main(argv: list[str]) -> int:
    return cli_main(["replay", *argv])


def record(path: Path, n: int = 5, gap: float = 0.02, t0: float = 1_700_000_000.0) -> None:
    with Recorder(path, stream="prices") as rec:
        rec.write_items([StateChange(StreamState.OPEN, status=200, at=t0 - 0.01)])
        for i in range(n):
            rec.write_items([Event("update", f'{{"seq": {i}}}', str(i), received_at=t0 + i * gap)])
            if i == 1:
                rec.write_items(
                    [
                        StateChange(StreamState.BACKOFF, "connection lost", 1.0, "1", at=t0 + i * gap),
                        StateChange(StreamState.CONNECTING, at=t0 + i * gap),
                        StateChange(StreamState.OPEN, status=200, at=t0 + i * gap),
                    ]
                )
        rec.write_items([StateChange(StreamState.FAILED, "HTTP 404", at=t0 + n * gap)])


def test_jsonl_output_and_states_on_stderr(tmp_path: Path, capsys):
    path = tmp_path / "rec.jsonl"
    record(path)
    assert main([str(path), "--instant", "--format", "jsonl"]) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["0", "1", "2", "3", "4"]
    assert rows[0] == {
        "event": "update",
        "data": '{"seq": 0}',
        "id": "0",
        "received_at": "2023-11-14T22:13:20.000000Z",
        "stream": "prices",
    }
    datetime.fromisoformat(rows[1]["received_at"].replace("Z", "+00:00"))
    assert err.splitlines() == [
        "streamdash: prices: connected (HTTP 200)",
        "streamdash: prices: connection lost; reconnecting in 1.0 s from id 1",
        "streamdash: prices: connected (HTTP 200)",
        "streamdash: prices: failed: HTTP 404",
    ]


def test_text_output_is_tails_with_the_stream_named(tmp_path: Path, capsys):
    path = tmp_path / "rec.jsonl"
    record(path, n=2)
    assert main([str(path), "--instant", "-q"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 2
    # tail's line with the stream's name after the time: a recording may hold several streams
    assert lines[0].split()[1:] == ["prices", "update", "0", '{"seq":', "0}"]
    assert err == ""


def test_damaged_lines_reported_and_rest_plays(tmp_path: Path, capsys):
    path = tmp_path / "rec.jsonl"
    record(path, n=3)
    text = path.read_text().splitlines()
    text.insert(2, "garbage{")  # becomes line 3
    path.write_text("\n".join(text) + '\n{"t": 1, "stream"')
    assert main([str(path), "--instant", "--format", "jsonl", "-q"]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 3
    damaged = [line for line in err.splitlines() if "damaged" in line]
    assert len(damaged) == 2
    assert damaged[0].startswith(f"streamdash replay: {path}:3: damaged line skipped")
    assert damaged[1].startswith(f"streamdash replay: {path}:{len(text) + 1}: damaged line skipped")


def test_nothing_readable_exits_1(tmp_path: Path, capsys):
    path = tmp_path / "junk.txt"
    path.write_text("hello\nworld\n")
    assert main([str(path), "--instant"]) == 1
    assert "damaged line skipped" in capsys.readouterr().err


def test_missing_file_one_line_exit_1(tmp_path: Path, capsys):
    assert main([str(tmp_path / "nope.jsonl")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read" in err and "nope.jsonl" in err


def test_directory_exits_1(tmp_path: Path, capsys):
    assert main([str(tmp_path)]) == 1
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [[], ["f", "--speed", "0"], ["f", "--speed", "x"], ["f", "--speed", "2", "--instant"],
     ["f", "--format", "xml"]],
)
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_instant_is_much_faster_than_paced(tmp_path: Path, capsys):
    path = tmp_path / "rec.jsonl"
    record(path, n=11, gap=0.1)  # 1 s recorded
    start = time.monotonic()
    assert main([str(path), "--speed", "5", "-q"]) == 0
    paced = time.monotonic() - start
    start = time.monotonic()
    assert main([str(path), "--instant", "-q"]) == 0
    instant = time.monotonic() - start
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 22
    assert paced >= 0.15  # 1 s / 5, with slack for timers
    assert instant < paced / 3


def test_speed_100_is_close_to_instant(tmp_path: Path, capsys):
    path = tmp_path / "rec.jsonl"
    record(path, n=11, gap=0.1)
    start = time.monotonic()
    assert main([str(path), "--speed", "100", "-q"]) == 0
    assert time.monotonic() - start < 0.5  # 1 s / 100 plus overhead, not a second


def test_subprocess_end_to_end(tmp_path: Path):
    path = tmp_path / "rec.jsonl"
    record(path, n=3)
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from streamdash.cli import main; "
         "sys.exit(main(['replay', *sys.argv[1:]]))", str(path), "--instant", "--format", "jsonl"],
        capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == ["0", "1", "2"]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("speed", ["1e-300", "1e300", "nan", "-1", "inf"])
def test_an_absurd_speed_is_a_usage_error(speed, tmp_path: Path, capsys):
    path = tmp_path / "rec.jsonl"
    record(path, n=2)
    with pytest.raises(SystemExit) as exc:
        main([str(path), "--speed", speed])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--speed" in err and "Traceback" not in err


REPLAY = "import sys; from streamdash.cli import main; sys.exit(main(['replay', *sys.argv[1:]]))"


@pytest.mark.parametrize("content", [b"", b"\n\n", None], ids=["zero-bytes", "blank", "header-only"])
def test_an_empty_recording_is_exit_1_one_line_piped_and_on_a_terminal(tmp_path: Path, content):
    import os
    import pty
    import select

    path = tmp_path / "empty.jsonl"
    if content is None:
        Recorder(path, stream="s").close()
    else:
        path.write_bytes(content)
    expected = f"streamdash replay: {path}: empty: nothing to replay"
    piped = subprocess.run([sys.executable, "-c", REPLAY, str(path)], capture_output=True, text=True,
                           timeout=30)
    assert (piped.returncode, piped.stdout, piped.stderr.splitlines()) == (1, "", [expected])

    pid, fd = pty.fork()  # stdout a terminal: the dashboard would open, were there anything
    if pid == 0:
        os.execv(sys.executable, [sys.executable, "-c", REPLAY, str(path)])
    seen = b""
    deadline = time.monotonic() + 30
    while (left := deadline - time.monotonic()) > 0:
        if not select.select([fd], [], [], left)[0]:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 1
    assert seen.decode().splitlines() == [expected]


def test_the_speed_bounds_are_the_cores():
    from streamdash.commands import replay
    from streamdash.core import recording

    assert (replay.MIN_SPEED, replay.MAX_SPEED) == (recording.MIN_SPEED, recording.MAX_SPEED)
