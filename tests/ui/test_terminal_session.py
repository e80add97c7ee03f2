"""The installed `streamdash` command in a real terminal (tmux, TERM=xterm-256color), used as a
person uses it: arrow keys and Enter in the tree, F6 and the production question, rename and
delete of a running stream, the narrow layout across resizes under a dialog, a crash that
escapes, and `streamdash tail` on a saved stream. Every check reads the captured screen.

The streams come from the demo server, started here in the test process on a free port."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from streamdash.demo import DemoServer

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"
)

SCRIPT = Path(sys.executable).with_name("streamdash")
EXIT = re.compile(r"^SD_EXIT=(\d+)", re.M)  # the echo's output, not the typed command
# One log line: time, stream, type, id.
LOG_LINE = re.compile(r"\d\d:\d\d:\d\d\.\d\d\d (\S+)\s+(\S+)\s+(\S+) ")
WAIT = 10.0


# -- the terminal ------------------------------------------------------------------------------


def tmux(socket: str, *args: str) -> str:
    """tmux on a private server (`-L socket`, no config file): other tmux users on the machine
    neither see these sessions nor end them, and killing ours touches nothing of theirs."""
    command = ["tmux", "-L", socket, "-f", os.devnull, *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


class Terminal:
    """One tmux session running a plain bash, on its own tmux server."""

    def __init__(self, name: str) -> None:
        self.name = name

    def tmux(self, *args: str) -> str:
        return tmux(self.name, *args)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.name, "-l", text)

    def keys(self, *keys: str, pause: float = 0.15) -> None:
        """Named keys one at a time, as a person presses them."""
        for key in keys:
            self.tmux("send-keys", "-t", self.name, key)
            time.sleep(pause)

    def run(self, command: str) -> None:
        self.type(f"{command}; echo SD_EXIT=$?")
        self.tmux("send-keys", "-t", self.name, "Enter")

    def screen(self, *flags: str) -> str:
        return self.tmux("capture-pane", "-p", *flags, "-t", self.name)

    def wait(
        self,
        predicate: Callable[[str], object],
        what: str,
        timeout: float = WAIT,
        flags: tuple[str, ...] = (),
    ) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen(*flags)
            if predicate(text):
                return text
            time.sleep(0.2)
        size = self.tmux("display-message", "-p", "-t", self.name, "#{window_width}x#{window_height}").strip()
        raise AssertionError(f"{what}: not on the screen within {timeout:g} s; last screen ({size}):\n{text}")

    def resize(self, width: int, height: int) -> None:
        self.tmux("resize-window", "-t", self.name, "-x", str(width), "-y", str(height))

    def exit_code(self, runs: int = 1, timeout: float = WAIT) -> tuple[int, str]:
        """The exit code of the `runs`-th command run here (read from the whole history, wrapped
        lines joined), and that history."""
        text = self.wait(
            lambda t: len(EXIT.findall(t)) >= runs, "the command's exit", timeout, flags=("-J", "-S", "-")
        )
        return int(EXIT.findall(text)[runs - 1]), text

    def quit_app(self) -> None:
        self.keys("C-q")
        code, text = self.exit_code()
        assert code == 0, text
        assert "Traceback" not in text


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Callable[..., Terminal]]:
    """Opens tmux sessions (width, height, extra environment); all are closed at the end."""
    assert SCRIPT.exists(), f"the streamdash console script is not installed at {SCRIPT}"
    opened: list[Terminal] = []

    def open_terminal(width: int = 160, height: int = 48, **extra: str) -> Terminal:
        name = f"sdsess-{uuid.uuid4().hex[:8]}"
        env = {
            "TERM": "xterm-256color",
            "STREAMDASH_CONFIG_DIR": str(tmp_path / "config"),
            "STREAMDASH_DATA_DIR": str(tmp_path / "data"),
            "STREAMDASH_STATE_DIR": str(tmp_path / "state"),
            **extra,
        }
        # No COLUMNS/LINES: pytest imports readline, which exports them (80x24) into the C
        # environment that tmux inherits; Textual reads them before the terminal's real size,
        # and a resize would then never reach the app.
        tmux(name, "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height),
             *[arg for key, value in env.items() for arg in ("-e", f"{key}={value}")],
             "env", "-u", "COLUMNS", "-u", "LINES", "-u", "SD_UNSET_TOKEN",
             "bash", "--norc", "--noprofile")
        term = Terminal(name)
        opened.append(term)
        return term

    try:
        yield open_terminal
    finally:
        for term in opened:
            close(term)


def running_commands(term: Terminal) -> list[int]:
    """The processes the terminal's shell is running (the app, while it runs)."""
    shell = term.tmux("display-message", "-p", "-t", term.name, "#{pane_pid}").strip()
    found = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout
    return [int(pid) for pid in found.split()]


