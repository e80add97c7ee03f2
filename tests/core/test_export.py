"""Exports: JSON lines or CSV by the file's ending, written whole."""

from __future__ import annotations

import csv
import json

from streamdash.core.buffer import make_entry
from streamdash.core.export import export_events, export_stats
from streamdash.core.sse.events import Event

ENTRIES = [make_entry(0, "s", Event("m", 'a, "quoted"\nline two', "1", received_at=0.5)),
           make_entry(1, "s", Event("t", "\u00e9", "", received_at=1.0))]


def test_jsonl_and_csv_keep_the_data_exact(tmp_path):
    assert export_events(ENTRIES, tmp_path / "e.jsonl") == 2
    rows = [json.loads(line) for line in (tmp_path / "e.jsonl").read_text().splitlines()]
    assert rows[0] == {"received_at": "1970-01-01T00:00:00.500000Z", "stream": "s", "event": "m",
                       "id": "1", "data": 'a, "quoted"\nline two'}
    export_events(ENTRIES, tmp_path / "sub" / "e.CSV")
    with open(tmp_path / "sub" / "e.CSV", newline="", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert [r["data"] for r in table] == ['a, "quoted"\nline two', "\u00e9"]


def test_stats_snapshot(tmp_path):
    export_stats([{"name": "s", "events": 3}], {"requests": 0}, tmp_path / "s.json", at=0.0)
    assert json.loads((tmp_path / "s.json").read_text())["streams"][0]["events"] == 3


async def test_an_export_never_holds_a_secret_the_server_echoed(tmp_path, raw_server, monkeypatch):
    """A stream whose events repeat the credentials it was sent: the dashboard's export (events
    and stats) masks them; the collection's own secrets and the literal ones alike."""
    import asyncio

    from streamdash.core.collections import load_collection
    from streamdash.core.session import Session

    async def echoing(conn):
        await conn.start()
        said = f"{conn.request.header('Authorization')} {conn.request.header('X-API-Key')}"
        await conn.send(f"id: 1\ndata: {said}\n\n".encode())
        await asyncio.sleep(5)

    raw_server.handler = echoing
    monkeypatch.setenv("SD_EXPORT_TOKEN", "export-env-token-0123456")
    root = tmp_path / "c"
    root.mkdir()
    (root / "collection.toml").write_text(f'name = "c"\n[variables]\nbase = "{raw_server.url}"\n')
    (root / "feed.toml").write_text(
        'name = "feed"\nkind = "sse"\nurl = "{{base}}/feed"\n'
        '[headers]\nAuthorization = "Bearer {{env:SD_EXPORT_TOKEN}}"\nX-API-Key = "literal-export-key-789"\n'
    )
    session = Session(load_collection(root), recordings_dir=tmp_path / "rec")
    try:
        session.start(session.find("feed"))
        for _ in range(500):
            if len(list(session.buffer)) >= 1 and any("export" in e[3] for e in list(session.buffer)):
                break
            await asyncio.sleep(0.01)
        entries = [e for e in list(session.buffer) if "export" in e[3]]
        assert entries and "export-env-token-0123456" in entries[0][3]  # the echo is in the log
        session.export_events(entries, tmp_path / "out.jsonl")
        session.export_events(entries, tmp_path / "out.csv")
        session.export_stats(tmp_path / "stats.json")
    finally:
        await session.aclose()
    for name in ("out.jsonl", "out.csv", "stats.json"):
        text = (tmp_path / name).read_text()
        assert "export-env-token-0123456" not in text and "literal-export-key-789" not in text, name
    assert "Bearer ••••" in (tmp_path / "out.jsonl").read_text()
