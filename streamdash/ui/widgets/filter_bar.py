"""The filter line above the log: the expression, its scope, invert, and what it matched."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static

from streamdash.core.filter_history import FilterHistory, HistoryWalk
from streamdash.ui.message_log import remember
from streamdash.ui.safety import SafeDispatch
from streamdash.ui.widgets.text_inputs import Input

PLACEHOLDER = "filter: words  /regex/  type:price  stream:logs  level=error  price>100  -negate"


class FilterBar(SafeDispatch, Horizontal):
    """Widgets only; the app owns the filter and tells this bar what to show."""

    BINDINGS = [
        Binding("escape", "leave", "Leave filter", show=False),
        Binding("up", "history_older", "Older filter", show=False),
        Binding("down", "history_newer", "Newer filter", show=False),
    ]

    _status: tuple[str, bool] = ("", False)
    _heartbeats = ""
    history = FilterHistory(None)  # the events pane gives the one from the state folder
    _walk: HistoryWalk | None = None
    _walking = False  # the input changes because of the walk, not the person

    class Leave(Message):
        """Esc in the filter box: back to the log, the filter kept."""

    def compose(self) -> ComposeResult:
        yield Static("all", id="filter-scope", classes="filter-chip", markup=False)
        yield Input(placeholder=PLACEHOLDER, id="filter-input", select_on_focus=False)
        yield Static("", id="filter-invert", classes="filter-chip", markup=False)
        yield Static("", id="filter-mode", classes="filter-chip", markup=False)
        yield Static("", id="filter-status", markup=False)
        yield Static("", id="filter-heartbeats", classes="filter-chip", markup=False)
        yield Static("", id="filter-badge", markup=False)

    def on_mount(self) -> None:
        # Kept, not queried: the app's timers call in here, also while the app is closing.
        self.input = self.query_one("#filter-input", Input)
        self._scope_chip = self.query_one("#filter-scope", Static)
        self._invert_chip = self.query_one("#filter-invert", Static)
        self._mode_chip = self.query_one("#filter-mode", Static)
        self._status_text = self.query_one("#filter-status", Static)
        self._badge = self.query_one("#filter-badge", Static)
        self._heartbeats_chip = self.query_one("#filter-heartbeats", Static)

    def action_leave(self) -> None:
        self.post_message(self.Leave())

    def action_history_older(self) -> None:
        if self._walk is None:
            self._walk = HistoryWalk(self.history.entries, self.input.value)
        self._show_walked(self._walk.older())

    def action_history_newer(self) -> None:
        if self._walk is not None:
            self._show_walked(self._walk.newer())

    def _show_walked(self, text: str | None) -> None:
        if text is None:
            return
        self._walking = True
        self.input.value = text
        self.input.cursor_position = len(text)

    @on(Input.Changed, "#filter-input")
    def _typed(self) -> None:
        """Typing starts a new walk from what is typed (the pane still hears the change)."""
        if self._walking:
            self._walking = False
        else:
            self._walk = None

    def show_mode(self, find: bool) -> None:
        self._mode_chip.update("FIND" if find else "")
        self._mode_chip.set_class(find, "-on")

    def show_scope(self, scope: str | None) -> None:
        self._scope_chip.update(scope or "all")

    def show_invert(self, invert: bool) -> None:
        self._invert_chip.update("NOT" if invert else "")
        self._invert_chip.set_class(invert, "-on")

    def show_heartbeats(self, text: str) -> None:
        """"N heartbeats hidden" while they are, else no chip (every tick: a no-op unchanged)."""
        if text != self._heartbeats:
            self._heartbeats = text
            self._heartbeats_chip.update(text)
            self._heartbeats_chip.set_class(bool(text), "-on")

    def show_status(self, text: str, *, error: bool = False) -> None:
        """Called every refresh tick while events arrive: a no-op unless something changed, and
        never a layout pass (the status has a fixed width)."""
        if (text, error) == self._status:
            return
        self._status = (text, error)
        self._status_text.update(text, layout=False)
        self._status_text.set_class(error, "-error")
        self.set_class(error, "-error")
        if error:  # cut to the status's width here; whole in the messages screen (Ctrl+N)
            remember(self.app, text, title="filter", severity="error")

    def show_badge(self, text: str) -> None:
        self._badge.update(text)
        self._badge.display = bool(text)