def close(term: Terminal) -> None:
    """Quit what still runs (a failed test leaves the app open), then end the tmux server.
    Ending the terminal under a running app is not relied on: the app can outlive its
    terminal's hangup (the SIGCONT that comes with the SIGHUP restarts Textual's application
    mode on the dead terminal, and the exit then blocks on its full output queue), so what is
    left of ours is killed by its pid."""
    left: list[int] = []
    socket = ""
    try:
        socket = term.tmux("display-message", "-p", "#{socket_path}").strip()
        left = running_commands(term)
        if left:
            term.keys("C-q")
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and running_commands(term):
                time.sleep(0.1)
            left = running_commands(term)
    except (subprocess.CalledProcessError, OSError):
        pass
    subprocess.run(["tmux", "-L", term.name, "kill-server"], capture_output=True)
    if socket:
        Path(socket).unlink(missing_ok=True)
    for pid in left:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.1)
        if Path(f"/proc/{pid}").exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# -- the server and the collection --------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    server = DemoServer(seed=11, time_scale=0.05).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def collection(tmp_path: Path, demo: DemoServer) -> Path:
    """api/Health, streams/logs and streams/ticker (a few events a second each, so a note in the
    log stays on screen), a stream needing an unset secret, and two environments."""
    root = tmp_path / "coll"
    for folder in ("api", "streams", "env"):
        (root / folder).mkdir(parents=True)
    (root / "collection.toml").write_text(
        f'name = "terminal session"\n[variables]\nbase_url = "{demo.url}"\ntier = "default"\n'
    )
    (root / "api" / "health.toml").write_text('name = "Health"\nurl = "{{base_url}}/api/health"\n')
    for name, interval in (("logs", 0.25), ("ticker", 0.2)):
        (root / "streams" / f"{name}.toml").write_text(
            f'name = "{name}"\nkind = "sse"\nurl = "{{{{base_url}}}}/streams/{name}?interval={interval}"\n'
            '[headers]\nX-Tier = "{{tier}}"\n'
        )
    (root / "streams" / "secret.toml").write_text(
        'name = "secret"\nkind = "sse"\nurl = "{{base_url}}/streams/ticker"\n'
        '[headers]\nAuthorization = "Bearer {{env:SD_UNSET_TOKEN}}"\n'
    )
    (root / "env" / "staging.toml").write_text('[variables]\ntier = "staging"\n')
    (root / "env" / "prod.toml").write_text('production = true\n[variables]\ntier = "prod"\n')
    return root


# -- reading the screen -------------------------------------------------------------------------


def log_lines(text: str) -> list[tuple[str, str, str]]:
    return [(m.group(1), m.group(2), m.group(3)) for m in LOG_LINE.finditer(text)]


def ids_of(text: str, stream: str) -> list[int]:
    return [int(i) for s, _, i in log_lines(text) if s == stream and i.isdigit()]


def newest_id(text: str, stream: str) -> int:
    return max(ids_of(text, stream), default=-1)


def header(text: str) -> str:
    return text.splitlines()[0]


