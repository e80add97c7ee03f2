"""Every notification of the session, newest first, each whole and wrapped (Ctrl+N): a toast
goes in seconds and a narrow place cuts a line where its useful part often is."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Static

from streamdash.core.text import escape_controls
from streamdash.ui.message_log import Said
from streamdash.ui.screens.dialog import Dialog


class MessagesScreen(Dialog[None]):
    BINDINGS = [Binding("escape,q", "dismiss(None)", "Close")]

    def __init__(self, said: list[Said]) -> None:
        super().__init__()
        self.said = said

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="messages"):
            count = len(self.said)
            yield Static(f"Messages: {count}, newest first", classes="dialog-title", markup=False)
            with VerticalScroll(id="messages-list"):
                if not self.said:
                    yield Static("nothing said yet", markup=False)
                for said in self.said:
                    head = f"{said.when()}  {said.severity}" + (f"  {said.title}" if said.title else "")
                    yield Static(
                        f"{escape_controls(head)}\n{escape_controls(said.text)}",
                        classes=f"message -{said.severity}",
                        markup=False,
                    )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#messages-list").focus()
