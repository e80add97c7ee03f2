"""The filter line above the log: the expression, its scope, invert, and what it matched."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Static

PLACEHOLDER = "filter: words  /regex/  type:price  stream:logs  level=error  price>100  -negate"


class FilterBar(Horizontal):
    """Widgets only; the app owns the filter and tells this bar what to show."""

    def compose(self) -> ComposeResult:
        yield Static("all", id="filter-scope", classes="filter-chip", markup=False)
        yield Input(placeholder=PLACEHOLDER, id="filter-input", select_on_focus=False)
        yield Static("", id="filter-invert", classes="filter-chip", markup=False)
        yield Static("", id="filter-status", markup=False)
        yield Static("", id="filter-badge", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one("#filter-input", Input)

    def show_scope(self, scope: str | None) -> None:
        self.query_one("#filter-scope", Static).update(scope or "all")

    def show_invert(self, invert: bool) -> None:
        chip = self.query_one("#filter-invert", Static)
        chip.update("NOT" if invert else "")
        chip.set_class(invert, "-on")

    def show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#filter-status", Static)
        status.update(text)
        status.set_class(error, "-error")
        self.set_class(error, "-error")

    def show_badge(self, text: str) -> None:
        badge = self.query_one("#filter-badge", Static)
        badge.update(text)
        badge.display = bool(text)
