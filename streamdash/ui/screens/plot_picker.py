"""Choosing what to plot (EventLog `v`): the numbers in the selected event's JSON, by path and
value, so a person picks `price` from what the event holds rather than typing a path."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static
from textual.widgets.option_list import Option

from streamdash.ui.screens.dialog import Dialog
from streamdash.ui.widgets.option_list import OptionList

ROOT = "\x00root"  # the option id of the document itself when the data is one number


class PlotPickerScreen(Dialog[str | None]):
    """Dismisses with the chosen dotted path ("" for the whole data), or None when cancelled."""

    BINDINGS = [Binding("escape,q", "cancel", "Cancel")]

    def __init__(self, stream: str, paths: list[tuple[str, float]]) -> None:
        super().__init__()
        self.stream = stream
        self.paths = paths

    def compose(self) -> ComposeResult:
        width = max((len(path) for path, _ in self.paths), default=4)
        options = [
            Option(
                Text.assemble((path or "(the data)").ljust(width), "  ", (f"{value:g}", "bold")),
                id=path or ROOT,
            )
            for path, value in self.paths
        ]
        with Vertical(classes="dialog small", id="plot-picker"):
            title = f"Plot a field of {self.stream} (Enter: plot it, Esc: cancel)"
            yield Static(title, classes="dialog-title", markup=False)
            yield OptionList(*options, id="plot-list")

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        listing.highlighted = 0
        listing.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id
        self.dismiss("" if option_id in (None, ROOT) else option_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
