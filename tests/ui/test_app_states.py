"""Every key binding and every palette command, in every state the dashboard is met in.

One app per state. Before each key the state is put back (the request selected again, the
stream started again, the dialog opened again, the collection's files as they were, focus where
it was); after it every dialog the key opened is closed with Escape, and then: the app still
runs, no error was caught (`app.caught_errors`), the state's own screen is on top again, and
focus is on that screen (a widget focused under a dialog takes the keys meant for the dialog).

The keys: everything `app.active_bindings` lists with focus on each pane (the focused widget,
its ancestors, the screen, the app), plus the BINDINGS of the requests tree, the event log, the
response view and the open dialog. The commands: everything the palette offers
(`app.get_system_commands`), Textual's own included, each run as the palette runs it.

Only what leaves the app by design is skipped: quit (ctrl+q, the "Quit" command) and suspend
(ctrl+z, which needs a real terminal).
"""

from __future__ import annotations

import asyncio
import shutil
import time
import traceback
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from textual import events
from textual.binding import Binding
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, TextArea

import streamdash.demo
from streamdash.core.collections import Collection, load_collection
from streamdash.core.playback import RecordingPlayer
from streamdash.core.recording import Recorder, read_recording
from streamdash.core.session.live import request_id
from streamdash.core.sse import Event, StateChange, StreamState
from streamdash.demo import DemoServer
from streamdash.ui.app import StreamdashApp
from streamdash.ui.launch import build_app
from streamdash.ui.screens.dialogs import ConfirmScreen
from streamdash.ui.screens.request_editor import RequestEditorScreen
from streamdash.ui.widgets.event_log import EventLog
from streamdash.ui.widgets.requests_tree import RequestsTree
from streamdash.ui.widgets.response_view import ResponseView

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

DEMO_COLLECTION = Path(streamdash.demo.__file__).parent / "collection"
SKIPPED_ACTIONS = {"quit", "app.quit", "suspend_process", "app.suspend_process"}
SKIPPED_COMMANDS = {"Quit"}
UNSET = "SD_STATE_UNSET"
WIDE, NARROW = (160, 48), (80, 24)
MAX_ESCAPES = 6

# Where focus goes for each target: a selector, and the pane that shows it in a narrow layout.
TARGETS = {
    "tree": ("#requests", "requests"),
    "log": ("#log", "events"),
    "filter": ("#filter-input", "events"),
    "response": ("#response-body", "response"),
    "stats": ("#stats-streams", "stats"),
}
# The panes' own bindings: pressed also where the focus chain would not list them (a replay
# hides the response pane; a dialog covers everything).
WIDGET_BINDINGS: dict[str, type[Widget]] = {"tree": RequestsTree, "log": EventLog, "response": ResponseView}


# -- pressing keys quickly ----------------------------------------------------------------------
# `pilot.press` waits for the process to go idle twice per key: at least 40 ms, and up to a second
# while streams keep the process (and the demo server's thread in it) busy. These post the same
# key event `pilot.press` posts, then wait until the app and the screen have processed what is
# queued.