def stats_rows(text: str) -> list[str]:
    """The stats pane's first cell of each row (the stream's name, or a heading)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "\u2500 Stats \u2500" in line), None)
    if start is None:
        return []
    cells = []
    for line in lines[start + 1:]:
        if line.startswith("\u2570"):
            break
        inner = line.strip("\u2502 ")
        if inner:
            cells.append(inner.split()[0])
    return cells


ALL_PANES = {"Requests", "Events", "Response", "Stats"}


def pane_titles(text: str) -> set[str]:
    """The panes on the screen, by the titles on their borders."""
    return {name for name in ALL_PANES if f"\u2500 {name} \u2500" in text}


def keeps_arriving(term: Terminal, stream: str, after: int) -> str:
    """Wait for an event of `stream` newer than id `after`."""
    return term.wait(lambda t: newest_id(t, stream) > after, f"a {stream} event after id {after}")


def start_dashboard(term: Terminal, collection: Path, shown: Callable[[str], bool] | None = None) -> str:
    term.run(f"{SCRIPT} --collection {collection}")
    shown = shown or (lambda t: "SSE  ticker" in t)
    text = term.wait(lambda t: "terminal session" in header(t) and shown(t), "the dashboard")
    # A person looks before pressing a key. Keys sent within ~0.1 s of the tree first showing
    # are undone: the tree puts its cursor back on the first request after they moved it.
    time.sleep(0.5)
    return text


def start_stream(term: Terminal, downs: int, name: str) -> str:
    """Move down the tree `downs` lines from where the cursor is, press Enter, see events."""
    term.keys(*["Down"] * downs)
    term.keys("Enter")
    return term.wait(
        lambda t: f"\u25cf SSE  {name}" in t and len(ids_of(t, name)) >= 2, f"{name} running with events"
    )


def selected_request(term: Terminal) -> str:
    """Which request the tree's cursor is on, as the rename dialog names it (Esc closes it)."""
    term.keys("r")
    text = term.wait(lambda t: re.search(r"Rename '([^']*)' to:", t), "the rename dialog")
    term.keys("Escape")
    term.wait(lambda t: "Rename '" not in t, "the rename dialog closed")
    match = re.search(r"Rename '([^']*)' to:", text)
    assert match is not None
    return match.group(1)


# -- the tests ----------------------------------------------------------------------------------


def test_environment_switch_and_the_production_question(terminal, collection):
    term = terminal(160, 48)
    text = start_dashboard(term, collection)
    assert "no environment" in header(text)
    # The cursor starts on the first request (api/Health); below it: streams, logs, secret, ticker.
    text = start_stream(term, 4, "ticker")
    assert pane_titles(text) == ALL_PANES
    assert {s for s, _, _ in log_lines(text)} == {"ticker"}

    # F6, staging: the header says so and the log says what was restarted.
    term.keys("F6")
    term.wait(lambda t: "Environment (Enter: use it" in t and "staging" in t, "the environment picker")
    term.keys("Down", "Down", "Enter")  # no environment, prod, staging
    text = term.wait(
        lambda t: "env: staging" in header(t) and "environment staging: restarted ticker (resuming)" in t,
        "staging in the header and the restart note in the log",
    )
    assert "PRODUCTION" not in header(text)
    text = term.wait(lambda t: "[staging]: open" in t, "the state line naming staging")
    before = newest_id(text, "ticker")
    keeps_arriving(term, "ticker", before)

    # F6, prod, Enter: the careful question says no on Enter.
    term.keys("F6")
    term.wait(lambda t: "Environment (Enter: use it" in t, "the environment picker")
    term.keys("Up", "Enter")  # from staging (the current one) up to prod
    text = term.wait(lambda t: "Use the PRODUCTION environment 'prod'?" in t, "the production question")
    assert "y: yes   n / Enter / Esc: no" in text
    term.keys("Enter")
    # No keeps staging and closes the question and the list: nothing half-chosen stays up.
    text = term.wait(
        lambda t: "Use the PRODUCTION" not in t and "Environment (Enter: use it" not in t,
        "the question and the list closed",
    )
    assert "env: staging" in header(text) and "PRODUCTION" not in header(text)
    text = keeps_arriving(term, "ticker", newest_id(text, "ticker"))  # a while later: still staging
    assert "env: staging" in header(text) and "PRODUCTION" not in header(text)
    assert "environment prod" not in text and "[staging]: open" in text

    # F6, prod, y: production, and the stream follows.
    term.keys("F6")
    term.wait(lambda t: "Environment (Enter: use it" in t, "the environment picker")
    term.keys("Up", "Enter")
    term.wait(lambda t: "Use the PRODUCTION environment 'prod'?" in t, "the production question")
    term.keys("y")
    text = term.wait(
        lambda t: "env: prod (PRODUCTION)" in header(t)
        and "environment prod: restarted ticker (resuming)" in t,
        "PRODUCTION in the header and the restart note",
    )
    assert "Use the PRODUCTION" not in text and "Environment (Enter" not in text
    text = term.wait(lambda t: "[prod]: open" in t, "the state line naming prod")
    keeps_arriving(term, "ticker", newest_id(text, "ticker"))
    term.quit_app()


