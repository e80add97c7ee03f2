"""Choosing the environment (F6): a list, not a cycle, so the next key press never lands in
production by accident. A production environment is marked, and choosing it asks first."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from streamdash.core.collections.environments import Environment
from streamdash.ui.screens.dialog import Dialog
from streamdash.ui.screens.dialogs import CarefulConfirmScreen

NONE = "\x00none"  # the option id of "no environment" (no file may be named so)


class EnvironmentScreen(Dialog[tuple[str | None] | None]):
    """Dismisses with `(name,)` (`(None,)`: no environment), or None when cancelled."""

    BINDINGS = [Binding("escape,q", "cancel", "Cancel")]

    def __init__(self, environments: Mapping[str, Environment], current: str | None) -> None:
        super().__init__()
        self.environments = environments
        self.current = current

    def compose(self) -> ComposeResult:
        options = [Option(self._label(None), id=NONE)]
        options += [Option(self._label(name), id=name) for name in self.environments]
        with Vertical(classes="dialog small", id="environments"):
            yield Static("Environment (Enter: use it, Esc: keep the current one)", classes="dialog-title", markup=False)
            yield OptionList(*options, id="environment-list")

    def _label(self, name: str | None) -> Text:
        text = Text("\u25cf " if name == self.current else "  ")
        text.append(name or "no environment")
        env = self.environments.get(name) if name else None
        if env is not None and env.production:
            text.append("  \u26a0 PRODUCTION", style="bold")
        return text

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        names = [None, *self.environments]
        listing.highlighted = names.index(self.current) if self.current in names else 0
        listing.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id
        name = None if option_id in (None, NONE) else option_id
        env = self.environments.get(name) if name else None
        if env is None or not env.production or name == self.current:
            self.dismiss((name,))
            return

        def confirmed(yes: bool | None) -> None:
            # No keeps the environment in use and closes the list: nothing half-chosen stays up.
            self.dismiss((name,) if yes else None)

        self.app.push_screen(
            CarefulConfirmScreen(f"Use the PRODUCTION environment {name!r}? Requests and running "
                          "streams will go to its servers."),
            confirmed,
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
