"""Importing a file from another tool into the open collection, and exporting the collection,
from the app: the same core functions `streamdash import` and `streamdash export` call, then
the session reads the collection again. Every outcome is one notice."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from streamdash.core.collections.models import Collection, CollectionError
from streamdash.core.collections.storage import atomic_write
from streamdash.core.exporters.collection import export_collection
from streamdash.core.importers.detect import read_import
from streamdash.core.importers.model import ImportRefused
from streamdash.core.importers.save import save_import
from streamdash.core.session.events import Severity


class _Session(Protocol):
    """What of the session an import or export uses (a protocol: the session owns it, no cycle)."""

    collection: Collection

    def notice(self, text: str, title: str = "", severity: Severity = "information",
               timeout: float | None = None) -> None: ...

    def reload(self) -> None: ...

__all__ = ["Transfers"]

_SHOWN = 8  # warnings in the one notice; the command line prints them all


class Transfers:
    def __init__(self, session: _Session) -> None:
        self.session = session

    def import_file(self, path: Path) -> int:
        """Requests imported (0 on a refusal, which a notice explains)."""
        session = self.session
        try:
            imported = read_import(path)
            saved = save_import(imported, session.collection.root)
        except (ImportRefused, CollectionError) as exc:
            session.notice(str(exc), "not imported", "error", 10)
            return 0
        except OSError as exc:
            session.notice(f"{session.collection.root}: {exc.strerror or exc}", "not imported", "error", 10)
            return 0
        session.reload()
        session.notice(f"{saved.summary()} (read as: {imported.format})", "imported", timeout=10)
        if saved.warnings:
            shown = saved.warnings[:_SHOWN]
            more = len(saved.warnings) - len(shown)
            tail = [f"... and {more} more (streamdash import FILE lists every one)"] if more else []
            session.notice("\n".join([*shown, *tail]), f"left out by the import ({len(saved.warnings)})", "warning", 15)
        return saved.requests

    def export(self, fmt: str, target: Path) -> Path | None:
        session = self.session
        target = target.expanduser()
        text, left_out = export_collection(session.collection.root, fmt)
        try:
            atomic_write(target, text)
        except OSError as exc:
            session.notice(f"{target}: {exc.strerror or exc}", "not exported", "error", 10)
            return None
        note = f"; left out: {'; '.join(left_out)}" if left_out else ""
        session.notice(f"exported {session.collection.name or session.collection.root.name} to {target}{note}",
                       "exported", timeout=8)
        return target
