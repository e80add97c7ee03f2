"""Starting the dashboard: the session on a collection folder, the app on the session, the
theme, and the exit code (non-zero when the app crashed)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from streamdash.core.buffer import DEFAULT_BUFFER_BYTES, DEFAULT_BUFFER_SIZE
from streamdash.core.collections import StreamSettings, load_collection
from streamdash.core.collections.models import Collection
from streamdash.core.config import Locations
from streamdash.core.http.client import make_client
from streamdash.core.keymap import load_key_table
from streamdash.core.playback import RecordingPlayer
from streamdash.core.session import Session
from streamdash.ui.app import StreamdashApp
from streamdash.ui.terminal import few_colours


def build_app(
    collection: Collection,
    *,
    variables: dict[str, str] | None = None,
    refresh_hz: float = 20.0,
    buffer_size: int = DEFAULT_BUFFER_SIZE,
    buffer_bytes: int = DEFAULT_BUFFER_BYTES,
    autostart: tuple[str, ...] = (),
    autosend: tuple[str, ...] = (),
    player: RecordingPlayer | None = None,
    replay_settings: StreamSettings | None = None,
    history_dir: Path | None = None,
    recordings_dir: Path | None = None,
    screenshots_dir: Path | None = None,
    clock: Callable[[], float] = time.time,
    client_factory: Callable[..., httpx.AsyncClient] = make_client,
    scratch: str | None = None,
) -> StreamdashApp:
    """A session on `collection` and the app on it: how the command, the tests, the
    screenshots and the benchmarks all make the dashboard."""
    session = Session(
        collection,
        overrides=variables,
        client_factory=client_factory,
        clock=clock,
        history_dir=history_dir,
        recordings_dir=recordings_dir,
        buffer_size=buffer_size,
        buffer_bytes=buffer_bytes,
        scratch=scratch,
    )
    return StreamdashApp(
        session,
        refresh_hz=refresh_hz,
        autostart=autostart,
        autosend=autosend,
        player=player,
        replay_settings=replay_settings,
        screenshots_dir=screenshots_dir,
    )


def run_app(
    collection_root: Path,
    *,
    title: str | None = None,
    theme: str | None = None,
    collection_name: str | None = None,
    **options: Any,
) -> int:
    """Run the dashboard until it quits; the exit code is 1 when it crashed. `options` are
    `build_app`'s; history and recordings go to the platform folders unless they say otherwise."""
    collection = load_collection(collection_root)
    if collection_name:
        collection.name = collection_name
    locations = Locations.from_env()
    options.setdefault("history_dir", locations.state_dir / "history")
    options.setdefault("recordings_dir", locations.data_dir / "recordings")
    app = build_app(collection, **options)
    app.key_table = load_key_table(locations)
    if title:
        app.title = title
    if theme in (None, "textual-dark") and few_colours():
        theme = "ansi-dark"  # the terminal's own 16 colours, so every style stays readable
    if theme:
        if theme in app.available_themes:
            app.theme = theme
        else:
            print(f"streamdash: unknown theme {theme!r} in config.toml; using the default", file=sys.stderr)
    app.run()
    return app.return_code or 0
