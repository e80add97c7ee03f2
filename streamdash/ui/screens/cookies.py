"""The cookies screen (`K`): the session's jar, so no answer depends on a cookie nobody can see.
Name, the value masked (`v` reveals it), host, path, expiry; `d` deletes one, `X` empties the jar.
The jar is the session's (memory only); the screen reads it again after every change."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from streamdash.core.http.cookies import CookieEntry, CookieJar
from streamdash.core.text import escape_controls
from streamdash.ui.screens.dialog import Dialog
from streamdash.ui.screens.dialogs import ConfirmScreen

__all__ = ["CookiesScreen", "masked_value"]


def masked_value(value: str) -> str:
    """What shows of a value until it is revealed: its length only."""
    return f"\u2022\u2022\u2022\u2022 ({len(value)} chars)" if value else "(empty)"


class CookiesScreen(Dialog[None]):
    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("d,delete", "delete", "Delete"),
        Binding("X", "clear", "Delete all"),
        Binding("v", "toggle_reveal", "Reveal values"),
    ]

    def __init__(self, jar: CookieJar, collection: str = "") -> None:
        super().__init__()
        self.jar = jar
        self.collection = collection
        self.reveal = False
        self.entries: list[CookieEntry] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="cookies"):
            where = f" of {self.collection}" if self.collection else ""
            yield Static(f"Cookies{where} (this session, memory only)", classes="dialog-title", markup=False)
            yield DataTable(id="cookies-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="cookies-status", markup=False)
            yield Static("d: delete   X: delete all   v: reveal values   Esc: close", classes="hint", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Widths from the content, the name and value first: at 80 columns they must show.
        table.add_columns("name", "value", "host", "path", "expires", "secure")
        self.refresh_rows()
        table.focus()

    def refresh_rows(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        self.entries = self.jar.entries()
        for entry in self.entries:
            value = escape_controls(entry.value) if self.reveal else masked_value(entry.value)
            table.add_row(
                Text(escape_controls(entry.name)),
                Text(value),
                Text(escape_controls(entry.host)),
                Text(escape_controls(entry.path)),
                Text(entry.expiry_text()),
                Text("yes" if entry.secure else "no"),
            )
        if self.entries:
            table.move_cursor(row=min(max(row, 0), len(self.entries) - 1))
        else:
            self._status("no cookies: a server's Set-Cookie puts them here")

    def _status(self, text: str) -> None:
        self.query_one("#cookies-status", Static).update(text)

    def _selected(self) -> CookieEntry | None:
        row = self.query_one(DataTable).cursor_row
        return self.entries[row] if self.entries and 0 <= row < len(self.entries) else None

    def action_delete(self) -> None:
        entry = self._selected()
        if entry is None:
            return
        self.jar.delete(entry)
        self.refresh_rows()
        if self.entries:
            self._status(f"deleted {escape_controls(entry.name)} ({escape_controls(entry.host)})")

    def action_clear(self) -> None:
        count = len(self.entries)
        if not count:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.jar.clear()
                self.refresh_rows()
                self._status(f"deleted {count} cookie{'s' if count != 1 else ''}: the jar is empty")

        self.app.push_screen(ConfirmScreen(f"Delete all {count} cookies of this session?"), answered)

    def action_toggle_reveal(self) -> None:
        self.reveal = not self.reveal
        self.refresh_rows()

    def action_close(self) -> None:
        self.dismiss(None)
