"""How each stream's data shows in the log (columns, a template, or raw), for this session.

The saved `[stream] columns` / `template` are the starting point; picking a column (`c` in the
log) or setting a template changes only this session until "Save the columns to the request"
writes them through `Session.save`, which restarts nothing for a display-only change. Keyed by
the stream's request (its file), so a rename keeps the columns; a label no stream of the session
runs under (a replay's own) falls back to its label. `version` grows on every change, so the UI
lays the log out again once, on its next tick.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Protocol

from streamdash.core.columns import Display, display_problem, template_problem

if TYPE_CHECKING:
    from streamdash.core.collections import Collection, SavedRequest, StreamSettings
    from streamdash.core.http.prepare import PreparedRequest
    from streamdash.core.session.live import LiveStream


def engine_settings(settings: StreamSettings) -> StreamSettings:
    """The settings less what only changes how the log shows events: an edit that differs only
    there must not restart the stream."""
    return dataclasses.replace(settings, columns=(), template="")


def same_engine(old: PreparedRequest | None, new: PreparedRequest) -> bool:
    """The two prepared requests send and read the stream alike (the display aside)."""
    if old is None:
        return False
    return old == new or dataclasses.replace(old, stream=engine_settings(old.stream)) == dataclasses.replace(
        new, stream=engine_settings(new.stream)
    )


class DisplayOwner(Protocol):
    """What the displays use of the session (a protocol: session.py imports this module)."""

    collection: Collection
    streams: dict[str, LiveStream]

    def save(self, request: SavedRequest, note: str = "") -> SavedRequest | None: ...

__all__ = ["StreamDisplays"]


class StreamDisplays:
    def __init__(self, session: DisplayOwner) -> None:
        self.session = session
        self._chosen: dict[str, Display] = {}  # request key (or label) -> this session's choice
        self.version = 0

    def _live(self, stream: str) -> LiveStream | None:
        return next((live for live in self.session.streams.values() if live.name == stream), None)

    def _key(self, stream: str) -> str:
        live = self._live(stream)
        return live.key if live is not None else stream

    def of(self, stream: str) -> Display:
        """What the log shows for a stream label: this session's choice, else the saved one."""
        live = self._live(stream)
        key = live.key if live is not None else stream
        chosen = self._chosen.get(key)
        if chosen is not None:
            return chosen
        if live is not None:
            return Display.of(live.request.stream)
        saved = next((r for r in self.session.collection.requests if r.name == stream), None)
        return Display.of(saved.stream) if saved is not None else Display()

    def signature(self) -> tuple[object, ...]:
        """Changes whenever what some stream shows may have: a choice here, or a saved request
        with columns or a template edited (the editor) or renamed; a raw stream that starts
        changes nothing (laying the log out again would drop a reader's cursor). Cheap: once
        per tick, over a few streams."""
        shown = (
            (live.name, live.request.stream.columns, live.request.stream.template)
            for live in self.session.streams.values()
            if live.request.stream.columns or live.request.stream.template
        )
        return (self.version, *shown)

    def rekey(self, old_key: str, new_key: str) -> None:
        """A renamed request keeps this session's choice (keyed by its file)."""
        if (chosen := self._chosen.pop(old_key, None)) is not None:
            self._chosen[new_key] = chosen
            self.version += 1

    def _set(self, stream: str, display: Display) -> None:
        self._chosen[self._key(stream)] = display
        self.version += 1

    def toggle_column(self, stream: str, path: str) -> str:
        """Add the path as the stream's last column, or take it away if it is one; says what it
        did, for a notice. A template gives way to columns (they win when both are set)."""
        path = path.strip()
        current = self.of(stream)
        if path in current.columns:
            columns = tuple(c for c in current.columns if c != path)
            verb = "removed"
        else:
            columns = (*current.columns, path)
            verb = "added"
        display = Display(columns, current.template)
        if (problem := display_problem(display)) is not None:
            return problem
        self._set(stream, display)
        shown = " ".join(columns) if columns else "raw data"
        return f"{stream}: column {path} {verb} ({shown}; save it from the palette)"

    def clear(self, stream: str) -> str:
        self._set(stream, Display())
        return f"{stream}: columns and template cleared: the raw data shows"

    def set_template(self, stream: str, template: str) -> str | None:
        """Set (or with "" clear) the display template; the columns go, since they would win.
        Returns the problem when the template is not usable (nothing changes then)."""
        if (problem := template_problem(template)) is not None:
            return f"the template {problem}"
        self._set(stream, Display((), template))
        return None

    def save(self, stream: str) -> str | None:
        """Write the stream's columns and template to its saved request; None when saved (the
        session says so), else why not."""
        live = self._live(stream)
        if live is None or live.prepared is None:
            return f"{stream} is not a saved request of this collection: nothing to save to"
        display = self.of(stream)
        settings = dataclasses.replace(
            live.request.stream, columns=display.columns, template=display.template
        )
        saved = self.session.save(dataclasses.replace(live.request, stream=settings))
        if saved is None:
            return "not saved"
        self._chosen.pop(live.key, None)  # the file says it now
        self.version += 1
        return None
