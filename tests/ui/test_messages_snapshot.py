"""A snapshot of the messages screen (Ctrl+N, issue 11 item 7): every notification whole and
wrapped, newest first, also the long filter error that the filter bar cuts at 80 columns. Made like
tests/ui/test_snapshots.py (fixed events, frozen clock, TZ=UTC)."""

from __future__ import annotations

from streamdash.ui.message_log import MessageLog, Said
from streamdash.ui.screens.messages import MessagesScreen
from tests.ui.pilot import wait_for
from tests.ui.test_snapshots import (  # noqa: F401 - the fixtures are used by name
    FIXED_EPOCH,
    SIZES,
    collection_dir,
    fill,
    frozen_perf_counter,
    make_app,
    utc,
)

SAID = (
    Said(FIXED_EPOCH - 40, "information", "", "Switched to staging: base_url = https://staging.example.com"),
    Said(FIXED_EPOCH - 20, "warning", "ticker", "ticker: reconnecting in 2.0 s after the server closed the stream"),
    Said(
        FIXED_EPOCH - 5,
        "error",
        "filter",
        "unclosed regex at column 12; a / starts a regex, quote the word to search for the text: '/api'",
    ),
)


@SIZES
def test_messages_screen(snap_compare, collection_dir, size):  # noqa: F811
    async def run_before(pilot) -> None:
        app = await fill(pilot)
        kept = MessageLog()
        kept._said.extend(SAID)  # fixed times: what the screen draws is the same on any run
        app.message_log = kept
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen), what="the messages")
        await pilot.pause()

    assert snap_compare(make_app(collection_dir), terminal_size=size, run_before=run_before)
