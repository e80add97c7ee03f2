"""The `[keys]` table applied: each binding of the app, the event log, the requests tree and
the response view gets an id named for its action, and Textual's keymap (`App.set_keymap`)
rebinds by id, so the footer and the help panel show the new keys by themselves."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

from streamdash.core.keymap import check_keymap


def binding_id(action: str) -> str:
    """`show_pane('events')` -> `show_pane_events`: the name a user writes in [keys]."""
    name, _, args = action.partition("(")
    args = args.rstrip(")").strip().strip("'\"")
    return f"{name}_{args}" if args else name


def name_bindings(*classes: type[DOMNode]) -> None:
    """Give every binding without an id one from its action, and merge the class's bindings
    again (Textual merges them when the class is made)."""
    for cls in classes:
        if "BINDINGS" not in cls.__dict__:
            continue
        cls.BINDINGS = [
            replace(b, id=b.id or binding_id(b.action)) if isinstance(b, Binding) else b for b in cls.BINDINGS
        ]
        cls._merged_bindings = cls._merge_bindings()


def action_names(*classes: type[DOMNode]) -> dict[str, str]:
    """Each remappable action name and its default keys, for the checks and the docs."""
    names: dict[str, str] = {}
    for cls in classes:
        for b in cls.BINDINGS:
            if isinstance(b, Binding) and b.id:
                names[b.id] = f"{names[b.id]},{b.key}" if b.id in names else b.key
    return names


def apply_keys(app: App[Any], classes: tuple[type[DOMNode], ...], table: tuple[Any, ...]) -> None:
    """Check the [keys] table against the real actions and set the keymap; each bad entry is a
    warning notification (so it is also in the messages screen)."""
    raw, where, problems = table
    keymap, warnings = check_keymap(raw, action_names(*classes), where)
    if keymap:
        app.set_keymap(keymap)
    for warning in [*problems, *warnings]:
        app.notify(warning, title="config.toml: key not changed", severity="warning", timeout=10)
