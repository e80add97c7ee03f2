"""A server that drops the connection mid-line, again and again, and resumes from Last-Event-ID.

What a watcher meets on a bad day: `events` numbered events, `drops` seeded cuts each in the middle
of an event's data line, alternating a clean close (FIN) and a reset (RST) by a seeded draw. Each
connection starts with `retry: 10`, resumes after the Last-Event-ID it was sent, and uses up one
cut; so every connection but the last delivers at least one new event.
"""

from __future__ import annotations

import asyncio
import random

from tests.helpers.raw_server import Conn, Handler


def event_bytes(n: int) -> bytes:
    return b"id: %d\ndata: {\"seq\": %d, \"pad\": \"%s\"}\n\n" % (n, n, b"x" * 40)


def flaky_events(events: int = 2000, drops: int = 40, seed: int = 10) -> tuple[Handler, list[str]]:
    """The handler, and a log of how each connection ended ("fin" or "rst" or "end")."""
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(2, events), drops))  # event numbers cut in their data line
    kinds = [rng.choice(("fin", "rst")) for _ in cuts]
    log: list[str] = []

    async def handler(conn: Conn) -> None:
        start = int(conn.request.header("Last-Event-ID") or 0) + 1
        await conn.start()
        await conn.send(b"retry: 10\n\n")
        cut = next((i for i, n in enumerate(cuts) if n >= start), None)
        last = events if cut is None else cuts[cut] - 1
        for first in range(start, last + 1, 50):  # whole events, 50 to a write
            await conn.send(b"".join(event_bytes(n) for n in range(first, min(first + 50, last + 1))))
        if cut is None:
            log.append("end")
            await conn.end()
            return
        partial = event_bytes(cuts[cut])
        await conn.send(partial[: partial.index(b"data:") + 12])  # into the data line
        await asyncio.sleep(0.01)
        kind = kinds[cut]
        cuts[cut] = 0  # used up: the next connection sends this event whole
        log.append(kind)
        if kind == "rst":
            conn.drop()
        else:
            await conn.end()

    return handler, log
