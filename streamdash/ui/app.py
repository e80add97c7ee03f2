"""The streamdash dashboard: a view of one `Session` (streamdash.core.session).

The session owns the collection, the environment, the streams, the buffer and the stats; this
app lays out the panes, turns keys into calls on the panes and the session, and redraws what the
session's events name. Two timers drive the screen: the log is written once per refresh tick,
the stats once a second. Each pane's behaviour lives beside its widget (widgets/).
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header

from streamdash.core import gctune
from streamdash.core.collections import StreamSettings
from streamdash.core.history import HistoryEntry
from streamdash.core.playback import RecordingPlayer
from streamdash.core.session import (
    AlertFired,
    CollectionChanged,
    EnvironmentChanged,
    LogChanged,
    Notice,
    Session,
    SessionEvent,
    StreamChanged,
)
from streamdash.ui.alerting import AlertActions, show_alert
from streamdash.ui.chart_actions import ChartActions
from streamdash.ui.commands import palette_commands
from streamdash.ui.files import FileActions
from streamdash.ui.footer import PaneFooter
from streamdash.ui.keymap import apply_keys, name_bindings
from streamdash.ui.keys import KeyRouting
from streamdash.ui.messages import PlainMessages
from streamdash.ui.palette import SteadyPalettes
from streamdash.ui.panes import PaneSwitcher
from streamdash.ui.safety import SafeApp
from streamdash.ui.screens.cookies import CookiesScreen
from streamdash.ui.screens.dialogs import CarefulConfirmScreen
from streamdash.ui.screens.environments import EnvironmentScreen
from streamdash.ui.screens.history import HistoryScreen
from streamdash.ui.screens.run import RunScreen
from streamdash.ui.terminal import TerminalMeter, hang_up
from streamdash.ui.widgets.chart_pane import ChartPane
from streamdash.ui.widgets.event_log import EventLog
from streamdash.ui.widgets.events_pane import EventsPane
from streamdash.ui.widgets.requests_tree import RequestsTree
from streamdash.ui.widgets.response_view import ResponseView
from streamdash.ui.widgets.stats_panel import StatsPanel


class SessionMessage(Message):
    """A session event, handled in the app's message loop (where errors are notifications)."""

    def __init__(self, event: SessionEvent) -> None:
        super().__init__()
        self.event = event


