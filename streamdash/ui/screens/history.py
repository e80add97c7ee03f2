"""Past sends, newest first, of this collection (`a`: of every collection, with a column saying
which). Enter opens one: the answer as the history kept it (status, headers, body; masked when
it was written). `s` sends it again (the collection's current request when it still exists,
else the request as it was recorded). Space marks a send, `D` compares it with the highlighted
send of the same request."""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Static

from streamdash.core.history import History, HistoryEntry
from streamdash.core.history_view import DiffRefused, count_changes, diff_entries, entry_lines, status_text
from streamdash.core.session.session import plural
from streamdash.core.text import escape_controls
from streamdash.ui.screens.dialog import Dialog
from streamdash.ui.widgets.text_inputs import TextArea


class HistoryScreen(Dialog[HistoryEntry | None]):
    """Dismisses with the entry to send again, or None."""

    BINDINGS = [
        Binding("escape,q", "dismiss(None)", "Close"),
        Binding("s", "send_again", "Send again"),
        Binding("space", "mark", "Mark"),
        Binding("D", "diff", "Diff with mark"),
        Binding("a", "toggle_all", "All collections"),
    ]
    # Enter is the table's own key (select the row): it comes in order after the arrows typed
    # before it, where a priority binding would open the row the cursor had not left yet.

    def __init__(
        self, history: History, collection: Path | str | None = None, *, name: str = "", everywhere: bool = False
    ) -> None:
        super().__init__()
        self.history = history
        self.collection = str(collection) if collection is not None else None
        self.collection_name = name  # its own name, as the header and the other screens say it
        self.everywhere = everywhere or collection is None
        self.entries: list[HistoryEntry] = []
        self.marked: HistoryEntry | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="history"):
            yield Static("", id="history-title", classes="dialog-title", markup=False)
            yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="history-status", markup=False)
            yield Static("Enter: open   s: send again   Space: mark   D: diff with the mark   "
                         "a: all collections", classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        self.query_one(DataTable).focus()

    def load(self) -> None:
        self.entries = self.history.entries(collection=None if self.everywhere else self.collection)
        damaged = self.history.damaged
        where = "every collection" if self.everywhere else (
            self.collection_name or Path(self.collection or "").name or "this collection")
        note = f" ({damaged} damaged lines skipped)" if damaged else ""
        self.query_one("#history-title", Static).update(
            f"History of {where}: {plural(len(self.entries), 'send')}, newest first{note}")
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        narrow = self.app.size.width < 120  # 80 columns: the time of day, and the URL still shows
        columns = [("", 1), ("When", 8 if narrow else 19)]
        if self.everywhere:
            columns.append(("Collection", 10 if narrow else 14))
        columns += [("Request", 16 if narrow else 24), ("Method", 7), ("Status", 6), ("Time", 8),
                    ("URL (secrets masked)", 60)]
        stamp = "%H:%M:%S" if narrow else "%Y-%m-%d %H:%M:%S"
        for label, width in columns:
            table.add_column(label, width=width)
        for index, entry in enumerate(self.entries):
            cells = [Text("\u25cf" if entry == self.marked else ""),
                     Text(time.strftime(stamp, time.localtime(entry.at)))]
            if self.everywhere:
                cells.append(Text(escape_controls(Path(entry.collection).name or "-")))
            cells += [
                Text(escape_controls(entry.name)),
                Text(entry.method),
                Text(str(entry.status) if entry.status is not None else "ERR"),
                Text(f"{entry.elapsed_s * 1000:.0f} ms"),
                Text(escape_controls(_url_cell(entry))),
            ]
            table.add_row(*cells, key=str(index))
        if self.entries:
            table.move_cursor(row=min(max(row, 0), len(self.entries) - 1))

    def _status(self, text: str) -> None:
        self.query_one("#history-status", Static).update(text)

    def _selected(self) -> HistoryEntry | None:
        row = self.query_one(DataTable).cursor_row
        return self.entries[row] if self.entries and 0 <= row < len(self.entries) else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.entries and 0 <= event.cursor_row < len(self.entries):
            entry = self.entries[event.cursor_row]

            def closed(again: bool | None) -> None:
                if again:
                    self.dismiss(entry)

            self.app.push_screen(HistoryEntryScreen(entry), closed)

    def action_send_again(self) -> None:
        entry = self._selected()
        if entry is not None:
            self.dismiss(entry)

    def action_mark(self) -> None:
        entry = self._selected()
        if entry is None:
            return
        self.marked = None if entry == self.marked else entry
        self.load()
        self._status(f"marked {entry.name} at {_when(entry)}: D compares it with another send of it"
                     if self.marked else "mark cleared")

    def action_diff(self) -> None:
        entry = self._selected()
        if entry is None:
            return
        if self.marked is None:
            self._status("mark a send first (Space), then D on another send of the same request")
            return
        if entry == self.marked:
            self._status("that is the marked send: D on another send of the same request")
            return
        try:
            lines = diff_entries(self.marked, entry)
        except DiffRefused as exc:
            self._status(str(exc))
            return
        self.app.push_screen(DiffScreen(lines))

    def action_toggle_all(self) -> None:
        if self.collection is None:
            return
        self.everywhere = not self.everywhere
        self.marked = None
        self.load()


class HistoryEntryScreen(Dialog[bool]):
    """One send as the history kept it. Dismisses True to send it again."""

    BINDINGS = [
        Binding("escape,q", "close", "Back"),
        Binding("s", "send_again", "Send again"),
    ]

    def __init__(self, entry: HistoryEntry) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        entry = self.entry
        with Vertical(classes="dialog", id="history-entry"):
            yield Static(escape_controls(f"{entry.name} \u00b7 {status_text(entry)} \u00b7 {_when(entry)}"),
                         classes="dialog-title", markup=False)
            text = "\n".join(escape_controls(line) for line in entry_lines(entry))
            yield TextArea(text, id="history-entry-text", read_only=True, show_line_numbers=False)
            yield Static("s: send again   Esc: back to the list (secrets were masked when kept)",
                         classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#history-entry-text").focus()

    def action_send_again(self) -> None:
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)


class DiffScreen(Dialog[None]):
    """Two sends of one request, as a unified diff of what came back."""

    BINDINGS = [Binding("escape,q", "dismiss(None)", "Back")]

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        removed, added = count_changes(self.lines)
        with Vertical(classes="dialog", id="history-diff"):
            yield Static(f"Diff: {removed} lines removed, {added} added (older \u2192 newer)",
                         classes="dialog-title", markup=False)
            with VerticalScroll(id="history-diff-scroll"):
                yield Static(_coloured(self.lines), id="history-diff-text")
            yield Static("Esc: back", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#history-diff-scroll").focus()


def _coloured(lines: list[str]) -> Text:
    text = Text()
    for line in lines:
        shown = escape_controls(line)
        if line.startswith(("+++", "---")):
            text.append(shown, style="bold")
        elif line.startswith("@@"):
            text.append(shown, style="cyan")
        elif line.startswith("+"):
            text.append(shown, style="green")
        elif line.startswith("-"):
            text.append(shown, style="red")
        else:
            text.append(shown)
        text.append("\n")
    return text


def _when(entry: HistoryEntry) -> str:
    return time.strftime("%H:%M:%S", time.localtime(entry.at))


def _url_cell(entry: HistoryEntry) -> str:
    """The URL, and beside it why there was no answer or why its body is raw."""
    why = (entry.error or "") if entry.status is None else entry.body_note
    return f"{entry.url}  {why}" if why else entry.url
