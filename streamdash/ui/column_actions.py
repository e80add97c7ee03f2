"""The events pane's part in JSON columns: `c` on an event, the palette's save / clear /
template, and the column names on the pane's border title.

The choices live in the session (`session.displays`, core) so the CLI and tests use the same
calls; this mixin only asks which stream is meant, opens the dialogs and lays the log out again
when the session's display `version` moved (once, on the next tick).

The names go on the border title, not a header line in the log: a line in the log would be an
entry-less line that the cursor, Enter, pruning and the filter would all have to step around,
and the title is where the pane already says what it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from textual.markup import escape as escape_markup

from streamdash.core.buffer import NOTE_STREAM, STREAM
from streamdash.core.columns import Layouts, field_paths
from streamdash.core.text import escape_controls
from streamdash.ui.screens.column_picker import ColumnPickerScreen
from streamdash.ui.screens.dialogs import PromptScreen

if TYPE_CHECKING:
    from textual.app import App

    from streamdash.core.logview import LogView
    from streamdash.core.session import Session
    from streamdash.core.session.live import LiveStream
    from streamdash.ui.widgets.event_log import EventLog


class EventsPane(Protocol):
    """What this takes of the events pane (a protocol: the pane imports this module)."""

    session: Session
    log_view: EventLog
    view: LogView
    border_title: Any
    selected: Callable[[], LiveStream | None]

    @property
    def app(self) -> App[Any]: ...

    def refilter(self) -> None: ...

TITLE = "Events"
TITLE_MAX = 100


class ColumnActions:
    """The events pane's `columns`: made on its mount, when its log exists."""

    def __init__(self, pane: EventsPane) -> None:
        self.pane = pane
        self.session = pane.session
        self.log = pane.log_view
        self.app = pane.app
        self.log.layouts = Layouts(self.session.displays.of)
        self._display_version = self.session.displays.signature()

    def check_columns(self) -> None:
        """Lay the log out again when a stream's columns or template changed (every tick). The
        same lines, made again on draw: a paused reader keeps their place and cursor (a
        re-filter sent them to the first retained event)."""
        version = self.session.displays.signature()
        if version != self._display_version:
            self._display_version = version
            if self.log.layouts is not None:
                self.log.layouts.reset()
            self.log.relayout()
            self.show_column_title()

    def show_column_title(self) -> None:
        layouts = self.log.layouts
        parts = []
        if layouts is not None:
            for stream, layout in sorted(layouts.current().items()):  # a stable order
                if layout is not None:
                    parts.append(f"{escape_controls(stream)}: {escape_controls(layout.header())}")
        title = TITLE + (" \u00b7 " + " \u00b7 ".join(parts) if parts else "")
        if len(title) > TITLE_MAX:
            title = title[: TITLE_MAX - 1] + "\u2026"
        title = escape_markup(title)
        if self.pane.border_title != title:
            self.pane.border_title = title

    def column_stream(self) -> str | None:
        """The stream meant: the selected event's, else the scope's, else the tree's selected
        stream, else the only one."""
        entry = self.log.current_entry
        if entry is not None and entry[STREAM] != NOTE_STREAM:
            return entry[STREAM]
        if self.pane.view.scope is not None:
            return self.pane.view.scope
        selected = self.pane.selected()
        if selected is not None:
            return selected.name
        names = {live.name for live in self.session.streams.values()}
        return names.pop() if len(names) == 1 else None

    def _no_stream(self) -> None:
        self.app.notify(
            "no stream to set columns for: select an event (up/down) or scope the log (s)",
            severity="warning",
        )

    def pick_column(self, entry: tuple[object, ...]) -> None:
        stream, data = str(entry[1]), str(entry[3])
        if stream == NOTE_STREAM:
            self.app.notify("this line is the session's own note, not a stream's event", severity="warning")
            return
        fields = field_paths(data)
        if not fields:
            self.app.notify(
                f"{stream}: this event's data is not a JSON object: no fields to pick", severity="warning"
            )
            return

        def chosen(path: str | None) -> None:
            if path:
                self.app.notify(self.session.displays.toggle_column(stream, path))
                self.check_columns()

        columns = self.session.displays.of(stream).columns
        self.app.push_screen(ColumnPickerScreen(stream, fields, columns), chosen)

    def save_columns(self) -> None:
        stream = self.column_stream()
        if stream is None:
            return self._no_stream()
        problem = self.session.displays.save(stream)
        if problem is not None:
            self.app.notify(problem, severity="warning")
        self.check_columns()

    def clear_columns(self) -> None:
        stream = self.column_stream()
        if stream is None:
            return self._no_stream()
        self.app.notify(self.session.displays.clear(stream))
        self.check_columns()

    def ask_template(self) -> None:
        stream = self.column_stream()
        if stream is None:
            return self._no_stream()
        current = self.session.displays.of(stream).template

        def answered(template: str | None) -> None:
            if template is None:
                return
            problem = self.session.displays.set_template(stream, template)
            if problem is not None:
                self.app.notify(problem, severity="error")
                return
            self.app.notify(f"{stream}: shown as {template}")
            self.check_columns()

        question = f"Display template for {stream}, fields in braces: {{level}} {{service}}: {{msg}}"
        self.app.push_screen(PromptScreen(question, current), answered)

    def pick_selected_column(self) -> None:
        """The palette's `c`: the selected event's fields (the last line's when none is)."""
        if not self.log.entries:
            self.app.notify("no event in the log to pick a column from", severity="warning")
            return
        self.log.action_pick_column()
