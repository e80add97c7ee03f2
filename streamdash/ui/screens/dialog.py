"""The base of every dialog: a modal screen that stays steady under a burst of keys.

Over a slow SSH link keys arrive in bursts: `r` and the new name in one read. Textual hands each
key to the widget focused when it reads it, and runs the binding of `r` later, so the name went
to the tree under the dialog (where `e` opened the editor and `p` paused the log), or to a
dialog with nothing focused yet: lost. Here every key of the burst comes to the dialog (the app
sends on those that reach it from the screen below, see `StreamdashApp.on_key`), is kept until
the dialog is focused, and is given, in order, to the widget that gets the focus (or to the
dialog itself when nothing in it takes focus). A second Enter or Escape of the same burst finds
the dialog closed already and is ignored, where Textual would pop the screen under it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from textual import events
from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen
from textual.widget import Widget

from streamdash.ui.safety import SafeDispatch

ResultType = TypeVar("ResultType")

__all__ = ["Dialog"]


class Dialog(SafeDispatch, ModalScreen[ResultType]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._early: list[events.Key] = []
        self._taking_keys = False  # False until mounted and focused: keys wait in _early
        self._dismissed = False

    def on_key(self, event: events.Key) -> None:
        event.dialog = self  # type: ignore[attr-defined]  # it came through here (see the app)
        if not self._taking_keys:
            self._early.append(events.Key(event.key, event.character))
            event.stop()
            event.prevent_default()

    def receive(self, event: events.Key) -> None:
        """A key of this dialog's burst that went to the screen below it."""
        key = events.Key(event.key, event.character)
        if self._taking_keys:
            (self.focused or self)._forward_event(key)
        else:
            self._early.append(key)

    def watch_focused(self, focused: Widget | None) -> None:
        if focused is not None and not self._taking_keys:
            self._hand_over(focused)

    def on_mount(self) -> None:
        if not self.focus_chain:  # nothing to focus (a confirm): the keys are the dialog's own
            self._take_keys()
        else:  # the focus comes as the screen is shown (watch_focused); never hold keys long
            self.set_timer(0.5, self._take_keys)

    def _take_keys(self) -> None:
        if not self._taking_keys:
            self._hand_over(self.focused or self)

    def _hand_over(self, target: Widget) -> None:
        self._taking_keys = True
        early, self._early = self._early, []
        for key in early:
            target._forward_event(key)

    def dismiss(self, result: ResultType | None = None) -> AwaitComplete:
        if self._dismissed or self.app.screen is not self:
            return AwaitComplete()  # closed already by an earlier key of the same burst
        self._dismissed = True
        return super().dismiss(result)
