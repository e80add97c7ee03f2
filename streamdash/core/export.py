"""Writing what the dashboard holds to files: the (filtered) events as JSON lines or CSV, and a
stats snapshot as JSON. Writes are atomic, so an export is whole or absent."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from streamdash.core.buffer import LogEntry
from streamdash.core.collections import atomic_write

COLUMNS = ("received_at", "stream", "event", "id", "data")


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _row(entry: LogEntry) -> dict[str, str]:
    _, stream, kind, data, ident, received_at = entry
    return {"received_at": _iso(received_at), "stream": stream, "event": kind, "id": ident, "data": data}


def export_events(entries: Sequence[LogEntry], path: Path) -> int:
    """`.csv` writes CSV (a header row, then one row per event); anything else JSON lines."""
    if path.suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_row(entry) for entry in entries)
        text = buffer.getvalue()
    else:
        text = "".join(json.dumps(_row(entry), ensure_ascii=False) + "\n" for entry in entries)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text)
    return len(entries)


def export_stats(streams: Iterable[Any], rest: Any, path: Path, *, at: float) -> None:
    def plain(value: Any) -> Any:
        # A dataclass instance, not a dataclass itself (which asdict refuses).
        return asdict(value) if is_dataclass(value) and not isinstance(value, type) else value

    document = {"taken_at": _iso(at), "streams": [plain(s) for s in streams], "rest": plain(rest)}
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")
