"""The steady command palette: found by the seeded random walk (seed 1): with a palette in the
stack under another dialog (a command it ran opened one), Ctrl+P pushed a second palette with the
same id and Textual raised DuplicateIds."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

from streamdash.ui.palette import CommandPalette, SteadyPalettes


class Over(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static("a dialog over the palette")


class Bare(SteadyPalettes, App[None]):
    pass


async def test_ctrl_p_with_a_palette_under_a_dialog_does_not_push_a_second_one():
    app = Bare()
    async with app.run_test() as pilot:
        app.action_command_palette()
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        app.push_screen(Over())
        await pilot.pause()
        app.action_command_palette()  # before: DuplicateIds
        await pilot.pause()
        assert sum(isinstance(s, CommandPalette) for s in app.screen_stack) == 1
        assert isinstance(app.screen, Over)
