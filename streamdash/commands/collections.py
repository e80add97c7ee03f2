"""What the commands that take a collection share: naming its requests and choosing its
environment (`streamdash run`, `streamdash tail --collection`)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

from streamdash.core.collections.models import Collection, SavedRequest
from streamdash.exits import UsageError

__all__ = ["collection_variables", "select_requests"]


def _names(req: SavedRequest, root: Path) -> set[str]:
    names = {req.name, "/".join((*req.group, req.name))}
    if req.path is not None:
        with contextlib.suppress(ValueError):  # a file outside the folder
            names.add(req.path.relative_to(root).with_suffix("").as_posix())
    return names


def select_requests(collection: Collection, wanted: Sequence[str]) -> list[SavedRequest]:
    """The requests named (by name, group/name or file path without .toml), in the order asked;
    with none named, every REST request in collection order. Unknown names raise UsageError."""
    if not wanted:
        return [req for req in collection.requests if req.kind == "rest"]
    chosen: list[SavedRequest] = []
    for name in wanted:
        matches = [req for req in collection.requests if name in _names(req, collection.root)]
        if not matches:
            folded = name.casefold()
            matches = [
                req for req in collection.requests
                if folded in {n.casefold() for n in _names(req, collection.root)}
            ]
        if not matches:
            raise UsageError(f"unknown request '{name}' in {collection.root}")
        chosen.extend(matches)
    return chosen


def collection_variables(collection: Collection, env: str | None) -> dict[str, str]:
    """The collection's variables (its secrets file's included) under environment `env` (None:
    none); an unknown or broken environment, or a broken secrets file, is a UsageError (exit 2)."""
    from streamdash.core.collections.environments import (
        UnknownEnvironment,
        load_environments,
        variables_for,
    )
    from streamdash.core.collections.models import CollectionError
    from streamdash.core.collections.secret_values import load_secret_values
    from streamdash.core.text import escape_controls

    environments = {}
    try:
        secret_values = load_secret_values(collection.root)
        if env is not None:
            environments = load_environments(collection.root)
    except CollectionError as exc:
        raise UsageError(escape_controls(str(exc))) from None
    try:
        return variables_for(collection, env, environments, secret_values)
    except UnknownEnvironment as exc:
        raise UsageError(escape_controls(str(exc))) from None
