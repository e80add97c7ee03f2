"""What asks the user for a path: exporting the log or the stats, and copying the collection
somewhere to keep. Each prompt offers a default in the data folder."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App

from streamdash.core.config import Locations
from streamdash.ui.screens.dialogs import PromptScreen

if TYPE_CHECKING:
    from streamdash.core.session import Session
    from streamdash.ui.widgets.events_pane import EventsPane


class FileActions(App[None]):
    session: Session
    events_pane: EventsPane

    def _ask_path(self, question: str, default: Path, act: Callable[[Path], object]) -> None:
        def done(path: str | None) -> None:
            if path:
                act(Path(path))

        self.push_screen(PromptScreen(question, str(default)), done)

    def _default_path(self, folder: str, suffix: str) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        return Locations.from_env().data_dir / folder / f"streamdash-{stamp}{suffix}"

    def action_export_log(self) -> None:
        pane = self.events_pane

        def export(path: Path) -> None:
            self.session.export_events(pane.view.visible(list(self.session.buffer)), path)

        self._ask_path("Export the filtered log to (.jsonl, or .csv for CSV):", self._default_path("exports", ".jsonl"), export)

    def action_export_stats(self) -> None:
        self._ask_path("Write a stats snapshot (JSON) to:", self._default_path("exports", "-stats.json"), self.session.export_stats)

    def action_save_collection_as(self) -> None:
        default = Locations.from_env().data_dir / "collections" / self.session.collection.root.name
        self._ask_path("Copy this collection to the folder:", default, self.session.save_collection_as)

