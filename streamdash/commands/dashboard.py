"""`streamdash` with no command: the dashboard on a collection folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from streamdash.exits import UsageError


def display_settings(args: argparse.Namespace) -> tuple[float, int, str]:
    """Refresh rate, buffer size and theme: flags first, then the user's config file."""
    from streamdash.core.config import Locations, load_settings

    settings, warnings = load_settings(Locations.from_env())
    for warning in warnings:
        print(f"streamdash: {warning}", file=sys.stderr)
    refresh_hz = getattr(args, "refresh_hz", None) or settings.refresh_hz
    buffer_size = getattr(args, "buffer_size", None) or settings.buffer_size
    return refresh_hz, buffer_size, settings.theme


def buffer_bytes(args: argparse.Namespace) -> int:
    """The buffer's byte bound: the flag, else the default (rule 37: chosen by the user)."""
    from streamdash.core.buffer import DEFAULT_BUFFER_BYTES

    return getattr(args, "buffer_bytes", None) or DEFAULT_BUFFER_BYTES


def run_dashboard(args: argparse.Namespace) -> int:
    from streamdash.core.collections import ensure_collection
    from streamdash.core.config import Locations

    if args.collection:
        root = Path(args.collection).expanduser()
        if not root.is_dir():
            raise UsageError(f"no such collection folder: {root}")
    else:
        root = Locations.from_env().default_collection
        try:
            ensure_collection(root)
        except OSError as exc:
            raise UsageError(
                f"cannot create the default collection at {root}: {exc.strerror or exc} "
                "(set STREAMDASH_DATA_DIR or pass --collection)"
            ) from None
    refresh_hz, buffer_size, theme = display_settings(args)
    from streamdash.ui.launch import run_app

    return run_app(
        root, refresh_hz=refresh_hz, buffer_size=buffer_size, buffer_bytes=buffer_bytes(args), theme=theme
    )
