"""The steady OptionList: Page Down or Up before the list's first layout (the environment list
opened and a key at once, found by the seeded random walk, seed 1) was a KeyError in Textual."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.screen import ModalScreen

from streamdash.ui.widgets.option_list import OptionList


class Listing(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield OptionList("none", "staging", "production")

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        listing.highlighted = 1
        listing.action_page_down()  # before its first layout
        listing.action_page_up()


async def test_page_keys_before_the_first_layout_are_no_ops():
    app = App()
    async with app.run_test(size=(60, 16)) as pilot:
        app.push_screen(Listing())
        await pilot.pause()
        assert app.screen.query_one(OptionList).highlighted in (0, 1, 2)
        await pilot.press("pagedown")
        assert app.screen.query_one(OptionList).highlighted == 2
