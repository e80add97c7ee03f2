"""The dashboard's buffer against both bounds (issue 10, 3b): a real server sends big events
into a small byte bound; the stats say how full the buffer is and how many it evicted, and the
log and the filter work over what is retained."""

from __future__ import annotations

from textual.widgets import Static

from streamdash.core.buffer import ID, TYPE, entry_bytes
from streamdash.ui.launch import build_app
from streamdash.ui.widgets.event_log import EventLog
from tests.helpers.raw_server import Conn
from tests.ui.test_app import wait_for
from tests.ui.test_app_evidence import one_stream

BIG = 32 * 1024
TOTAL = 40


async def big_events(conn: Conn) -> None:
    await conn.start()
    for n in range(1, TOTAL + 1):
        kind = "alert" if n % 5 == 0 else "chunk"
        await conn.send(f"id: {n}\nevent: {kind}\ndata: {'x' * BIG}\n\n".encode(), 0.005)
    await conn.end()


async def test_big_events_into_a_small_byte_bound(raw_server, tmp_path):
    raw_server.handler = big_events
    bound = 8 * BIG
    app = build_app(
        one_stream(tmp_path, raw_server.url, "reconnect = false"),
        buffer_size=1000,
        buffer_bytes=bound,
        autostart=("watch",),
    )
    async with app.run_test(size=(160, 48)) as pilot:
        buffer = app.session.buffer
        peak = 0

        def arrived() -> bool:
            nonlocal peak
            peak = max(peak, buffer.bytes)
            return buffer.next_seq == TOTAL

        await wait_for(pilot, arrived)
        assert peak <= bound + len("chunk") + BIG + 2  # the bound, plus one entry at most
        assert buffer.bytes == sum(entry_bytes(e) for e in buffer) <= bound
        retained = len(buffer)
        assert 0 < retained < TOTAL and buffer.evicted == TOTAL - retained
        app.refresh_stats()
        await pilot.pause()
        line = str(app.query_one("#stats-buffer", Static).render())
        assert f"{retained:,} of 1,000 events" in line
        assert "of 256.0 KiB" in line and f"evicted {TOTAL - retained:,}" in line

        await pilot.pause(0.2)
        log = app.query_one(EventLog)
        assert [int(e[ID]) for e in log.entries] == list(range(TOTAL - retained + 1, TOTAL + 1))
        app.events_pane.filter_bar.input.value = "type:alert"
        app.events_pane.apply_filter()
        await pilot.pause()
        alerts = [n for n in range(TOTAL - retained + 1, TOTAL + 1) if n % 5 == 0]
        assert [int(e[ID]) for e in log.entries] == alerts
        assert all(e[TYPE] == "alert" for e in log.entries)
