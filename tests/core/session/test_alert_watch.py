"""The session's alerts: loaded with the collection, checked per batch of new events, a burst
is one AlertFired, and the command runs with the event on stdin, one at a time per alert."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from streamdash.core.alerts import AlertRule
from streamdash.core.buffer import EventBuffer
from streamdash.core.collections import load_collection
from streamdash.core.session import AlertFired, Notice, Session
from streamdash.core.session.alert_watch import AlertWatch
from streamdash.core.sse import Event


def write_alerts(root: Path, text: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "alerts.toml").write_text(text)


def events(*datas: str) -> list[Event]:
    return [Event("log", data) for data in datas]


def entries(*datas: str) -> list:
    buffer = EventBuffer()
    buffer.extend("s", events(*datas))
    return list(buffer)


def test_a_burst_fires_once_with_its_matches_counted(tmp_path):
    write_alerts(tmp_path, '[[alert]]\nname = "errors"\nfilter = "level=error"\nquiet = 30\n')
    watch = AlertWatch(tmp_path)
    assert watch.offer([], 0.0) == []
    firings = watch.offer(entries('{"level": "info"}', '{"level": "error"}', '{"level": "error"}'), 1.0)
    assert [(f.rule.name, f.matches) for f in firings] == [("errors", 2)]
    assert watch.offer(entries('{"level": "error"}'), 2.0) == []  # the same burst
    assert watch.items[0].fired == 1


def test_a_disarmed_alert_does_not_fire(tmp_path):
    write_alerts(tmp_path, '[[alert]]\nname = "e"\nfilter = "level=error"\n')
    watch = AlertWatch(tmp_path)
    watch.items[0].armed = False
    assert watch.offer(entries('{"level": "error"}'), 1.0) == []


def test_the_session_offers_each_event_once_and_never_what_came_before_it(tmp_path):
    """One read of the buffer per tick: an event fires in the tick after it arrived, and never
    again; events retained before an alert existed are old news."""
    write_alerts(tmp_path, '[[alert]]\nname = "e"\nfilter = "level=error"\nquiet = 0\n')
    session = Session(load_collection(tmp_path))
    seen: list = []
    session.subscribe(seen.append)
    session.buffer.extend("logs", events('{"level": "error"}'))
    session.tick()
    session.tick()  # nothing new: no second firing
    assert len([e for e in seen if isinstance(e, AlertFired)]) == 1
    session.alerts.put(AlertRule("later", "level=error", quiet=0))
    session.tick()
    assert len([e for e in seen if isinstance(e, AlertFired)]) == 1  # the old error stays old


def test_edits_are_saved_and_a_bad_one_leaves_the_file(tmp_path):
    watch = AlertWatch(tmp_path)
    watch.put(AlertRule("slow", "latency_ms>500"))
    watch.put(AlertRule("slower", "latency_ms>900"), replace="slow")
    assert [item.rule.name for item in AlertWatch(tmp_path).items] == ["slower"]
    before = (tmp_path / "alerts.toml").read_text()
    try:
        watch.put(AlertRule("slower", "x>1"))  # the name is taken
    except Exception as exc:
        assert "already named" in str(exc)
    else:
        raise AssertionError("a duplicate name was saved")
    assert (tmp_path / "alerts.toml").read_text() == before
    watch.delete("slower")
    assert AlertWatch(tmp_path).items == []


def test_a_bad_alerts_file_is_a_load_problem(tmp_path):
    write_alerts(tmp_path, '[[alert]]\nname = "e"\nfilter = "level="\n')
    session = Session(load_collection(tmp_path))
    problems = session.load_problems()
    assert any("alerts.toml" in line and "filter" in line for line in problems), problems


async def test_a_firing_is_one_event_and_runs_the_command_with_the_event(tmp_path):
    out = tmp_path / "got.json"
    script = f"import sys; open({str(out)!r}, 'w').write(sys.stdin.read())"
    command = json.dumps([sys.executable, "-c", script])
    write_alerts(tmp_path, f'[[alert]]\nname = "e"\nfilter = "level=error"\ncommand = {command}\n')
    session = Session(load_collection(tmp_path))
    seen: list = []
    session.subscribe(seen.append)
    session.tick()
    session.buffer.extend("logs", events(*['{"level": "error", "msg": "boom"}'] * 3))
    session.tick()
    fired = [e for e in seen if isinstance(e, AlertFired)]
    assert len(fired) == 1 and fired[0].count == 3 and "boom" in fired[0].summary
    for _ in range(200):
        if out.exists() and out.read_text():
            break
        await asyncio.sleep(0.05)
    record = json.loads(out.read_text())
    assert record["stream"] == "logs" and "boom" in record["data"]
    await session.aclose()


async def test_a_failing_command_is_one_line_and_one_runs_at_a_time(tmp_path):
    script = (
        "import sys, time; sys.stdin.read(); time.sleep(0.5); print('no disk', file=sys.stderr); sys.exit(4)"
    )
    command = json.dumps([sys.executable, "-c", script])
    write_alerts(tmp_path, f'[[alert]]\nname = "e"\nfilter = "level=error"\nquiet = 0\ncommand = {command}\n')
    session = Session(load_collection(tmp_path))
    seen: list = []
    session.subscribe(seen.append)
    session.tick()
    for _ in range(3):  # quiet = 0: three bursts while the first command still runs
        session.buffer.extend("logs", events('{"level": "error"}'))
        session.tick()
    assert len([e for e in seen if isinstance(e, AlertFired)]) == 3
    assert len(session.alerts._running) == 1
    for _ in range(100):
        if any(isinstance(e, Notice) for e in seen):
            break
        await asyncio.sleep(0.05)
    notices = [e.text for e in seen if isinstance(e, Notice)]
    assert notices == ["alert e: command exited 4: no disk"]
    await session.aclose()


async def test_a_command_that_hangs_is_killed_after_the_timeout(tmp_path):
    from streamdash.core.alerts import Firing

    watch = AlertWatch(tmp_path)
    rule = AlertRule("e", "x=1", command=(sys.executable, "-c", "import time; time.sleep(30)"))
    lines: list[str] = []
    entry = (0, "s", "log", "{}", "", 0.0)
    assert watch.run_command(Firing(rule, entry, 1), lines.append, timeout=0.3)
    for _ in range(100):
        if lines:
            break
        await asyncio.sleep(0.05)
    assert lines == ["alert e: command timed out after 0.3 s (killed)"]
    await watch.aclose()
