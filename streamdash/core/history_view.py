"""A history entry as text to read, and two entries of one request compared line by line.

What shows is what the history kept: already masked when it was written (see history.py), the
body capped at its limit. A JSON body is laid out one field per line, so a diff names the field
that changed rather than one long line.
"""

from __future__ import annotations

import difflib
import json
import time
from collections.abc import Sequence

from streamdash.core.history import HistoryEntry

__all__ = ["DiffRefused", "diff_entries", "entry_lines", "status_text"]


class DiffRefused(ValueError):
    """Two entries that cannot be compared; `str()` says why in one line."""


def status_text(entry: HistoryEntry) -> str:
    if entry.status is None:
        return f"no answer: {entry.error or 'unknown error'}"
    return f"{entry.status} {entry.reason}".rstrip()


def _when(entry: HistoryEntry) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.at))


def _body_lines(entry: HistoryEntry) -> list[str]:
    body = entry.response_body
    if not body:
        return []
    try:
        document = json.loads(body)
    except ValueError:
        lines = body.splitlines()
    else:
        lines = json.dumps(document, indent=2, ensure_ascii=False).splitlines()
    if entry.body_cut:
        lines.append(f"... (cut: the history keeps the first {len(body):,} characters)")
    return lines


SENT_BODY_LINES = 40


def entry_lines(entry: HistoryEntry, *, with_time: bool = True) -> list[str]:
    """The request line, the status, what was sent (`> `), the answer's headers, a blank line,
    the body."""
    lines = [f"{entry.method} {entry.url}"]
    if with_time:
        lines.append(f"sent {_when(entry)} \u00b7 {entry.elapsed_s * 1000:.0f} ms \u00b7 {entry.size:,} B")
    lines.append(status_text(entry))
    if entry.body_note:
        lines.append(entry.body_note)
    # What went out, as curl -v marks it (kept since the history keeps it): headers, then the body.
    lines += [f"> {name}: {value}" for name, value in entry.sent_headers]
    if entry.sent_body:
        sent = entry.sent_body.splitlines()
        lines += [f"> {line}" for line in sent[:SENT_BODY_LINES]]
        if len(sent) > SENT_BODY_LINES:
            lines.append(f"> ... ({len(sent) - SENT_BODY_LINES:,} more lines)")
    lines += [f"{name}: {value}" for name, value in entry.response_headers]
    return [*lines, "", *_body_lines(entry)]


def diff_entries(older: HistoryEntry, newer: HistoryEntry, *, context: int = 3) -> list[str]:
    """A unified diff of what two sends of the same request got back (older first). Headers
    that change on every answer (Date, ...) are compared too: they are what was kept."""
    if (older.key or older.name) != (newer.key or newer.name) or older.collection != newer.collection:
        raise DiffRefused(f"{older.name!r} and {newer.name!r} are different requests: pick two sends of one")
    if older.at > newer.at:
        older, newer = newer, older
    a = entry_lines(older, with_time=False)
    b = entry_lines(newer, with_time=False)
    out = list(difflib.unified_diff(a, b, f"{older.name} {_when(older)}", f"{newer.name} {_when(newer)}",
                                    n=context, lineterm=""))
    return out or [f"--- {older.name} {_when(older)}", f"+++ {newer.name} {_when(newer)}", "(the same answer)"]


def count_changes(lines: Sequence[str]) -> tuple[int, int]:
    """(lines removed, lines added) of a unified diff."""
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    return removed, added
