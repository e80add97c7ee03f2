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
