"""The filter box's history: applied filter texts, newest last, in a JSON file in the state folder.

Kept apart from the request history (core/history.py): it is tiny, rewritten whole (atomically)
on each addition, and a damaged file must never stop the filter box working, so `load` hands back
an empty history plus a one-line notice instead of raising.
"""

from __future__ import annotations

import json
from pathlib import Path

from streamdash.core.collections import atomic_write
from streamdash.core.files import read_regular_file

__all__ = ["FILTER_HISTORY_FILE", "MAX_FILTERS", "FilterHistory", "HistoryWalk"]

FILTER_HISTORY_FILE = "filter-history.json"
MAX_FILTERS = 200


class FilterHistory:
    """Bounded list of filter texts; no empty text, no two equal texts in a row."""

    def __init__(self, path: Path | None, entries: list[str] | None = None) -> None:
        self.path = path
        self.entries: list[str] = list(entries or [])[-MAX_FILTERS:]

    @classmethod
    def load(cls, state_dir: Path) -> tuple[FilterHistory, str | None]:
        """The history in `state_dir`, and a notice if the file was there but unusable."""
        path = state_dir / FILTER_HISTORY_FILE
        try:
            raw = read_regular_file(path)
        except FileNotFoundError:
            return cls(path), None
        except OSError as error:
            return cls(path), f"Filter history not read ({error.strerror or error})"
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return cls(path), f"Filter history {path.name} is damaged; starting a new one"
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            return cls(path), f"Filter history {path.name} is damaged; starting a new one"
        return cls(path, [item for item in data if item.strip()]), None

    def add(self, text: str) -> bool:
        """Record `text`; False (and nothing written) if empty or the same as the newest."""
        text = text.strip()
        if not text or (self.entries and self.entries[-1] == text):
            return False
        self.entries.append(text)
        del self.entries[:-MAX_FILTERS]
        self.save()
        return True

    def save(self) -> None:
        """Write the file whole; raises OSError for the caller to report."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps(self.entries, ensure_ascii=False, indent=0) + "\n")


class HistoryWalk:
    """Up/Down through the history from what is being typed: Down past the newest gives the
    typed text back. Reset (a new walk) whenever the user types."""

    def __init__(self, entries: list[str], typed: str) -> None:
        self.entries = entries
        self.typed = typed
        self.index = len(entries)  # == len: at the typed text

    def older(self) -> str | None:
        if self.index == 0:
            return None
        self.index -= 1
        return self.entries[self.index]

    def newer(self) -> str | None:
        if self.index >= len(self.entries):
            return None
        self.index += 1
        return self.typed if self.index == len(self.entries) else self.entries[self.index]
