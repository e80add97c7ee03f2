"""The `[keys]` table of `config.toml`: action names mapped to keys, as Harlequin and Posting
allow, because SSH terminals and multiplexers eat some keys and hands differ.

This half only reads and checks the spelling; which action names exist is the UI's to say
(`streamdash.ui.keymap`). A bad entry is a one-line warning and its action keeps its default keys.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from streamdash.core.collections.models import CollectionError, find_key_line, parse_toml, show
from streamdash.core.config import Locations
from streamdash.core.files import read_regular_file

TABLE = "keys"
MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


def bad_key(key: str) -> str | None:
    """Why `key` (one key, such as "ctrl+f", "slash", "E", "f5") is not a key, or None."""
    *modifiers, base = key.split("+")
    if not base:
        return "has no key after its modifiers" if modifiers else "is empty"
    for modifier in modifiers:
        if modifier not in MODIFIERS:
            return f"has an unknown modifier {modifier!r} (use {', '.join(sorted(MODIFIERS))})"
    if len(base) == 1 and base.isprintable() and not base.isspace():
        return None
    if _NAME.match(base):
        return None
    return f"is not a key name ({base!r}; write e.g. slash, space, ctrl+f, f5)"


def check_keymap(
    table: Mapping[str, Any], known: Collection[str], where: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """The usable entries (action -> "key,key") and one warning per bad one.

    An unknown action, a key that is not one, or a key given to two actions is a warning; the
    second action given a taken key loses that key, not its others."""
    places = where or {}
    keymap: dict[str, str] = {}
    warnings: list[str] = []
    owner: dict[str, str] = {}
    for action, value in table.items():
        place = places.get(action, "[keys]")
        if action not in known:
            warnings.append(f"{place}: unknown action {action!r} (see the action names in the README)")
            continue
        if not isinstance(value, str) or not value.strip():
            warnings.append(f'{place}: {action} must be keys like "slash,ctrl+f", not {show(value)}')
            continue
        keys: list[str] = []
        for key in (part.strip() for part in value.split(",")):
            if (problem := bad_key(key)) is not None:
                warnings.append(f"{place}: {action}: key {key!r} {problem}; ignored")
            elif key in owner and owner[key] != action:
                warnings.append(f"{place}: {action}: key {key!r} is already {owner[key]}'s; ignored")
            elif key not in keys:
                owner[key] = action
                keys.append(key)
        if keys:
            keymap[action] = ",".join(keys)
    return keymap, warnings


def load_key_table(locations: Locations) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """The raw `[keys]` table of config.toml, where each entry is (path:line), and warnings.

    A missing file or table is normal; `load_settings` already says when the file is unreadable."""
    path = locations.config_file
    try:
        text = read_regular_file(path).decode("utf-8-sig")
        data = parse_toml(text, path)
    except (OSError, UnicodeDecodeError, CollectionError):
        return {}, {}, []
    table = data.get(TABLE)
    if table is None:
        return {}, {}, []
    if not isinstance(table, dict):
        return {}, {}, [f"{path}: keys must be a table ([keys]), not {show(table)}; using the default keys"]
    where: dict[str, str] = {}
    for action in table:
        line = find_key_line(text, action, TABLE)
        where[action] = f"{path}:{line}" if line else str(path)
    return dict(table), where, []
