"""Textual's Input and TextArea with their own bound keys run in the order they were typed.

Textual inserts a printable key at once, but runs a widget's bound keys (backspace, arrows,
ctrl+k...) only after they bubble up to the app, so in a burst (fast typing, or keys batched
by a slow SSH link) a backspace lands after the letters typed after it (textualize/textual
#6605, open). Here the widget's own non-priority bindings run inline, in order; every other key
goes on as before.

Tab and Shift+Tab move the focus inline too, and a letter that reaches a box after the focus
left it goes on to the box that has the focus now: otherwise "name", Tab, "filter" typed fast
into a form all landed in the name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual import widgets as textual_widgets

__all__ = ["Input", "TextArea"]

if TYPE_CHECKING:
    from textual.widget import Widget as _Base
else:
    _Base = object  # a plain mixin: a second Widget base in the MRO stops the app mounting


def _types_letters(widget: object) -> bool:
    return isinstance(widget, textual_widgets.Input) or (
        isinstance(widget, textual_widgets.TextArea) and not widget.read_only
    )


class _InOrder(_Base):
    async def _on_key(self, event: events.Key) -> None:
        # Textual calls each class's _on_key down the MRO; prevent_default() stops the rest.
        focused = self.screen.focused
        if focused is not None and focused is not self and _types_letters(focused):
            focused._forward_event(events.Key(event.key, event.character))  # typed for it
            event.stop()
            event.prevent_default()
            return
        if event.is_printable:
            return
        if event.key in ("tab", "shift+tab"):
            if event.key == "tab":
                self.screen.focus_next()
            else:
                self.screen.focus_previous()
            event.stop()
            event.prevent_default()
            return
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return


class Input(_InOrder, textual_widgets.Input):
    pass


class TextArea(_InOrder, textual_widgets.TextArea):
    pass
