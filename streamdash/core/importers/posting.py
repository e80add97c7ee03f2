"""Posting: a collection folder of `*.posting.yaml` request files (folders as groups) and
`*.env` files (dotenv: `NAME=value`, one per environment).

A request keeps its method, URL (its `path_params` filled into `:name`), enabled headers and
query parameters, its body (`content`, or the text itself as Posting before 1.0 wrote it; a form
as urlencoded), description, auth (basic, digest, bearer) and the options streamdash has
(timeout, redirects, TLS checks, cookies). Posting's variables are string.Template's `$NAME` and
`${NAME}`, read here as `{{NAME}}`, and `$$` is a literal `$`. Scripts and a proxy are left out
with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from streamdash.core.collections.curl import split_url
from streamdash.core.collections.models import SavedRequest
from streamdash.core.files import read_regular_file
from streamdash.core.importers.model import Imported, ImportRefused, fill_path_params, table

__all__ = ["is_posting_request", "read_posting_file", "read_posting_folder"]

_VARIABLE = re.compile(r"\$(\$)|\$\{([A-Za-z_][\w]*)\}|\$([A-Za-z_][\w]*)")


def _vars(text: Any) -> str:
    value = "" if text is None else str(text)
    return _VARIABLE.sub(lambda m: "$" if m[1] else "{{" + (m[2] or m[3]) + "}}", value)


def is_posting_request(data: object) -> bool:
    return isinstance(data, dict) and "method" in data and "url" in data and "name" in data


def _pairs(items: Any) -> list[tuple[str, str]]:
    return [(_vars(i.get("name")), _vars(i.get("value"))) for i in items or []
            if isinstance(i, dict) and i.get("name") and i.get("enabled", True)]


def _request(data: Mapping[str, Any], imported: Imported, where: str, group: tuple[str, ...]) -> SavedRequest:
    url, query = split_url(_vars(data.get("url")))
    url = fill_path_params(url, _pairs(data.get("path_params")))
    query = [*query, *_pairs(data.get("params"))]
    headers = _pairs(data.get("headers"))
    raw_body = data.get("body")
    body_spec = {"content": raw_body} if isinstance(raw_body, str) else table(raw_body)
    body = None
    if body_spec.get("content"):
        body = _vars(body_spec["content"])
    elif body_spec.get("form_data"):
        body = urlencode(_pairs(body_spec["form_data"]), safe="{}")
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
    extra: dict[str, Any] = {}
    auth = table(data.get("auth"))
    kind = str(auth.get("type") or "").lower()
    if kind in ("basic", "digest"):
        fields = auth.get(kind) or {}
        extra["auth"] = {"type": kind, "username": _vars(fields.get("username")), "password": _vars(fields.get("password"))}
    elif kind in ("bearer", "bearer_token"):
        fields = auth.get("bearer_token") or auth.get("bearer") or {}
        extra["auth"] = {"type": "bearer", "token": _vars(fields.get("token"))}
    elif kind:
        imported.warn(f"{where}: {kind} auth is not imported")
    scripts = data.get("scripts") or {}
    if isinstance(scripts, dict) and any(scripts.values()):
        imported.warn(f"{where}: its scripts are not run by streamdash: left out")
    options = table(data.get("options"))
    if options.get("follow_redirects") is False:
        extra["follow_redirects"] = False
    if options.get("verify_ssl") is False:
        extra["verify"] = False
    if options.get("attach_cookies") is False:
        extra["cookies"] = False
    timeout = options.get("timeout")
    if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0:
        extra["timeout"] = timeout
    if options.get("proxy_url"):
        imported.warn(f"{where}: its proxy ({options['proxy_url']}) is not imported: a proxy is set for a "
                      "whole collection here ([transport] proxy in collection.toml, or HTTPS_PROXY)")
    return SavedRequest(name=str(data.get("name") or "request"), method=str(data.get("method") or "GET").upper(),
                        url=url, query=query, headers=headers, body=body,
                        description=str(data.get("description") or "").strip(), extra=extra, group=group)


def read_posting_file(data: Mapping[str, Any], path: Path, imported: Imported | None = None,
                      group: tuple[str, ...] = ()) -> Imported:
    imported = imported or Imported("Posting request", name=path.name.removesuffix(".posting.yaml"))
    if not is_posting_request(data):
        raise ImportRefused(f"{path}: not a Posting request (it needs name, method and url)")
    imported.requests.append(_request(data, imported, str(path), group))
    return imported


def _dotenv(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def read_posting_folder(root: Path) -> Imported:
    import yaml

    imported = Imported("Posting collection", name=root.name)
    for path in sorted(root.rglob("*.posting.yaml")):
        try:
            data = yaml.safe_load(read_regular_file(path).decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            imported.warn(f"{path}: not read: {' '.join(str(exc).split())[:120]}")
            continue
        try:
            read_posting_file(data, path, imported, tuple(path.relative_to(root).parts[:-1]))
        except ImportRefused as exc:
            imported.warn(str(exc))
    for path in sorted(root.glob("*.env")):
        try:
            imported.environments[path.stem] = _dotenv(read_regular_file(path).decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            imported.warn(f"{path}: not read: {exc}")
    return imported
