"""What `collection.toml` sets for every request beside its variables: the default `[auth]`,
the `[transport]` and the REST timeouts.

    timeout = 10  # and connect_timeout: see streamdash.core.http.timeouts
    cookies = false  # no cookie jar for this collection: see streamdash.core.http.cookies

    [auth]        # the default for every request without its own [auth]
    type = "bearer"
    token = "{{env:API_TOKEN}}"

    [transport]   # see streamdash.core.http.transport
    verify = true
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamdash.core.collections import COLLECTION_FILE
from streamdash.core.collections.models import find_key_line
from streamdash.core.collections.timeouts import TIMEOUT_KEYS, TimeoutSetting, timeout_problem
from streamdash.core.files import read_regular_file
from streamdash.core.http.auth import AuthError, parse_auth
from streamdash.core.http.cookies import cookies_setting
from streamdash.core.http.transport import TransportError, TransportSettings, parse_transport

__all__ = ["CollectionSettings", "load_collection_settings"]


@dataclass(frozen=True)
class CollectionSettings:
    auth: Mapping[str, Any] | None = None
    transport: TransportSettings = field(default_factory=TransportSettings)
    timeouts: TimeoutSetting = field(default_factory=TimeoutSetting)
    cookies: bool = True  # `cookies = false`: the session's jar sends and keeps nothing
    errors: tuple[str, ...] = ()


def load_collection_settings(root: Path) -> CollectionSettings:
    """The `[auth]` and `[transport]` tables and the timeouts of `collection.toml`; problems
    become one-line errors (and defaults), never exceptions: the collection still opens."""
    path = root / COLLECTION_FILE
    try:
        text = read_regular_file(path).decode("utf-8-sig")
        data = tomllib.loads(text)
    except FileNotFoundError:
        return CollectionSettings()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:  # FileRefused says why
        return CollectionSettings(errors=(f"{path}: {exc}",))
    errors: list[str] = []
    auth = data.get("auth")
    if auth is not None:
        try:
            parse_auth(auth, f"{path}")
        except AuthError as exc:
            errors.append(str(exc))
            auth = None
    transport = TransportSettings()
    if "transport" in data:
        try:
            transport = parse_transport(data["transport"], root, str(path))
        except TransportError as exc:
            errors.append(str(exc))
    timeouts: dict[str, float] = {}
    for key in TIMEOUT_KEYS:
        if key not in data:
            continue
        if (problem := timeout_problem(data[key])) is not None:
            line = find_key_line(text, key)
            errors.append(f"{path}{f':{line}' if line else ''}: {key}: {problem} (the default applies)")
        else:
            timeouts[key] = float(data[key])
    cookies = True
    if "cookies" in data:
        if (problem := cookies_setting(data["cookies"])) is not None:
            line = find_key_line(text, "cookies")
            errors.append(f"{path}{f':{line}' if line else ''}: {problem} (the default, true, applies)")
        else:
            cookies = data["cookies"]
    return CollectionSettings(
        auth=auth, transport=transport, timeouts=TimeoutSetting(**timeouts), cookies=cookies,
        errors=tuple(errors),
    )