def test_rename_a_running_stream(terminal, collection):
    term = terminal(160, 48)
    start_dashboard(term, collection)
    text = start_stream(term, 4, "ticker")
    term.wait(lambda t: "ticker" in stats_rows(t), "ticker's row in the stats")

    term.keys("r")
    text = term.wait(lambda t: "Rename 'ticker' to:" in t, "the rename dialog")
    term.keys("C-u")  # the field holds the old name
    term.type("prices")
    term.keys("Enter")
    text = term.wait(
        lambda t: "\u25cf SSE  prices" in t and "prices" in stats_rows(t) and "prices @127.0.0.1" in t,
        "prices in the tree, the stats and the state line",
    )
    text = term.wait(lambda t: "ticker" not in stats_rows(t), "no ticker row left in the stats")
    assert "SSE  ticker" not in text
    assert "ticker @" not in text  # the state line under the log
    assert stats_rows(text).count("prices") == 2  # the counters row and the measures row
    # The log follows: old lines are relabelled, new ones arrive under the new name.
    text = keeps_arriving(term, "prices", newest_id(text, "prices"))
    assert "ticker" not in {s for s, _, _ in log_lines(text)}
    text = keeps_arriving(term, "prices", newest_id(text, "prices"))
    assert re.search(r"prices @127\.0\.0\.1:\d+: open", text)
    assert (collection / "streams" / "prices.toml").exists()
    assert not (collection / "streams" / "ticker.toml").exists()
    term.quit_app()


def test_delete_a_running_stream(terminal, collection):
    term = terminal(160, 48)
    start_dashboard(term, collection)
    start_stream(term, 2, "logs")  # Health -> streams -> logs
    text = start_stream(term, 2, "ticker")  # logs -> secret -> ticker
    text = term.wait(lambda t: {"logs", "ticker"} <= set(stats_rows(t)), "both streams in the stats")

    term.keys("Up", "Up")  # back to logs, between the group and ticker
    term.keys("Delete")
    text = term.wait(lambda t: "Delete 'logs'" in t, "the delete question")
    term.keys("y")
    text = term.wait(
        lambda t: "logs" not in stats_rows(t) and "SSE  logs" not in t and "Delete 'logs'" not in t,
        "logs gone from the stats and the tree",
    )
    assert "ticker" in stats_rows(text)
    assert "logs @" not in text  # nor in the state line
    assert not (collection / "streams" / "logs.toml").exists()
    # The app keeps running, and ticker with it.
    text = keeps_arriving(term, "ticker", newest_id(text, "ticker"))
    # The cursor is on a neighbour (the request after it), not the top of the tree (Health).
    assert selected_request(term) == "secret"
    text = keeps_arriving(term, "ticker", newest_id(term.screen(), "ticker"))
    term.quit_app()


