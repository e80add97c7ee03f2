"""What `collection.toml` sets for every request beside its variables: the default `[auth]` and
the `[transport]`.

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
from streamdash.core.files import read_regular_file
from streamdash.core.http.auth import AuthError, parse_auth
from streamdash.core.http.transport import TransportError, TransportSettings, parse_transport

__all__ = ["CollectionSettings", "load_collection_settings"]


@dataclass(frozen=True)
class CollectionSettings:
    auth: Mapping[str, Any] | None = None
    transport: TransportSettings = field(default_factory=TransportSettings)
    errors: tuple[str, ...] = ()


def load_collection_settings(root: Path) -> CollectionSettings:
    """The `[auth]` and `[transport]` tables of `collection.toml`; problems become one-line
    errors (and defaults), never exceptions: the collection still opens."""
    path = root / COLLECTION_FILE
    try:
        data = tomllib.loads(read_regular_file(path).decode("utf-8-sig"))
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
    return CollectionSettings(auth=auth, transport=transport, errors=tuple(errors))