class StreamdashApp(ChartActions, KeyRouting, SteadyPalettes, FileActions, AlertActions, PlainMessages, SafeApp):
    CSS_PATH = "styles.tcss"
    TITLE = "streamdash"

    BINDINGS = [
        # Every F-key has a plain key too: many SSH terminals and multiplexers eat F-keys.
        Binding("f1,question_mark", "toggle_help", "Keys"),
        Binding("f2,1", "show_pane('requests')", "Requests"),
        Binding("f3,2", "show_pane('events')", "Events"),
        Binding("f4,3", "show_pane('response')", "Response"),
        Binding("f5,4", "show_pane('stats')", "Stats"),
        Binding("f8,5", "show_pane('chart')", "Chart", show=False),
        Binding("C", "toggle_chart", "Chart", show=False),
        Binding("ctrl+r", "run_selected", "Run/stop"),
        Binding("ctrl+t", "restart_stream", "Restart", show=False),
        # Priority: Textual's TextArea (the response body) takes F6 and F7 for selecting text.
        Binding("f6", "switch_environment", "Env", priority=True),
        Binding("E", "switch_environment", "Env"),  # not priority: the filter box types an E
        Binding("f7", "show_history", "History", priority=True),
        Binding("ctrl+o", "show_history", "History"),
        Binding("slash", "focus_filter", "Filter"),
        Binding("i", "toggle_invert", "Invert", show=False),
        Binding("s", "cycle_scope", "Stream scope", show=False),
        Binding("p", "toggle_pause", "Pause"),
        Binding("R", "toggle_record", "Record"),
        Binding("H", "toggle_heartbeats", "Heartbeats"),  # typed ones: dimmed, or hidden and counted
        Binding("a", "toggle_text", "Text", show=False),  # an LLM stream's assembled text
        Binding("A", "cycle_text_size", "Text size", show=False),
        Binding("exclamation_mark", "show_alerts", "Alerts", show=False),
        Binding("K", "show_cookies", "Cookies", show=False),
        Binding("ctrl+l", "redraw", "Redraw", show=False),
        Binding("ctrl+n", "show_messages", "Messages", show=False),  # every notification, whole
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("ctrl+z", "suspend_process", "Suspend", show=False),
    ]

    session: Session
    key_table: tuple[Any, ...] = ({}, {}, [])  # config.toml's [keys] (core/keymap.py load_key_table)

    def __init__(
        self,
        session: Session,
        *,
        refresh_hz: float = 20.0,
        autostart: tuple[str, ...] = (),
        autosend: tuple[str, ...] = (),
        player: RecordingPlayer | None = None,
        replay_settings: StreamSettings | None = None,
        screenshots_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.refresh_hz = refresh_hz
        self.autostart = autostart
        self.autosend = autosend
        self.player = player
        self.replay_settings = replay_settings
        self.screenshots_dir = screenshots_dir
        self.terminal = TerminalMeter()
        self._gc_old: tuple[int, ...] | None = None  # thresholds before _tune_gc
        self._states_changed = False  # a stream changed state since the last tick (see _tick)
        session.subscribe(self._session_said)

    def _session_said(self, event: SessionEvent) -> None:
        self.post_message(SessionMessage(event))

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield RequestsTree(self.session, id="requests", classes="pane")
            with Vertical(id="center"):
                yield EventsPane(self.session, id="events", classes="pane")
                yield ResponseView(self.session, id="response", classes="pane")
                yield ChartPane(self.session, id="chart", classes="pane")
        yield StatsPanel(id="stats", classes="pane")
        yield PaneFooter()

    def on_mount(self) -> None:
        apply_keys(self, REMAPPABLE, self.key_table)
        self.terminal.attach(self._driver)
        with contextlib.suppress(ValueError, AttributeError):  # not the main thread; Windows
            signal.signal(signal.SIGHUP, hang_up(self))
        # Kept, not queried: the timers use them every tick.
        self.requests_tree = self.query_one(RequestsTree)
        self.events_pane = self.query_one(EventsPane)
        self.response_view = self.query_one(ResponseView)
        self.stats_panel = self.query_one(StatsPanel)
        self._chart = self.query_one(ChartPane)
        self.panes = PaneSwitcher(self.screen)
        self.events_pane.selected = lambda: self.session.live(self.requests_tree.selected)
        session = self.session
        for problem in session.load_problems():
            self.notify(problem, title="skipped a file", severity="error", timeout=10)
        self._show_environment()
        self.requests_tree.load(session.collection)
        self.set_interval(1 / self.refresh_hz, self._tick, name="tick")
        self.set_interval(1.0, self.refresh_stats, name="stats")
        self._apply_width(self.size.width)
        if self.panes.narrow:
            self.action_show_pane(self.panes.pane)  # focus what is on screen, not the hidden tree
        else:
            self.requests_tree.focus()
        # With many streams, a stream waits 0.4 of a frame after a small read (SSEStream.pace):
        # what gathers meanwhile shows in the same frame anyway.
        session.read_pace = 0.4 / self.refresh_hz
        self._tune_gc()  # before any stream starts: its one full collection finds no events yet
        for key in self.autostart:
            if (request := session.find(key)) is not None:
                session.start(request)
        if self.player is not None:
            self.response_view.display = False  # a replay sends nothing: the log takes the room
            self.run_worker(self._play(self.player), group="replay", exit_on_error=False)
        for key in self.autosend:
            if (request := session.find(key)) is not None:
                self.response_view.send(request, reveal=False)
        self.refresh_stats()
        self.ready = True

    def _tick(self) -> None:
        """The one refresh timer: the session hands the new events to the chart and the alerts,
        the log shows them, the chart redraws if it is due."""
        self.session.tick()
        if self._states_changed:
            self._states_changed = False
            self.events_pane.show_states(self.session.clock())
        self.events_pane.flush()
        self._chart.tick()

    async def _play(self, player: RecordingPlayer) -> None:
        await self.session.play(player, self.replay_settings)
        self._show_environment()
        self.refresh_stats()

    def _tune_gc(self) -> None:
        """Once the panes are mounted: freeze start-up's objects, rarer full collections
        (core/gctune.py)."""
        if self._gc_old is None:
            self._gc_old = gctune.tune_after_start_up()

    async def on_unmount(self) -> None:
        if self._gc_old is not None:
            gctune.undo(self._gc_old)
            self._gc_old = None
        await self.session.aclose()

    # -- what the session says ----------------------------------------------------------------

    @on(SessionMessage)
    def _session_event(self, message: SessionMessage) -> None:
        event = message.event
        if isinstance(event, Notice) and event.key:
            self.notify_keyed(event.key, event.text, title=event.title, severity=event.severity, timeout=event.timeout)
        elif isinstance(event, Notice):
            self.notify(event.text, title=event.title, severity=event.severity, timeout=event.timeout)
        elif isinstance(event, StreamChanged):
            self.requests_tree.refresh_state(event.key)
            self._states_changed = True  # drawn at the next tick: 200 streams connecting are one line, not 400
        elif isinstance(event, CollectionChanged):
            self.requests_tree.load(self.session.collection, event.select)
        elif isinstance(event, EnvironmentChanged):
            self._show_environment()
        elif isinstance(event, AlertFired):
            show_alert(self, event)
        elif isinstance(event, LogChanged):
            if event.renamed is not None:
                self.events_pane.follow_rename(*event.renamed)
            self.events_pane.refilter()

    def _show_environment(self) -> None:
        session = self.session
        env = session.environment
        self.panes_screen.set_class(bool(env and env.production), "-production")
        name = session.collection.name
        if self.player is not None:
            speed = self.player.speed
            pace = "instant" if speed is None else f"{speed:g}x"
            where = "finished" if self.player.clock.finished else "playing"
            self.sub_title = f"{name} \u00b7 {pace} \u00b7 {where}"
        elif env is None:
            self.sub_title = f"{name} \u00b7 no environment"
        else:
            self.sub_title = f"{name} \u00b7 env: {env.name}{' (PRODUCTION)' if env.production else ''}"

    def refresh_stats(self) -> None:
        session = self.session
        now = session.clock()
        snapshots = session.sample(now)
        # Headless (tests, screenshots) there is no terminal to measure.
        terminal = None if self.is_headless else (self.terminal.rate(), self.refresh_hz)
        self.stats_panel.show(
            snapshots, session.rest_stats.snapshot(now), terminal=terminal, buffer=session.buffer.fill()
        )
        self.events_pane.show_states(now)

    # -- layout -------------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        if self.ready:  # on_mount lays the panes out the first time
            self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.panes.apply(width)
        self.events_pane.set_visible(self.panes.shows("events"))
        self.sync_chart()

    def action_show_pane(self, pane: str) -> None:
        if pane == "chart":
            self.show_chart()
        self.panes.show(pane, self.size.width)
        self.events_pane.set_visible(self.panes.shows("events"))
        self.sync_chart()

    @on(ResponseView.Shown)
    def _answer_shown(self, message: ResponseView.Shown) -> None:
        if message.reveal and self.panes.narrow:
            self.action_show_pane("response")
        self.refresh_stats()

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    # -- keys that act anywhere ---------------------------------------------------------------

    def action_run_selected(self) -> None:
        self.requests_tree.action_run()

    def _selected_stream(self) -> str | None:
        """The selected request's stream, or the one the log's scope shows."""
        live = self.session.live(self.requests_tree.selected)
        return live.key if live is not None else self.events_pane.scope_stream()

    def action_restart_stream(self) -> None:
        key = self._selected_stream()
        if key is None or not self.session.restart(key):
            self.notify("select a stream to restart", severity="warning", timeout=3)

    def action_focus_filter(self) -> None:
        if self.panes.narrow:
            self.action_show_pane("events")
        self.events_pane.focus_filter()

    def action_toggle_invert(self) -> None:
        self.events_pane.toggle_invert()

    def action_cycle_scope(self) -> None:
        self.events_pane.cycle_scope()

    def action_toggle_pause(self) -> None:
        self.events_pane.toggle_pause()

    def action_toggle_heartbeats(self) -> None:
        self.events_pane.toggle_heartbeats()

    def action_toggle_text(self) -> None:
        self.notify(self.events_pane.toggle_text(), timeout=3)

    def action_cycle_text_size(self) -> None:
        self.notify(self.events_pane.cycle_text_size(), timeout=3)

    def action_clear_log(self) -> None:
        """Forgetting the retained events cannot be undone: it asks, and only `y` says yes."""
        count = len(self.session.buffer)
        if not count:
            self.notify("no retained events to clear", timeout=3)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.events_pane.clear()

        question = f"Forget all {count:,} retained event{'s' if count != 1 else ''}? This cannot be undone."
        self.push_screen(CarefulConfirmScreen(question), answered)

    def action_toggle_record(self) -> None:
        self.session.toggle_record(self._selected_stream())

    def action_switch_environment(self) -> None:
        session = self.session
        if isinstance(self.screen, EnvironmentScreen):
            return  # already choosing
        def chosen(choice: tuple[str | None] | None) -> None:
            if choice is not None and choice[0] != session.env_name:
                session.use_environment(choice[0])

        session.env_edits.reread()  # one added on disk while the app runs counts
        self.push_screen(EnvironmentScreen(session.environments, session.env_name, session.env_edits), chosen)

    def action_show_history(self) -> None:
        history = self.session.executor.history
        if history is None:
            self.notify("no history for this session", timeout=3)
            return

        def done(entry: HistoryEntry | None) -> None:
            if entry is not None:
                current = self.session.find(entry.key) if entry.key else None
                self.response_view.send(current or entry.to_request())

        collection = self.session.collection
        self.push_screen(HistoryScreen(history, collection.root, name=collection.name), done)

    def action_show_cookies(self) -> None:
        if not isinstance(self.screen, CookiesScreen):
            session = self.session
            self.push_screen(CookiesScreen(session.executor.cookies, session.collection.name or ""))

    def action_run_collection(self) -> None:
        session = self.session
        requests = [r for r in session.collection.requests if r.kind == "rest"]
        if not requests:
            self.notify("no REST requests to run", timeout=3)
            return
        self.push_screen(RunScreen(session.executor, requests, session.variables))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is self.panes_screen:
            yield from palette_commands(self)


# What the [keys] table of config.toml can rebind, each binding named for its action.
REMAPPABLE = (StreamdashApp, EventLog, RequestsTree, ResponseView)
name_bindings(*REMAPPABLE)
