"""A `.http` / `.rest` file (JetBrains HTTP Client, VS Code REST Client) as an import: its
requests in file order, and its `@name = value` variables as an environment named after the
file (secret-named ones go to the secrets file, as every import's do). The reading itself is
core/collections/httpfile.py, which the exporter's round trip uses too."""

from __future__ import annotations

from pathlib import Path

from streamdash.core.collections.httpfile import HttpFileError, parse_http_file
from streamdash.core.collections.storage import slugify
from streamdash.core.http.secrets import is_secret_name
from streamdash.core.importers.model import Imported, ImportRefused, keep_order

__all__ = ["HTTP_SUFFIXES", "read_http_file"]

HTTP_SUFFIXES = (".http", ".rest")


def read_http_file(text: str, path: Path) -> Imported:
    try:
        requests, variables = parse_http_file(text, path)
    except HttpFileError as exc:
        raise ImportRefused(str(exc)) from None
    imported = Imported(".http file", name=path.stem, requests=requests)
    if variables:
        imported.environments[slugify(path.stem) or "imported"] = variables
        imported.secret_names.update(name for name in variables if is_secret_name(name))
    keep_order(imported)
    return imported