def key_event(key: str) -> events.Key:
    """The event `pilot.press(key)` sends (Textual's App._press_keys)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def settle(pilot, rounds: int = 2) -> None:
    """Let the app and the screen process what is queued (a key, then what its action posted)."""
    for _ in range(rounds):
        await asyncio.sleep(0)
        await pilot._wait_for_screen()


async def press(pilot, *keys: str, rounds: int = 2) -> None:
    app = pilot.app
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        app.post_message(event)
        await settle(pilot, rounds)


async def wait_for(pilot, condition: Callable[[], object], timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in time: {what}")
        await pilot.pause(0.05)


def keys_of(bindings: Iterable[Binding | tuple]) -> list[str]:
    keys = []
    for binding in bindings:
        if not isinstance(binding, Binding):
            binding = Binding(*binding)
        if binding.action not in SKIPPED_ACTIONS:
            keys += [key.strip() for key in binding.key.split(",")]
    return keys


def describe(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)).rstrip()


def snapshot_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# -- one state, driven ----------------------------------------------------------------------------


@dataclass
class Failure:
    state: str
    focus: str
    what: str  # "key 'x'" or "command 'Title'"
    problem: str
    before: list[str]  # what was tried just before (an error may surface a key late)

    def __str__(self) -> str:
        return f"[{self.state} / focus {self.focus}] {self.what} (after {self.before}):\n{self.problem}"


@dataclass
class StateDriver:
    """One app in one state: put the state back, try one key or command, check."""

    name: str
    app: StreamdashApp
    pilot: object
    size: tuple[int, int] = WIDE
    select: str | None = None  # the request the state has selected
    stream: str | None = None  # the stream the state keeps running
    dialog: type[Screen] | None = None  # a dialog the state has open...
    open_key: str = ""  # ...with this key on the requests tree
    root: Path | None = None  # the collection folder, put back as it was after each key
    targets: tuple[str, ...] = ("tree", "log", "response", "stats")
    failures: list[Failure] = field(default_factory=list)
    tried: int = 0

    def __post_init__(self) -> None:
        self.files = snapshot_files(self.root) if self.root is not None else None
        self.env_name = self.app.session.env_name
        self.theme = self.app.theme
        self.seen_errors = 0
        self.recent: deque[str] = deque(maxlen=4)
        self.dialog_screen: Screen | None = None
        self.dialog_focus: Widget | None = None

    @property
    def narrow(self) -> bool:
        return self.size[0] < 110

    def home(self) -> bool:
        """The state's own screen is on top: the dashboard, or the state's dialog on it."""
        app = self.app
        return len(app.screen_stack) == 1 or (self.dialog_screen is not None and app.screen is self.dialog_screen)

    # -- putting the state back ---------------------------------------------------------------

    async def close_dialogs(self, home: Callable[[], bool] | None = None) -> bool:
        """Escape until `home` (by default the state's own screen) is on top."""
        home = home or self.home
        pilot = self.pilot
        for _ in range(MAX_ESCAPES):
            if home():
                return True
            await press(pilot, "escape")
        await pilot.pause()  # a screen still mounting: wait for it properly, once more
        for _ in range(MAX_ESCAPES):
            if home():
                return True
            await pilot.press("escape")
            await pilot.pause()
        return home()

    async def restore(self, focus: str) -> None:
        app, pilot, session = self.app, self.pilot, self.app.session
        while not self.home():  # what Escape did not close (reported already)
            app.pop_screen()
            await settle(pilot)
        if self.dialog_screen is not None and self.dialog_screen not in app.screen_stack:
            self.dialog_screen = None  # the key closed the state's dialog: it opens again below
        base = app.screen_stack[0]
        if base.query("HelpPanel"):  # not a screen: F1 or ? closes it, Escape does not
            base.query("HelpPanel").remove()
        if base.maximized is not None:
            base.minimize()
        if tuple(app.size) != self.size:
            await pilot.resize_terminal(*self.size)
        if self.files is not None and snapshot_files(self.root) != self.files:
            shutil.rmtree(self.root)
            for name, data in self.files.items():
                path = self.root / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            session.reload()
            await settle(pilot)
        if session.env_name != self.env_name:
            session.use_environment(self.env_name)
        if app.theme != self.theme:
            app.theme = self.theme
        if session.recordings.recorder is not None or session.recordings.everything:
            session.stop_recording()
        if self.stream is not None:
            request = session.find(self.stream)
            live = session.live(request)
            if live is None or not live.running or live.state in (StreamState.CLOSED, StreamState.FAILED):
                session.start(request)
        pane = app.events_pane
        if not pane.log_view.following:
            pane.log_view.action_follow()
        if pane.view.invert:
            pane.toggle_invert()
        if pane.filter_bar.input.value:
            pane.filter_bar.input.value = ""
            pane.apply_filter()
        for _ in range(10):
            if pane.view.scope is None:
                break
            pane.cycle_scope()
        tree = app.requests_tree
        if self.select is not None and self.dialog_screen is None:
            wanted = session.find(self.select)
            assert wanted is not None, self.select
            if tree.selected is None or request_id(tree.selected) != request_id(wanted):
                tree.select_key(self.select)
                await settle(pilot)
        if self.dialog is not None:
            await self.open_dialog()
            widget = app.screen.query_one(focus) if focus != "dialog" else self.dialog_focus
            if widget is not None and app.screen.focused is not widget:
                widget.focus()
                await settle(pilot)
            return
        selector, pane_name = TARGETS[focus]
        if self.narrow and not app.panes.shows(pane_name):
            app.action_show_pane(pane_name)
        widget = app.query_one(selector)
        if app.focused is not widget:
            app.set_focus(widget)
            await settle(pilot)

    async def open_dialog(self) -> None:
        app, pilot = self.app, self.pilot
        if self.dialog_screen is not None:
            return
        tree = app.requests_tree
        wanted = app.session.find(self.select) if self.select else None
        for _ in range(3):  # a reload rebuilds the tree on its next refresh: wait for it
            app.set_focus(tree)
            if wanted is not None and (tree.selected is None or request_id(tree.selected) != request_id(wanted)):
                tree.select_key(self.select)
                await pilot.pause()
            await press(pilot, self.open_key)
            try:
                await wait_for(pilot, lambda: isinstance(app.screen, self.dialog) and app.screen.is_mounted, 2)
                break
            except AssertionError:
                continue
        else:
            selected = tree.selected
            raise AssertionError(
                f"[{self.name}] {self.open_key!r} on the tree no longer opens {self.dialog.__name__} "
                f"(after {list(self.recent)}): screens {[type(s).__name__ for s in app.screen_stack]}, "
                f"focus {app.focused}, selected {selected.name if selected else None}, "
                f"errors {[describe(e) for e in app.caught_errors[self.seen_errors:]]}"
            )
        self.dialog_screen = app.screen
        self.dialog_focus = app.screen.focused  # where the dialog puts focus as it opens

    # -- trying and checking ------------------------------------------------------------------

    def check(self, focus: str, what: str, closed: bool) -> None:
        app = self.app
        if not app.is_running:
            raise AssertionError(f"[{self.name} / focus {focus}] {what}: the app stopped running")
        for error in app.caught_errors[self.seen_errors :]:
            self.failures.append(Failure(self.name, focus, what, describe(error), list(self.recent)))
        self.seen_errors = len(app.caught_errors)
        focused = app.focused
        if focused is not None and focused.screen is not app.screen:
            problem = (
                f"focus is on {focused!r}, on a screen under {type(app.screen).__name__}: "
                "the dialog on top gets no more keys"
            )
            self.failures.append(Failure(self.name, focus, what, problem, list(self.recent)))
            focused.screen.set_focus(None)
            app.screen.set_focus(None)
        if not closed:
            stack = [type(s).__name__ for s in app.screen_stack]
            problem = f"Escape does not get back to the state's screen: screens {stack}"
            self.failures.append(Failure(self.name, focus, what, problem, list(self.recent)))
        self.recent.append(what)

    async def try_key(self, focus: str, key: str) -> None:
        await self.restore(focus)
        await press(self.pilot, key)
        closed = await self.close_dialogs()
        self.tried += 1
        self.check(focus, f"key {key!r}", closed)

    async def try_command(self, title: str) -> None:
        focus = self.targets[0]
        await self.restore(focus)
        app = self.app
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        app.call_later(commands[title].callback)  # as the palette does, once it has closed
        await settle(self.pilot, 3)
        closed = await self.close_dialogs()
        self.tried += 1
        self.check(focus, f"command {title!r}", closed)

    def reachable_keys(self, focus: str, first: bool) -> list[str]:
        """Every key bound where focus is now (`active_bindings`: the focused widget and its
        ancestors, the screen, the app), plus the panes' and the open dialog's own BINDINGS.

        The app's and the dashboard screen's bindings act the same wherever focus is, and
        each key costs time here: after the first target they are pressed again only where a
        text box has focus and would take the printable ones instead."""
        app = self.app
        base = app.screen_stack[0]
        typing = isinstance(app.focused, (Input, TextArea))
        keys = []
        for key, active in app.active_bindings.items():
            if active.binding.action in SKIPPED_ACTIONS:
                continue
            own = active.node is not app and active.node is not base
            if first or own or (typing and key_event(key).is_printable):
                keys.append(key)
        if first:
            named = list(WIDGET_BINDINGS.values())
        else:
            named = [WIDGET_BINDINGS[focus]] if focus in WIDGET_BINDINGS else []
        for widget_class in named:
            keys += keys_of(widget_class.BINDINGS)
        if self.dialog is not None:
            keys += keys_of(self.dialog.BINDINGS)
        return list(dict.fromkeys(keys))

    async def run_everything(self) -> None:
        for n, focus in enumerate(self.targets):
            await self.restore(focus)
            for key in self.reachable_keys(focus, n == 0):
                await self.try_key(focus, key)
        await self.restore(self.targets[0])
        titles = [c.title for c in self.app.get_system_commands(self.app.screen)]
        for title in titles:
            if title not in SKIPPED_COMMANDS:
                await self.try_command(title)
        await self.restore(self.targets[0])
        if self.dialog is not None:  # and the state's dialog itself closes on Escape
            closed = await self.close_dialogs(lambda: len(self.app.screen_stack) == 1)
            self.check(self.targets[0], "Escape on the state's dialog", closed)

    def assert_no_failures(self) -> None:
        assert not self.failures, f"{len(self.failures)} failures in state {self.name!r}:\n\n" + "\n\n".join(
            str(f) for f in self.failures
        )


# -- fixtures and collections -------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo():
    with DemoServer(seed=3, time_scale=0.05) as server:
        yield server


@pytest.fixture(autouse=True)
def own_folders(tmp_path, monkeypatch):
    """Screenshots, exports, recordings, history and config in the test's own folders."""
    for name, folder in (
        ("STREAMDASH_DATA_DIR", "data"),
        ("STREAMDASH_STATE_DIR", "state"),
        ("STREAMDASH_CONFIG_DIR", "config"),
        ("HOME", "home"),
    ):
        monkeypatch.setenv(name, str(tmp_path / folder))
    monkeypatch.delenv(UNSET, raising=False)


def demo_copy(tmp_path: Path) -> Path:
    """The demo collection, with two environments so that F6 opens its picker."""
    root = tmp_path / "demo"
    shutil.copytree(DEMO_COLLECTION, root)
    (root / "env").mkdir()
    (root / "env" / "local.toml").write_text('[variables]\nbase_url = "http://127.0.0.1:9"\n')
    (root / "env" / "prod.toml").write_text('production = true\n[variables]\nbase_url = "http://127.0.0.1:9"\n')
    return root


def demo_app(tmp_path: Path, demo: DemoServer, root: Path, **kw) -> StreamdashApp:
    return build_app(
        load_collection(root),
        variables={"base_url": demo.url},
        history_dir=tmp_path / "history",
        recordings_dir=tmp_path / "recordings",
        scratch="demo",
        **kw,
    )


def write_recording(path: Path) -> None:
    """A stream recorded in 2020: opened, events, a drop, a resume."""
    t0 = 1_600_000_000.0
    with Recorder(path, stream="prices", heartbeats=True) as rec:
        rec.write_items([StateChange(StreamState.CONNECTING, at=t0)])
        rec.write_items([StateChange(StreamState.OPEN, status=200, at=t0 + 0.1)])
        rec.write_items([Event("price", f'{{"n": {n}}}', str(n), received_at=t0 + n) for n in range(1, 30)])
        rec.write_items([StateChange(StreamState.BACKOFF, "connection lost", delay=1.0, last_event_id="29", at=t0 + 60)])
        rec.write_items([StateChange(StreamState.OPEN, status=200, last_event_id="29", at=t0 + 61)])
        rec.write_items([Event("price", '{"n": 31}', "31", received_at=t0 + 62)])


async def assert_log_receives_events(pilot, app: StreamdashApp) -> None:
    start = app.session.buffer.next_seq
    await wait_for(pilot, lambda: app.session.buffer.next_seq > start, 5.0, "the log receives events")


# -- the states -------------------------------------------------------------------------------


async def test_nothing_selected(tmp_path):
    root = tmp_path / "empty"
    root.mkdir()
    app = build_app(load_collection(root), history_dir=tmp_path / "history", recordings_dir=tmp_path / "recordings")
    async with app.run_test(size=WIDE) as pilot:
        await wait_for(pilot, lambda: app.ready)
        assert app.requests_tree.selected is None
        driver = StateDriver("nothing selected", app, pilot, root=root)
        await driver.run_everything()
        driver.assert_no_failures()


async def test_a_rest_request_selected(tmp_path, demo):
    root = demo_copy(tmp_path)
    app = demo_app(tmp_path, demo, root)
    async with app.run_test(size=WIDE) as pilot:
        await wait_for(pilot, lambda: app.ready)
        driver = StateDriver("REST request selected", app, pilot, select="api/Health", root=root)
        await driver.run_everything()
        driver.assert_no_failures()


async def test_a_stream_running_and_selected(tmp_path, demo):
    root = demo_copy(tmp_path)
    app = demo_app(tmp_path, demo, root, autostart=("streams/ticker",))
    async with app.run_test(size=WIDE) as pilot:
        await wait_for(pilot, lambda: len(app.session.buffer) > 0, what="ticker events")
        driver = StateDriver(
            "stream running", app, pilot, select="streams/ticker", stream="streams/ticker", root=root,
            targets=("tree", "log", "filter", "response", "stats"),  # the filter only matters with events
        )
        await driver.run_everything()
        await assert_log_receives_events(pilot, app)
        driver.assert_no_failures()


async def test_a_request_whose_secret_is_unset(tmp_path, demo):
    root = demo_copy(tmp_path)
    (root / "api" / "secret.toml").write_text(
        'name = "Secret"\nmethod = "GET"\nurl = "{{base_url}}/api/health"\n'
        f'[headers]\nAuthorization = "Bearer {{{{env:{UNSET}}}}}"\n'
    )
    app = demo_app(tmp_path, demo, root)
    async with app.run_test(size=WIDE) as pilot:
        await wait_for(pilot, lambda: app.ready)
        assert app.session.find("api/Secret") is not None
        driver = StateDriver("secret unset", app, pilot, select="api/Secret", root=root)
        await driver.run_everything()
        driver.assert_no_failures()


@pytest.mark.parametrize(
    ("dialog", "open_key", "targets"),
    [
        (RequestEditorScreen, "e", ("dialog", "#editor-kind", "#editor-body", "#editor-save")),
        (ConfirmScreen, "delete", ("dialog",)),
    ],
    ids=["editor", "confirm"],
)
async def test_a_dialog_open(tmp_path, demo, dialog, open_key, targets):
    root = demo_copy(tmp_path)
    app = demo_app(tmp_path, demo, root, autostart=("streams/ticker",))
    async with app.run_test(size=WIDE) as pilot:
        await wait_for(pilot, lambda: app.ready)
        driver = StateDriver(
            f"{dialog.__name__} open", app, pilot, select="api/Health",
            dialog=dialog, open_key=open_key, root=root, targets=targets,
        )
        await driver.run_everything()
        driver.assert_no_failures()


async def test_a_narrow_terminal_with_a_stream_running(tmp_path, demo):
    root = demo_copy(tmp_path)
    app = demo_app(tmp_path, demo, root, autostart=("streams/ticker",))
    async with app.run_test(size=NARROW) as pilot:
        await wait_for(pilot, lambda: len(app.session.buffer) > 0, what="ticker events")
        assert app.panes.narrow
        driver = StateDriver(
            "narrow, stream running", app, pilot, size=NARROW,
            select="streams/ticker", stream="streams/ticker", root=root,
            targets=("log", "tree", "filter", "response", "stats"),
        )
        await driver.run_everything()
        await assert_log_receives_events(pilot, app)
        driver.assert_no_failures()


async def test_a_replay(tmp_path):
    path = tmp_path / "prices.jsonl"
    write_recording(path)
    folder = tmp_path / "r"
    folder.mkdir()
    player = RecordingPlayer(read_recording(path), speed=None)
    app = build_app(
        Collection(folder, "r"), player=player, history_dir=tmp_path / "history", recordings_dir=tmp_path / "recordings"
    )
    async with app.run_test(size=WIDE) as pilot:
        await wait_for(pilot, lambda: player.clock.finished, what="the replay")
        await pilot.pause()
        assert len(app.session.buffer) == 30
        # The response pane is hidden in a replay: its keys are pressed from the others.
        driver = StateDriver("replay", app, pilot, targets=("tree", "log", "filter", "stats"))
        await driver.run_everything()
        driver.assert_no_failures()
