"""`c` in the log: the selected event's JSON fields, to pick one as a column of its stream.

Each row is a dotted path and the value it has in this event, so a person picks by what they
see; the stream's current columns are ticked (picking one again takes it away).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static
from textual.widgets.option_list import Option

from streamdash.core.text import escape_controls
from streamdash.ui.screens.dialog import Dialog
from streamdash.ui.widgets.option_list import OptionList

VALUE_W = 40


class ColumnPickerScreen(Dialog[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, stream: str, fields: list[tuple[str, str]], columns: tuple[str, ...]) -> None:
        super().__init__()
        self.stream = stream
        self.fields = fields
        self.columns = columns

    def compose(self) -> ComposeResult:
        width = max((len(path) for path, _ in self.fields), default=4)
        options = []
        for path, value in self.fields:
            mark = "\u2713" if path in self.columns else " "
            shown = escape_controls(value)
            if len(shown) > VALUE_W:
                shown = shown[: VALUE_W - 1] + "\u2026"
            options.append(Option(Text(f"{mark} {escape_controls(path).ljust(width)}  {shown}"), id=path))
        with Vertical(classes="dialog small", id="column-picker"):
            yield Static(
                f"A column of {escape_controls(self.stream)}: pick a field",
                classes="dialog-title",
                markup=False,
            )
            yield OptionList(*options, id="column-fields")
            yield Static("Enter: add or remove   Esc: cancel", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
