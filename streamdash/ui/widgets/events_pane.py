"""The events pane: the filter bar, the live log, an LLM stream's assembled text, and every
stream's state on the border. What shows is the session's buffer through a `LogView`; the pane
writes the log once per refresh tick, never per event, and not at all while hidden or paused
(it catches up from the buffer when shown again).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape as escape_markup
from textual.timer import Timer
from textual.widgets import Input

from streamdash.core.buffer import RECEIVED_AT
from streamdash.core.filter import rename_stream
from streamdash.core.filter_history import FilterHistory
from streamdash.core.logview import LogView, heartbeat_types
from streamdash.core.stats import describe_state, format_duration, silent_for
from streamdash.core.text import escape_controls
from streamdash.ui.column_actions import ColumnActions
from streamdash.ui.safety import SafeDispatch
from streamdash.ui.screens.event_detail import EventDetailScreen
from streamdash.ui.text_room import SIZES, text_room
from streamdash.ui.widgets.assembled_text import AssembledText
from streamdash.ui.widgets.event_log import EventLog
from streamdash.ui.widgets.filter_bar import FilterBar

if TYPE_CHECKING:
    from streamdash.core.buffer import LogEntry
    from streamdash.core.session import Session
    from streamdash.core.session.live import LiveStream

FILTER_DEBOUNCE_S = 0.15
FILTER_KEPT_S = 2.0  # a filter applied while typing goes to the history once left this long


class EventsPane(SafeDispatch, Vertical):
    def __init__(self, session: Session, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.session = session
        self.view = LogView(session.buffer, heartbeats=heartbeat_types(session.streams))
        self.visible_in_layout = True  # False while a narrow layout shows another pane
        self.waiting = 0  # matching events not shown while the log is paused or hidden
        self.log_writes = 0  # writes to the log: one per tick at most
        self._was_covered = False  # a dialog or the palette was over the log at the last tick
        self._filter_timer: Timer | None = None
        self._kept_timer: Timer | None = None
        self._assembled_shown: tuple[tuple[str, int, bool, str | None], ...] = ()
        # The stream selected in the requests tree: its text shows even once it has stopped.
        self.selected: Callable[[], LiveStream | None] = lambda: None
        self.text_hidden = False  # the person hid the assembled text (a)
        self.text_size = 1  # index into text_room.SIZES (A cycles)
        self._text_data_at = 0  # where the data started when the text was laid out

    def compose(self) -> ComposeResult:
        yield FilterBar(id="filter-bar")
        with Horizontal(id="log-row"):
            yield EventLog(id="log")
            yield AssembledText(id="assembled")

    def on_mount(self) -> None:
        # Kept, not queried: the refresh timer uses them every tick.
        self.log_view = self.query_one(EventLog)
        self.filter_bar = self.query_one(FilterBar)
        self.assembled = self.query_one(AssembledText)
        self.log_view.is_heartbeat = self.view.is_heartbeat
        self.log_view.clock = self.session.clock  # "5m ago" in a replay is the replay's clock
        self.log_view.oldest_retained = self._oldest_retained
        self.log_view.catch_up = self._catch_up
        self._load_filter_history()
        self.border_title = "Events"
        self.json_columns = ColumnActions(self)  # JSON columns: `c`, the palette's, the title

    # -- every tick ---------------------------------------------------------------------------

    def flush(self) -> None:
        """What arrived since the last tick goes to the log in one write; nothing while a
        dialog or the palette covers the log (see `_covered`)."""
        if self._covered():
            return
        view = self.view
        self._show_assembled()  # also when nothing arrived: a stream stopped, the selection moved
        self.json_columns.check_columns()  # a stream's JSON columns or template changed: laid out again
        if self.session.buffer.next_seq == view.flushed_seq:
            return
        shown = view.take_new()
        self._show_status()
        log = self.log_view
        if self.visible_in_layout:
            buffer = self.session.buffer
            log.forget_before(buffer.next_seq - len(buffer))  # what the buffer evicted
        if not shown:
            return
        if not log.following or not self.visible_in_layout:
            self.waiting += len(shown)  # caught up from the buffer later
            self._show_badge()
            return
        log.append(shown)
        self.log_writes += 1
        self.json_columns.show_column_title()
        if self._assembled_shown and log.columns.data_at != self._text_data_at:
            self.lay_out_text()  # the columns widened: the text's room is measured again

    def _covered(self) -> bool:
        """Under a modal screen Textual repaints the whole screen on every change beneath it
        (with a dialog open over the demo at 160x48: ~280-300 KiB/s to the terminal against ~60),
        so a covered log is not written; when uncovered, a following log catches up from the
        buffer in one re-filter, a paused one counts what waits, as after a hidden pane."""
        if self.app.screen is not self.screen:
            self._was_covered = True
            return True
        if self._was_covered:
            self._was_covered = False
            if self.log_view.following and self.session.buffer.next_seq != self.view.flushed_seq:
                self.refilter()
        return False

    def refilter(self) -> None:
        """Re-run the filter over everything retained and show the newest matches."""
        log = self.log_view
        matches = self.view.all_matches()
        self.waiting = 0
        log.match_filter = None if self.view.error else self.view.filter
        log.replace(matches[-(log.max_lines or len(matches)) :] if matches else [])
        self._show_status()
        self._show_badge()

    def set_visible(self, visible: bool) -> None:
        was = self.visible_in_layout
        self.visible_in_layout = visible
        if visible and not was and self.waiting:
            self.refilter()

    def _show_status(self) -> None:
        text, error = self.view.status()
        if self.view.narrowed and not error:  # what the last full re-filter took
            text += f" \u00b7 {self.view.took_ms:.0f} ms"
        self.filter_bar.show_status(text, error=error)
        self.filter_bar.show_heartbeats(self.view.heartbeat_status())

    def _show_badge(self) -> None:
        if self.log_view.following:
            self.filter_bar.show_badge("")
        else:
            self.filter_bar.show_badge(f"paused \u00b7 {self.waiting:,} new \u00b7 End to follow")

    def _show_assembled(self) -> None:
        """The text of every assembling stream that runs, or is selected, beside or under the
        log; rewritten only when it changed. A finished answer nobody selected gives its room
        back to the data."""
        selected = self.selected()
        blocks = [
            (live.name, assembler)
            for live in self.session.streams.values()
            if (assembler := live.measures.assembler) is not None
            and assembler.tokens
            and (live.running or live is selected)
        ]
        if self.text_hidden:
            blocks = []
        shown = tuple((name, len(a.text), a.done, a.finish_reason) for name, a in blocks)
        if shown != self._assembled_shown:
            was_shown = bool(self._assembled_shown)
            self._assembled_shown = shown
            self.assembled.show(blocks)
            if bool(blocks) != was_shown:
                self.lay_out_text()

    def lay_out_text(self) -> None:
        """Give the assembled text its place (text_room): beside the log only where the data
        column keeps 60 % of the row, else under it."""
        row = self.query_one("#log-row")
        width, height = row.content_size
        if not width:
            return
        self._text_data_at = data_at = self.log_view.columns.data_at
        room = text_room(width, height, data_at, self.text_size)
        row.set_class(not room.beside, "-under")
        styles = self.assembled.styles
        if room.beside:
            styles.width, styles.height = room.width, "1fr"
        else:
            styles.width, styles.height = "1fr", room.height

    def on_resize(self) -> None:
        self.call_after_refresh(self.lay_out_text)

    def toggle_text(self) -> str:
        """Hide or show the assembled text; says what it did, for a notification."""
        self.text_hidden = not self.text_hidden
        self._show_assembled()
        if self.text_hidden:
            return "assembled text hidden (a shows it)"
        if not self._assembled_shown:
            return "no assembled text to show: no assembling stream is running or selected"
        return "assembled text shown"

    def cycle_text_size(self) -> str:
        self.text_size = (self.text_size + 1) % len(SIZES)
        self.lay_out_text()
        return f"assembled text: {SIZES[self.text_size]}"

    def show_states(self, now: float) -> None:
        """Every stream's state, host and environment on the border, so they stay visible
        when the stats pane is not."""
        session = self.session
        parts = []
        for live in session.streams.values():
            where = f" @{live.host}" if live.host else ""
            env = f" [{live.environment}]" if live.environment else ""
            marks = " \u25cf rec" if live.key in session.recordings.keys else ""
            silent = silent_for(live.stats, now, live.tracker.silence_after)
            if silent is not None:
                marks += f" \u26a0 silent {format_duration(silent)}"
            state = escape_controls(describe_state(live.stats, now))[:48]
            parts.append(f"{escape_controls(live.name)}{where}{env}{marks}: {state}")
        subtitle = escape_markup(" \u00b7 ".join(parts))
        if self.border_subtitle != subtitle:  # setting it repaints the pane, even unchanged
            self.border_subtitle = subtitle
        self._show_status()

    # -- the filter ---------------------------------------------------------------------------

    def focus_filter(self) -> None:
        # At once, not on the next idle: keys typed right after "/" belong to the filter.
        self.app.set_focus(self.filter_bar.input)

    @on(Input.Changed, "#filter-input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DEBOUNCE_S, self.apply_filter)

    @on(Input.Submitted, "#filter-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply_filter()
        self._remember_filter()
        self.log_view.focus()

    def apply_filter(self) -> None:
        self.view.set_text(self.filter_bar.input.value)
        self.refilter()
        if self._kept_timer is not None:
            self._kept_timer.stop()
        self._kept_timer = self.set_timer(FILTER_KEPT_S, self._remember_filter)

    def _load_filter_history(self) -> None:
        history = self.session.executor.history
        if history is None:
            return
        self.filter_bar.history, notice = FilterHistory.load(history.path.parent)
        if notice:
            self.app.notify(notice, severity="warning")

    def _remember_filter(self) -> None:
        """The applied filter into the history (kept 2 s, or submitted); a write that fails is
        one notification, and the filter still works."""
        if self._kept_timer is not None:
            self._kept_timer.stop()
            self._kept_timer = None
        if self.view.error or self.view.text != self.filter_bar.input.value:
            return
        try:
            self.filter_bar.history.add(self.view.text)
        except OSError as error:
            self.app.notify(f"filter history not saved: {error.strerror or error}", severity="warning")

    @on(FilterBar.Leave)
    def _leave_filter(self, event: FilterBar.Leave) -> None:
        event.stop()
        self.log_view.focus()

    def toggle_find(self) -> str:
        """Find mode (every event shows, matches highlighted, n/N jump) or filter mode (only
        matches show); says which, for a notification."""
        self.view.find = not self.view.find
        self.filter_bar.show_mode(self.view.find)
        self.refilter()
        if self.view.find:
            return "find mode: every event shows, matches highlighted (n/N jump, f filters)"
        return "filter mode: only matching events show (f finds)"

    def toggle_invert(self) -> None:
        self.view.toggle_invert()
        self.filter_bar.show_invert(self.view.invert)
        self.refilter()

    def toggle_heartbeats(self) -> None:
        """Hide or show typed heartbeats; hidden ones stay in the buffer and are counted."""
        self.view.toggle_heartbeats()
        self.refilter()

    def cycle_scope(self) -> None:
        running = [live.name for live in self.session.streams.values()]
        self.filter_bar.show_scope(self.view.cycle_scope(running))
        self.refilter()

    def follow_rename(self, old: str, new: str) -> None:
        """A log scoped to a stream, or filtered by `stream:` to it, keeps showing it under its
        new name (the app re-filters after a rename)."""
        if self.view.scope == old:
            self.view.scope = new
            self.filter_bar.show_scope(new)
        text = self.filter_bar.input.value
        renamed = rename_stream(text, old, new)
        if renamed != text:
            with self.filter_bar.input.prevent(Input.Changed):  # applied here, not debounced
                self.filter_bar.input.value = renamed
            applied = rename_stream(self.view.text, old, new)
            if applied != self.view.text:
                self.view.set_text(applied)

    def scope_stream(self) -> str | None:
        """The key of the stream the scope shows, if it shows one."""
        scope = self.view.scope
        return next((k for k, live in self.session.streams.items() if live.name == scope), None)

    # -- the log ------------------------------------------------------------------------------

    def toggle_pause(self) -> None:
        log = self.log_view
        if log.following:
            log.pause()
        else:
            log.action_follow()

    def clear(self) -> None:
        self.session.buffer.clear()
        self.log_view.marks.clear()  # their events are gone
        self.refilter()

    def _catch_up(self) -> bool:
        """The matching events that came while the log was paused, shown (it stays paused)."""
        if not self.waiting:
            return False
        self.refilter()
        return True

    def _oldest_retained(self) -> float | None:
        """When the oldest event the buffer holds arrived (None: it holds none)."""
        oldest = next(iter(self.session.buffer), None)
        return None if oldest is None else oldest[RECEIVED_AT]

    @on(EventLog.ToggleFind)
    def _toggle_find(self, event: EventLog.ToggleFind) -> None:
        event.stop()
        self.app.notify(self.toggle_find(), timeout=3)

    @on(EventLog.Paused)
    def _paused(self) -> None:
        self._show_badge()

    @on(EventLog.Resumed)
    def _resumed(self) -> None:
        self.waiting = 0
        self.refilter()

    @on(EventLog.PickColumn)
    def _pick_column(self, message: EventLog.PickColumn) -> None:
        self.json_columns.pick_column(message.entry)

    @on(EventLog.OpenEntry)
    def _open_entry(self, message: EventLog.OpenEntry) -> None:
        notes = self.session.detail_notes(message.entry)
        self.app.push_screen(EventDetailScreen(message.entry, notes, step=self._step_detail))

    def _step_detail(self, delta: int) -> tuple[LogEntry, list[str]] | None:
        """The detail screen's next/previous event: the log's next line, its cursor moved."""
        entry = self.log_view.step_cursor(delta)
        return None if entry is None else (entry, self.session.detail_notes(entry))
