"""Which panes show. From NARROW_WIDTH columns down one pane shows at a time (F2-F5 switch) and
focus always sits on what shows. The classes go on the main screen even while a dialog is on
top, so a resize under a dialog leaves no wide layout squeezed into a narrow terminal."""

from __future__ import annotations

from textual.screen import Screen
from textual.widget import Widget

__all__ = ["NARROW_WIDTH", "PANES", "PaneSwitcher"]

NARROW_WIDTH = 110
PANES = ("requests", "events", "response", "stats", "chart")
FOCUS = {
    "requests": "#requests",
    "events": "#log",
    "response": "#response-body",
    "stats": "#stats-streams",
    "chart": "#chart",
}


class PaneSwitcher:
    def __init__(self, screen: Screen[object]) -> None:
        self.screen = screen
        self.pane = "events"

    @property
    def narrow(self) -> bool:
        return self.screen.has_class("-narrow")

    def shows(self, pane: str) -> bool:
        return not self.narrow or self.pane == pane

    def apply(self, width: int) -> None:
        screen = self.screen
        screen.set_class(width < NARROW_WIDTH, "-narrow")
        for pane in PANES:
            screen.query_one(f"#{pane}").set_class(pane == self.pane, "-active")
        screen.query_one("#center").set_class(self.pane in ("events", "response", "chart"), "-active")
        screen.query_one("#main").set_class(self.pane != "stats", "-active")
        focused = screen.focused
        if self.narrow and focused is not None and not self._inside(focused, self.pane):
            screen.set_focus(screen.query_one(FOCUS[self.pane]))

    def show(self, pane: str, width: int) -> None:
        self.pane = pane
        self.apply(width)
        self.screen.set_focus(self.screen.query_one(FOCUS[pane]))

    def _inside(self, widget: Widget, pane: str) -> bool:
        node: Widget | None = widget
        container = self.screen.query_one(f"#{pane}")
        while node is not None and node is not self.screen:
            if node is container:
                return True
            node = node.parent if isinstance(node.parent, Widget) else None
        return False
