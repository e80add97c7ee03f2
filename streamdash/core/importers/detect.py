"""Which tool wrote a file, from its content (never only its name), and the import of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from streamdash.core.files import read_regular_file
from streamdash.core.importers.model import Imported, ImportRefused

__all__ = ["FORMATS", "read_import"]

FORMATS = ("Postman collection v2.0/v2.1 and environment", "Insomnia export v4 (JSON) and v5 (YAML)",
           "Bruno collection folder (.bru)", "OpenAPI 3.0/3.1 (JSON or YAML)", "Posting collection folder (YAML)",
           "HAR 1.2", ".http / .rest (JetBrains, VS Code REST Client)")
MAX_BYTES = 32 * 1024 * 1024  # a HAR of a long browser session is big; beyond this, say so


def _parse(text: str, path: Path) -> Any:
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ImportRefused(f"{path}: not valid JSON: {exc}") from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())
        raise ImportRefused(f"{path}: neither JSON nor YAML: {reason[:200]}") from None


def read_import(path: Path) -> Imported:
    """The file (or folder: Bruno, Posting) at `path`, read by the importer of its format.
    Raises ImportRefused with one line naming the file and why."""
    path = Path(path).expanduser()
    if path.is_dir():
        from streamdash.core.importers.folders import read_folder

        return read_folder(path)
    try:
        raw = read_regular_file(path, MAX_BYTES)
    except FileNotFoundError:
        raise ImportRefused(f"{path}: no such file") from None
    except OSError as exc:
        raise ImportRefused(f"{path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(f"{path}: not UTF-8 text") from None
    from streamdash.core.importers.httpfile import HTTP_SUFFIXES

    if path.suffix.lower() in HTTP_SUFFIXES:
        from streamdash.core.importers.httpfile import read_http_file

        return read_http_file(text, path)
    if path.suffix == ".bru":
        from streamdash.core.importers.bruno import read_bru_file

        return read_bru_file(text, path)
    data = _parse(text, path)
    return read_data(data, path)


def read_data(data: Any, path: Path) -> Imported:
    where = str(path)
    from streamdash.core.importers import postman

    if postman.is_postman(data):
        return postman.read_postman(data, where)
    if postman.is_postman_environment(data):
        return postman.read_postman_environment(data, where)
    if isinstance(data, dict):
        if data.get("_type") == "export" or str(data.get("type", "")).startswith("collection.insomnia.rest/"):
            from streamdash.core.importers.insomnia import read_insomnia

            return read_insomnia(data, where)
        if "openapi" in data or "swagger" in data:
            from streamdash.core.importers.openapi import read_openapi

            return read_openapi(data, where)
        if isinstance(data.get("log"), dict) and "entries" in data["log"]:
            from streamdash.core.importers.har import read_har

            return read_har(data, where)
        from streamdash.core.importers.posting import is_posting_request, read_posting_file

        if is_posting_request(data):
            return read_posting_file(data, path)
    raise ImportRefused(f"{path}: not a file streamdash can import (it reads: {'; '.join(FORMATS)})")
