"""One event in full: stream, type, id, received time, and the data (pretty when it is JSON).

`c` copies it through OSC 52 (Textual's `copy_to_clipboard`), which reaches the clipboard of the
machine the user sits at, also over SSH.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Static

from streamdash.core.buffer import DATA, LogEntry
from streamdash.core.text import escape_controls
from streamdash.ui.screens.dialog import Dialog
from streamdash.ui.widgets.text_inputs import TextArea


def pretty_data(data: str) -> str:
    try:
        return json.dumps(json.loads(data), indent=2, ensure_ascii=False)
    except ValueError:
        return data


def describe(entry: LogEntry) -> str:
    _, stream, kind, data, ident, received_at = entry
    when = datetime.fromtimestamp(received_at).isoformat(sep=" ", timespec="milliseconds")
    return (
        f"stream {escape_controls(stream)} \u00b7 type {escape_controls(kind)} \u00b7 "
        f"id {escape_controls(ident) or '-'} \u00b7 received {when} \u00b7 "
        f"{len(data.encode('utf-8', 'replace')):,} bytes"
    )


def as_copy_text(entry: LogEntry) -> str:
    _, stream, kind, data, ident, received_at = entry
    return json.dumps(
        {"stream": stream, "event": kind, "id": ident, "data": data, "received_at": received_at},
        ensure_ascii=False,
    )


class EventDetailScreen(Dialog[None]):
    BINDINGS = [
        Binding("escape,q", "dismiss", "Close"),
        Binding("c", "copy", "Copy event"),
        Binding("d", "copy_data", "Copy data"),
        Binding("n,right_square_bracket", "step(1)", "Next event"),
        Binding("N,left_square_bracket", "step(-1)", "Previous event"),
    ]

    def __init__(
        self,
        entry: LogEntry,
        notes: list[str] | None = None,
        step: Callable[[int], tuple[LogEntry, list[str]] | None] | None = None,
    ) -> None:
        super().__init__()
        self.entry = entry
        self.notes = notes or []  # what the stream's measures say: latency, missing ids
        # Next (+1) / previous (-1) event of what the log shows; the log's cursor follows.
        self._step = step

    def compose(self) -> ComposeResult:
        with Vertical(id="detail", classes="dialog"):
            yield Static(describe(self.entry), id="detail-meta", markup=False)
            notes = Static("\n".join(self.notes), id="detail-notes", markup=False)
            notes.display = bool(self.notes)
            yield notes
            yield TextArea(pretty_data(self.entry[DATA]), id="detail-data", read_only=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#detail-data").focus()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(as_copy_text(self.entry))
        self.notify("event copied (OSC 52)", timeout=2)

    def action_copy_data(self) -> None:
        self.app.copy_to_clipboard(self.entry[DATA])
        self.notify("data copied (OSC 52)", timeout=2)

    def action_step(self, delta: int) -> None:
        found = self._step(delta) if self._step is not None else None
        if found is None:
            self.notify(f"no {'next' if delta > 0 else 'previous'} event in the log", timeout=2)
            return
        self.entry, self.notes = found
        self.query_one("#detail-meta", Static).update(describe(self.entry))
        notes = self.query_one("#detail-notes", Static)
        notes.update("\n".join(self.notes))
        notes.display = bool(self.notes)
        self.query_one("#detail-data", TextArea).load_text(pretty_data(self.entry[DATA]))
