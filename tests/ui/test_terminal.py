"""The installed `streamdash demo` in a real terminal (tmux): events arrive, a filter applies,
and quitting restores the terminal."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("streamdash")
EXIT = re.compile(r"^STREAMDASH_EXIT=(\d+)", re.M)  # the echo's output, not the typed command
LOG_LINE = re.compile(r"\d\d:\d\d:\d\d\.\d\d\d (\S+)\s+(\S+)")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def screen(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_screen(session: str, predicate, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = screen(session)
        if predicate(text):
            return text
        time.sleep(0.25)
    raise AssertionError(f"screen never matched; last screen:\n{text}")


@pytest.fixture
def session(tmp_path):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the terminal test (.ci/run installs it)")
    assert SCRIPT.exists(), "the streamdash console script is not installed"
    name = f"sd-{uuid.uuid4().hex[:8]}"
    env = {"TERM": "xterm-256color", "STREAMDASH_CONFIG_DIR": str(tmp_path / "config"),
           "STREAMDASH_DATA_DIR": str(tmp_path / "data"), "STREAMDASH_STATE_DIR": str(tmp_path / "state")}
    tmux("new-session", "-d", "-s", name, "-x", "160", "-y", "48",
         *[arg for key, value in env.items() for arg in ("-e", f"{key}={value}")], "bash", "--norc", "--noprofile")
    try:
        yield name
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def log_types(text: str) -> list[str]:
    return [m.group(2) for m in LOG_LINE.finditer(text)]


def test_demo_in_a_real_terminal(session):
    tmux("send-keys", "-t", session, f"{SCRIPT} demo; echo STREAMDASH_EXIT=$?", "Enter")
    text = wait_screen(session, lambda t: "price" in log_types(t) and "info" in log_types(t))
    assert "Requests" in text and "Events" in text and "Stats" in text
    assert "\x1b" not in text  # capture-pane shows text, not escape garbage

    tmux("send-keys", "-t", session, "/")
    time.sleep(0.5)  # a person types after the filter has focus; keys sent at once could race it
    tmux("send-keys", "-t", session, "-l", "type:price")
    tmux("send-keys", "-t", session, "Enter")
    text = wait_screen(
        session,
        lambda t: len(log_types(t)) > 3 and set(log_types(t)) == {"price"} and "match" in t,
    )

    tmux("send-keys", "-t", session, "C-q")
    text = wait_screen(session, lambda t: EXIT.search(t) is not None, timeout=15)
    assert EXIT.search(text).group(1) == "0"
    assert "Traceback" not in text
    assert "Requests" not in text  # the alternate screen is gone: the terminal is restored


def test_first_run_creates_and_opens_the_default_collection(session, tmp_path):
    tmux("send-keys", "-t", session, f"{SCRIPT}; echo STREAMDASH_EXIT=$?", "Enter")
    text = wait_screen(session, lambda t: "My collection" in t and "Requests" in t)
    created = sorted(p.name for p in (tmp_path / "data").rglob("*.toml"))
    assert "collection.toml" in created and len(created) >= 3  # the example's requests
    tmux("send-keys", "-t", session, "C-q")
    text = wait_screen(session, lambda t: EXIT.search(t) is not None, timeout=15)
    assert EXIT.search(text).group(1) == "0"


def test_16_colour_terminal_at_80x24_and_a_killed_terminal(tmp_path):
    """Readable in a 16-colour terminal; when the terminal dies (an SSH drop) the process exits
    cleanly, without a traceback."""
    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for the terminal test (.ci/run installs it)")
    name = f"sd16-{uuid.uuid4().hex[:8]}"
    code = tmp_path / "exit-code"
    env = {"TERM": "xterm-16color", "STREAMDASH_DATA_DIR": str(tmp_path / "data"),
           "STREAMDASH_CONFIG_DIR": str(tmp_path / "config"), "STREAMDASH_STATE_DIR": str(tmp_path / "state")}
    # As a login shell does when its terminal hangs up: pass SIGHUP on to the job, then record
    # how it ended (Textual draws on stderr, so the exit status is what can be checked).
    script = tmp_path / "session.sh"
    script.write_text(
        "trap 'kill -HUP $child' HUP\n"
        f"{SCRIPT} demo </dev/tty &\n"
        "child=$!\n"
        "wait $child\n"
        f"wait $child; echo $? > {code}\n"
    )
    tmux("new-session", "-d", "-s", name, "-x", "80", "-y", "24",
         *[arg for key, value in env.items() for arg in ("-e", f"{key}={value}")], f"sh {script}")
    try:
        text = wait_screen(name, lambda t: len(log_types(t)) > 3)
        assert "Events" in text and "\x1b" not in text
        assert all(len(line) <= 80 for line in text.splitlines())
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not code.exists():
        time.sleep(0.2)
    assert code.exists(), "streamdash kept running after its terminal died"
    time.sleep(0.2)
    assert code.read_text().strip() == "0"  # a clean exit, not a crash or a kill


def test_replay_opens_the_dashboard_in_a_real_terminal(session, tmp_path):
    from tests.ui.test_app_evidence import write_recording

    recording = tmp_path / "incident.jsonl"
    write_recording(recording)  # a 2020 incident: events, a drop, a resume, one damaged line
    tmux("send-keys", "-t", session, f"{SCRIPT} replay {recording} --speed 1000; echo STREAMDASH_EXIT=$?", "Enter")
    text = wait_screen(session, lambda t: "finished" in t and len(log_types(t)) == 6)
    assert "recording incident.jsonl" in text
    assert "damaged line skipped" in text and "line 10" in text
    assert set(log_types(text)) == {"price"}
    assert "prices" in text and "3 (1)" in text  # the stats panel: ids 6-8 missing
    assert "\x1b" not in text
    tmux("send-keys", "-t", session, "C-q")
    text = wait_screen(session, lambda t: EXIT.search(t) is not None, timeout=15)
    assert EXIT.search(text).group(1) == "0"
    assert "Traceback" not in text


def test_replay_of_a_file_that_is_no_recording_says_so_in_one_line(session, tmp_path):
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)) * 100)
    tmux("send-keys", "-t", session, f"{SCRIPT} replay {blob}; echo STREAMDASH_EXIT=$?", "Enter")
    text = wait_screen(session, lambda t: EXIT.search(t) is not None, timeout=15)
    assert EXIT.search(text).group(1) == "1"
    assert f"streamdash replay: {blob}: not a streamdash recording (line 1: " in text.replace("\n", "")
    assert "Traceback" not in text and "Requests" not in text  # no dashboard opened
