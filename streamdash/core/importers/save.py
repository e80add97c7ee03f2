"""Writing an import into a collection: the one path `streamdash import` and the app share.

Requests go through the storage writer (a name that is taken gets -2, -3...: nothing is
overwritten), each literal credential (an Authorization header, a basic password, a bearer
token, an API key...) is taken out to the git-ignored secrets file as a `{{variable}}` first,
environments through env_files (a new file per environment, never replacing one), and the
collection's variables are added to its `[variables]` where it has none of that name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import tomli_w

from streamdash.core.collections import COLLECTION_FILE
from streamdash.core.collections.env_files import save_collection_variables, save_environment
from streamdash.core.collections.environments import load_environments
from streamdash.core.collections.models import order_of
from streamdash.core.collections.secret_values import (
    SECRETS_FILE,
    load_secret_values,
    save_secret_values,
    take_all_credentials,
)
from streamdash.core.collections.storage import (
    ENV_DIR,
    atomic_write,
    ensure_collection,
    save_new_requests,
    slugify,
)
from streamdash.core.importers.model import Imported

__all__ = ["Saved", "save_import"]


@dataclass
class Saved:
    root: Path
    requests: int = 0
    environments: list[str] = field(default_factory=list)
    variables: int = 0
    secrets: list[str] = field(default_factory=list)  # variables the secrets file got
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """"imported 12 requests, 2 environments (staging, prod) into DIR; 3 credentials moved
        to .secrets.toml (git-ignored)"."""
        parts = [f"imported {self.requests} request{'s' if self.requests != 1 else ''}"]
        if self.environments:
            count = len(self.environments)
            parts.append(f"{count} environment{'s' if count != 1 else ''} ({', '.join(self.environments)})")
        if self.variables:
            parts.append(f"{self.variables} collection variable{'s' if self.variables != 1 else ''}")
        text = ", ".join(parts) + f" into {self.root}"
        if self.secrets:
            count = len(self.secrets)
            text += f"; {count} secret{'s' if count != 1 else ''} moved to {SECRETS_FILE} (git-ignored)"
        return text


def _folders(group: tuple[str, ...]) -> tuple[str, ...]:
    """A tool's folder names as folder names here: no separators, no leading dot (hidden), and
    not `env`, which holds environments."""
    parts: list[str] = []
    for part in group:
        cleaned = part.replace("/", "-").replace("\\", "-").replace("\0", "").strip().lstrip(".") or "folder"
        parts.append("env-requests" if not parts and cleaned == ENV_DIR else cleaned)
    return tuple(parts)


def save_import(imported: Imported, root: Path) -> Saved:
    """Write `imported` into the collection at `root` (made when absent, without the example).
    Raises OSError and CollectionError (one line each)."""
    root = Path(root)
    fresh = not (root / COLLECTION_FILE).exists()
    if fresh:
        root.mkdir(parents=True, exist_ok=True)
        atomic_write(root / COLLECTION_FILE, tomli_w.dumps({"name": imported.name or root.name}))
    collection = ensure_collection(root, example=False)
    saved = Saved(root, warnings=list(imported.warnings))
    known = dict(load_secret_values(root))
    taken = {**collection.variables, **imported.variables}
    for env in imported.environments.values():
        taken.update(env)
    # An import's `order = N` counts from 1 in each folder: after the requests a folder already
    # orders, not among them.
    placed: dict[tuple[str, ...], int] = {}
    for kept in collection.requests:
        if (kept_order := order_of(kept)) is not None:
            placed[kept.group] = max(placed.get(kept.group, 0), kept_order)
    placed_requests = []
    for request in imported.requests:
        request = replace(request, path=None, group=_folders(request.group))
        if (order := order_of(request)) is not None and placed.get(request.group):
            request = replace(request, extra={**request.extra, "order": order + placed[request.group]})
        placed_requests.append(request)
    cleaned, moved = take_all_credentials(placed_requests, known, taken)
    if moved:
        save_secret_values(root, moved)  # before any request names them
        saved.secrets += list(moved)
    saved.requests = len(save_new_requests(collection, cleaned))
    secrets = dict(load_secret_values(root))
    new_variables = {k: v for k, v in imported.variables.items() if k not in collection.variables}
    for name in imported.variables:
        if name in collection.variables and collection.variables[name] != imported.variables[name]:
            saved.warnings.append(f"variable {name!r}: the collection has its own value; the imported one is left out")
    if new_variables:
        merged = [*collection.variables.items(), *new_variables.items()]
        result = save_collection_variables(root, merged, secrets=secrets, secret_names=imported.secret_names)
        saved.variables = len(new_variables)
        saved.secrets += list(result.moved)
    existing = set(load_environments(root, []))
    for name, variables in imported.environments.items():
        stem = slugify(name) or "imported"
        chosen, counter = stem, 2
        while chosen in existing:
            chosen, counter = f"{stem}-{counter}", counter + 1
        result = save_environment(root, chosen, list(variables.items()), secrets=load_secret_values(root),
                                  secret_names=imported.secret_names)
        existing.add(chosen)
        saved.environments.append(chosen)
        saved.secrets += list(result.moved)
    return saved
