"""Textual's OptionList, steady under keys that come before its first layout: Page Down on a
list that has not drawn yet raised KeyError in Textual 8.2 (`_index_to_line` is filled when it
renders), found by the seeded random walk on the environment list. Such a key is a no-op, as if
it had come a moment later."""

from __future__ import annotations

import contextlib

from textual.widgets import OptionList as TextualOptionList

__all__ = ["OptionList"]


class OptionList(TextualOptionList):
    def action_page_down(self) -> None:
        with contextlib.suppress(KeyError, IndexError):
            super().action_page_down()

    def action_page_up(self) -> None:
        with contextlib.suppress(KeyError, IndexError):
            super().action_page_up()
