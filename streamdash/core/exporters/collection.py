"""One collection folder as an export's text: the path `streamdash export` and the app share."""

from __future__ import annotations

from pathlib import Path

from streamdash.core.collections.storage import load_collection
from streamdash.core.exporters.httpfile import to_http_file
from streamdash.core.exporters.postman import to_postman
from streamdash.core.http.settings import load_collection_settings

__all__ = ["FORMATS", "export_collection"]

FORMATS = ("postman", "http")


def export_collection(root: Path, fmt: str) -> tuple[str, list[str]]:
    """The export of the collection at `root` in `fmt`, and what it left out (one line each)."""
    collection = load_collection(root)
    left_out = [f"skipped {error}" for error in collection.errors]
    auth = load_collection_settings(root).auth
    if fmt == "http":
        text, dropped = to_http_file(collection, auth)
        return text, left_out + dropped
    text, dropped = to_postman(collection, auth)
    return text, left_out + dropped
