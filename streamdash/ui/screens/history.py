"""Past sends, newest first: Enter sends one again (the collection's current request when it
still exists, else the request as it was recorded)."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Static

from streamdash.core.history import HistoryEntry
from streamdash.core.text import escape_controls
from streamdash.ui.screens.dialog import Dialog


class HistoryScreen(Dialog[HistoryEntry | None]):
    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "Close"),
    ]
    # Enter is the table's own key (select the row): it comes in order after the arrows typed
    # before it, where a priority binding would resend the row the cursor had not left yet.

    def __init__(self, entries: list[HistoryEntry], damaged: int = 0) -> None:
        super().__init__()
        self.entries = entries
        self.damaged = damaged

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="history"):
            note = f" ({self.damaged} damaged lines skipped)" if self.damaged else ""
            yield Static(f"History: {len(self.entries)} sends, newest first{note} \u00b7 Enter sends one again", classes="dialog-title", markup=False)
            yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in (("When", 19), ("Request", 24), ("Method", 7), ("Status", 6), ("Time", 8), ("URL (secrets masked)", 60)):
            table.add_column(label, width=width)
        for index, entry in enumerate(self.entries):
            table.add_row(
                Text(time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.at))),
                Text(escape_controls(entry.name)),
                Text(entry.method),
                Text(str(entry.status) if entry.status is not None else "ERR"),
                Text(f"{entry.elapsed_s * 1000:.0f} ms"),
                Text(escape_controls(_url_cell(entry))),
                key=str(index),
            )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.entries and 0 <= event.cursor_row < len(self.entries):
            self.dismiss(self.entries[event.cursor_row])


def _url_cell(entry: HistoryEntry) -> str:
    """The URL, and beside it why there was no answer or why its body is raw."""
    why = (entry.error or "") if entry.status is None else entry.body_note
    return f"{entry.url}  {why}" if why else entry.url