def test_narrow_terminal_panes_and_resizes_under_dialogs(terminal, collection):
    term = terminal(80, 24)
    text = start_dashboard(term, collection, lambda t: pane_titles(t) == {"Events"})  # the log, alone
    assert all(len(line) <= 80 for line in text.splitlines())

    term.keys("F2")
    text = term.wait(lambda t: pane_titles(t) == {"Requests"}, "the requests pane alone")
    term.keys("Down", "Down", "Down", "Down", "Enter")
    term.wait(lambda t: "\u25cf SSE  ticker" in t, "ticker running in the tree")
    term.keys("F3")
    text = term.wait(
        lambda t: pane_titles(t) == {"Events"} and len(ids_of(t, "ticker")) >= 3, "ticker events"
    )
    term.keys("F5")
    text = term.wait(lambda t: pane_titles(t) == {"Stats"} and "ticker" in stats_rows(t), "the stats pane")

    # The editor open while the terminal grows to 160x48 and shrinks back.
    term.keys("F2")
    term.wait(lambda t: pane_titles(t) == {"Requests"}, "the requests pane")
    term.keys("e")
    term.wait(lambda t: "Edit request" in t, "the editor")
    term.resize(160, 48)
    text = term.wait(
        lambda t: "Edit request" in t and len(t.splitlines()) >= 40 and "\u2500 Stats \u2500" in t,
        "the editor over the wide layout",
    )
    term.resize(80, 24)
    text = term.wait(lambda t: "Edit request" in t and len(t.splitlines()) <= 24, "the editor at 80x24")
    assert all(len(line) <= 80 for line in text.splitlines())
    term.keys("Escape")
    text = term.wait(lambda t: "Edit request" not in t and pane_titles(t) == {"Requests"}, "one pane again")
    assert "\u25cf SSE  ticker" in text
    term.keys("F3")
    text = term.wait(lambda t: pane_titles(t) == {"Events"}, "the events pane")
    text = keeps_arriving(term, "ticker", newest_id(text, "ticker"))
    assert all(len(line) <= 80 for line in text.splitlines())

    # The palette open while it grows; closed wide: the wide layout; shrunk: one pane again.
    term.keys("C-p")
    term.wait(lambda t: "Search for commands" in t, "the command palette")
    term.resize(160, 48)
    term.wait(lambda t: "Search for commands" in t and len(t.splitlines()) >= 40, "the palette at 160x48")
    term.keys("Escape")
    text = term.wait(
        lambda t: "Search for commands" not in t and pane_titles(t) == ALL_PANES,
        "the wide layout at 160x48",
    )
    text = keeps_arriving(term, "ticker", newest_id(text, "ticker"))
    term.resize(80, 24)
    text = term.wait(
        lambda t: len(t.splitlines()) <= 24 and pane_titles(t) == {"Events"}, "one pane at 80x24"
    )
    assert all(len(line) <= 80 for line in text.splitlines())
    keeps_arriving(term, "ticker", newest_id(text, "ticker"))
    term.keys("F5")
    term.wait(lambda t: pane_titles(t) == {"Stats"} and "ticker" in stats_rows(t), "the stats pane")
    term.quit_app()


CRASHING_APP = '''\
import os
import sys

from streamdash.cli import main
from streamdash.ui.app import StreamdashApp


def compose(self):
    api_token = "sk-live-LOCALSECRET-0123456789"  # a local, as Textual's report would print it
    environment = dict(os.environ)  # and the process environment, with the canary
    raise RuntimeError("compose failed on purpose")
    yield


StreamdashApp.compose = compose
raise SystemExit(main(["--collection", sys.argv[1]]))
'''


def test_a_crash_that_escapes_is_short_and_shows_no_secrets(terminal, collection, tmp_path):
    script = tmp_path / "crashing_app.py"
    script.write_text(CRASHING_APP)
    term = terminal(160, 48, SD_SECRET_CANARY="canary-ENVSECRET-4242")
    term.run(f"{sys.executable} {script} {collection}")
    code, text = term.exit_code(timeout=15)
    assert code == 1, text
    assert "RuntimeError: compose failed on purpose" in text
    assert "sk-live-LOCALSECRET" not in text
    assert "canary-ENVSECRET" not in text and "SD_SECRET_CANARY" not in text
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "streamdash crashed" in line)
    end = next(i for i, line in enumerate(lines) if EXIT.match(line))
    report = lines[start:end]
    assert "Traceback (most recent call last):" in report[1]
    assert len(report) < 40, "\n".join(report)
    assert "Requests" not in text  # no dashboard left on the screen


def test_tail_a_saved_stream_in_a_terminal(terminal, collection):
    term = terminal(160, 48)
    term.run(f"echo SD_BEGIN_1; {SCRIPT} tail --collection {collection} ticker --count 3")
    code, text = term.exit_code()
    assert code == 0, text
    output = text.split("\nSD_BEGIN_1\n", 1)[1]
    events = re.findall(r"^\d\d:\d\d:\d\d\.\d\d\d price\s+(\d+) \{", output, re.M)
    assert events == ["1", "2", "3"], output
    assert "Traceback" not in output

    # A secret from the environment that is not set: one line naming it, exit 2.
    term.run(f"echo SD_BEGIN_2; env -u SD_UNSET_TOKEN {SCRIPT} tail --collection {collection} secret")
    code, text = term.exit_code(runs=2)
    assert code == 2, text
    output = text.split("\nSD_BEGIN_2\n", 1)[1]
    said = [line for line in output[: EXIT.search(output).start()].splitlines() if line.strip()]
    assert len(said) == 1, output
    assert "SD_UNSET_TOKEN" in said[0] and "secret.toml" in said[0], said[0]
    assert "Traceback" not in output
