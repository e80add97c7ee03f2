"""Saved requests on disk: a folder per collection, one TOML file per request, subfolders as groups.

Public API: the models (`Collection`, `SavedRequest`, `StreamSettings`, `LoadError`), the storage
functions (`load_collection`, `save_request`, ...) and `{{variable}}` rendering (`render`).
"""

from streamdash.core.collections.models import (
    Collection,
    CollectionError,
    Kind,
    LoadError,
    SavedRequest,
    StreamSettings,
)
from streamdash.core.collections.storage import (
    COLLECTION_FILE,
    atomic_write,
    delete_request,
    duplicate_request,
    ensure_collection,
    load_collection,
    rename_request,
    request_from_toml,
    request_to_toml,
    save_request,
    slugify,
)
from streamdash.core.collections.template import MissingVariable, placeholders, render, render_request

__all__ = [
    "COLLECTION_FILE",
    "Collection",
    "CollectionError",
    "Kind",
    "LoadError",
    "MissingVariable",
    "SavedRequest",
    "StreamSettings",
    "atomic_write",
    "delete_request",
    "duplicate_request",
    "ensure_collection",
    "load_collection",
    "placeholders",
    "rename_request",
    "render",
    "render_request",
    "request_from_toml",
    "request_to_toml",
    "save_request",
    "slugify",
]
