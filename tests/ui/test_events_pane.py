"""The events pane behind a dialog or the palette: Textual repaints the whole screen under a modal
on every change beneath it (measured in tmux at 160x48 with the demo: ~280-300 KiB/s to the terminal
with the jump-to-time dialog open, ~60 KiB/s without), so the log is not written while covered, and
catches up from the buffer when the dialog closes: nothing is lost."""

from __future__ import annotations

from streamdash.core.buffer import SEQ
from streamdash.ui.launch import build_app
from streamdash.ui.screens.dialogs import CheckedPromptScreen
from streamdash.ui.widgets.event_log import EventLog
from tests.ui.pilot import wait_for
from tests.ui.test_app_evidence import one_stream
from tests.ui.test_heartbeats import pinging


async def test_the_log_is_not_written_while_a_dialog_covers_it_and_catches_up_after(raw_server, tmp_path):
    raw_server.handler = pinging(pause=0.02)
    app = build_app(one_stream(tmp_path, raw_server.url), autostart=("watch",))
    async with app.run_test(size=(160, 48)) as pilot:
        log = app.query_one(EventLog)
        pane = app.events_pane
        await wait_for(pilot, lambda: len(log.entries) >= 5)
        log.focus()
        await pilot.press("t")  # jump to a time: a modal dialog over the log
        await wait_for(pilot, lambda: isinstance(app.screen, CheckedPromptScreen), what="the dialog")
        writes, arrived = pane.log_writes, app.session.buffer.next_seq
        await wait_for(pilot, lambda: app.session.buffer.next_seq >= arrived + 10, what="more events")
        await pilot.pause(0.2)
        assert pane.log_writes == writes  # covered: not one write
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CheckedPromptScreen))
        newest = app.session.buffer.next_seq - 1
        await wait_for(pilot, lambda: log.entries and log.entries[-1][SEQ] >= newest, what="the catch-up")
        seqs = [entry[SEQ] for entry in log.entries]
        assert seqs == list(range(seqs[0], seqs[-1] + 1))  # nothing lost while covered
        assert log.following
