"""Textual's command palette, steady under a burst of keys. Each guard is a crash the seeded
random walk found in Textual 8.2.8 (a plain App crashes on them too); each leaves the palette as
if the key had come a moment later."""

from __future__ import annotations

import contextlib

from textual import command
from textual.app import App
from textual.await_complete import AwaitComplete
from textual.css.query import NoMatches
from textual.theme import ThemeProvider


class CommandPalette(command.CommandPalette):
    def _action_command_list(self, action: str) -> None:
        # Page Down before the list has a size: there is no page to move by yet.
        with contextlib.suppress(KeyError, IndexError):
            super()._action_command_list(action)

    def _watch__list_visible(self) -> None:
        # Results that arrive after Escape closed the palette.
        with contextlib.suppress(NoMatches):
            super()._watch__list_visible()

    def dismiss(self, result: None = None) -> AwaitComplete:
        if self.app.screen is not self:
            return AwaitComplete()  # an Enter or Escape of the same burst closed it already
        return super().dismiss(result)


class SteadyPalettes(App[None]):
    """Every palette the app opens is the steady one: the commands, and the themes."""

    def action_command_palette(self) -> None:
        # Not only the top screen: a palette under a dialog (one a command of it opened) is
        # still in the stack, and a second one with its id is DuplicateIds (the random walk).
        if self.use_command_palette and not any(isinstance(s, command.CommandPalette) for s in self.screen_stack):
            self.push_screen(CommandPalette(id="--command-palette"))

    def search_themes(self) -> None:
        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder="Search for themes…"))

