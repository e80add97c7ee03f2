"""Writing what the dashboard holds to files: the (filtered) events as JSON lines or CSV, and a
stats snapshot as JSON. Writes are atomic, so an export is whole or absent. The secrets the
session knows by value are masked in what is written: a server may echo what it was sent."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from streamdash.core.buffer import LogEntry
from streamdash.core.collections import atomic_write
from streamdash.core.http.secrets import mask_secrets

COLUMNS = ("received_at", "stream", "event", "id", "data")


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _row(entry: LogEntry, secrets: Collection[str] = ()) -> dict[str, str]:
    _, stream, kind, data, ident, received_at = entry
    if secrets:
        kind, data, ident = (mask_secrets(text, secrets) for text in (kind, data, ident))
    return {"received_at": _iso(received_at), "stream": stream, "event": kind, "id": ident, "data": data}


def export_events(entries: Sequence[LogEntry], path: Path, secrets: Collection[str] = ()) -> int:
    """`.csv` writes CSV (a header row, then one row per event); anything else JSON lines.
    Each of `secrets` is masked wherever it appears in an event."""
    if path.suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_row(entry, secrets) for entry in entries)
        text = buffer.getvalue()
    else:
        text = "".join(json.dumps(_row(entry, secrets), ensure_ascii=False) + "\n" for entry in entries)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text)
    return len(entries)


def export_stats(
    streams: Iterable[Any], rest: Any, path: Path, *, at: float, secrets: Collection[str] = ()
) -> None:
    def plain(value: Any) -> Any:
        # A dataclass instance, not a dataclass itself (which asdict refuses).
        return asdict(value) if is_dataclass(value) and not isinstance(value, type) else value

    document = {"taken_at": _iso(at), "streams": [plain(s) for s in streams], "rest": plain(rest)}
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
    atomic_write(path, mask_secrets(text, secrets))
