"""Where keys go. Textual gives a key to the widget focused when it reads it and runs a binding
when the key has come back up, so in a burst (fast typing, or keys batched by a slow SSH link)
the keys typed after one that opens a dialog or moves the focus went to the old place. Here they
follow the focus; and the dashboard's own keys wait while a dialog is on top."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Input, TextArea

from streamdash.ui.screens.dialog import Dialog

ANYWHERE = frozenset({"toggle_help", "quit", "suspend_process", "redraw"})


def takes_letters(widget: object) -> bool:
    """A text box that types every letter it gets (a read-only one lets them pass up)."""
    return isinstance(widget, Input) or (isinstance(widget, TextArea) and not widget.read_only)


class KeyRouting(App[None]):
    _dashboard_actions: frozenset[str] | None = None

    @property
    def panes_screen(self) -> Screen[Any]:
        """The dashboard's own screen, also while a dialog is on top of it."""
        return self.screen_stack[0]

    def on_key(self, event: Key) -> None:
        """Type-ahead follows the focus. Textual gives a key to the widget focused when it reads
        it, and runs a binding when the key has come back up, so in a burst the keys after `r`
        or `/` went to the tree and were lost. A key that comes up from the screen under a dialog
        was typed for the dialog; a letter that comes up while a text box has the focus did not
        go through it (it would have taken it) and was typed for it. Both are passed on."""
        screen = self.screen
        if isinstance(screen, Dialog) and getattr(event, "dialog", None) is not screen:
            screen.receive(event)
        elif event.is_printable and takes_letters(self.focused):
            self.focused._forward_event(Key(event.key, event.character))  # type: ignore[union-attr]
        else:
            return
        event.stop()
        event.prevent_default()

    def action_redraw(self) -> None:
        """Ctrl+L, as in every terminal program: paint every cell again (a stray write from
        another process, or a multiplexer's garbage, leaves the terminal unlike Textual's picture
        of it). It forgets nothing: clearing the events is a palette command that asks first."""
        for screen in self.screen_stack:
            screen.refresh(layout=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The dashboard's own keys wait while a dialog is on top: "/" typed into a confirm
        must not move the focus to the filter under it."""
        own = type(self)._dashboard_actions
        if own is None:  # the app's own bindings, but those that work anywhere
            own = frozenset(
                b.action.partition("(")[0] for b in type(self).BINDINGS if isinstance(b, Binding)
            ) - ANYWHERE
            type(self)._dashboard_actions = own
        return action not in own or self.screen is self.panes_screen
