"""Insomnia: an export of format 4 (JSON: a flat `resources` list linked by `parentId`) and a
collection of format 5 (YAML: `collection` as a tree of `children`, `environments` with
`subEnvironments`).

Folders become groups. A request keeps its method, URL, enabled query parameters and headers,
its body (text; a form as urlencoded; multipart and files left out) and its auth (basic, digest,
bearer with its prefix, API key in a header or the query, OAuth2 client credentials). The base
environment is the collection's variables, each sub-environment an environment; a private one's
values are secrets. `{{ _.name }}` becomes `{{name}}`; a `{% ... %}` template tag (a chained
response, a prompt) cannot be run here and is left as written with a warning. gRPC and
WebSocket requests are counted and left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from streamdash.core.collections.curl import split_url
from streamdash.core.collections.models import SavedRequest
from streamdash.core.importers.model import Imported, ImportRefused, table, to_placeholders

__all__ = ["read_insomnia"]

_TAG = re.compile(r"\{%.*?%\}", re.S)


class _Reader:
    def __init__(self, imported: Imported) -> None:
        self.imported = imported

    def tpl(self, value: Any, where: str) -> str:
        text = value if isinstance(value, str) else ("" if value is None else json.dumps(value))
        if _TAG.search(text):
            self.imported.warn(f"{where}: a {{% ... %}} template tag (a chained response, a prompt...) "
                               "cannot run here: left as written")
        return to_placeholders(text, self.imported, where)

    def pairs(self, items: Any, where: str) -> list[tuple[str, str]]:
        return [(self.tpl(p.get("name"), where), self.tpl(p.get("value"), where))
                for p in items or [] if isinstance(p, dict) and p.get("name") and not p.get("disabled")]

    def auth(self, auth: Any, where: str) -> tuple[dict[str, Any] | None, list[tuple[str, str]], list[tuple[str, str]]]:
        if not isinstance(auth, dict) or not auth or auth.get("disabled"):
            return None, [], []
        kind = str(auth.get("type", "")).lower()
        if kind in ("none", ""):
            return None, [], []
        if kind in ("basic", "digest"):
            return {"type": kind, "username": self.tpl(auth.get("username"), where),
                    "password": self.tpl(auth.get("password"), where)}, [], []
        if kind == "bearer":
            prefix = str(auth.get("prefix") or "Bearer").strip()
            token = self.tpl(auth.get("token"), where)
            if prefix.lower() != "bearer":
                return None, [("Authorization", f"{prefix} {token}".strip())], []
            return {"type": "bearer", "token": token}, [], []
        if kind == "apikey":
            pair = (self.tpl(auth.get("key") or "X-API-Key", where), self.tpl(auth.get("value"), where))
            if str(auth.get("addTo", "header")).lower().startswith("query"):
                return None, [], [pair]
            return None, [pair], []
        if kind == "oauth2" and str(auth.get("grantType", "")) == "client_credentials" and auth.get("accessTokenUrl"):
            table = {"type": "oauth2", "token_url": self.tpl(auth.get("accessTokenUrl"), where),
                     "client_id": self.tpl(auth.get("clientId"), where),
                     "client_secret": self.tpl(auth.get("clientSecret"), where)}
            if auth.get("scope"):
                table["scope"] = self.tpl(auth.get("scope"), where)
            return table, [], []
        self.imported.warn(f"{where}: {kind} auth is not imported")
        return None, [], []

    def request(self, item: Mapping[str, Any], group: tuple[str, ...]) -> None:
        name = str(item.get("name") or "request").strip() or "request"
        where = "/".join((*group, name))
        url, query = split_url(self.tpl(item.get("url"), where))
        query = [*query, *self.pairs(item.get("parameters"), where)]
        headers = self.pairs(item.get("headers"), where)
        body_spec = table(item.get("body"))
        mime = str(body_spec.get("mimeType") or "")
        body = None
        if "text" in body_spec and body_spec.get("text"):
            body = self.tpl(body_spec["text"], where)
        elif mime == "application/x-www-form-urlencoded":
            body = urlencode(self.pairs(body_spec.get("params"), where), safe="{}") or None
        elif body_spec.get("params") or body_spec.get("fileName"):
            self.imported.warn(f"{where}: a {mime or 'file'} body is not imported (streamdash sends text bodies)")
        if body is not None and mime and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", mime))
        auth, auth_headers, auth_query = self.auth(item.get("authentication"), where)
        self.imported.requests.append(SavedRequest(
            name=name, method=str(item.get("method") or "GET").upper(), url=url, query=[*query, *auth_query],
            headers=[*headers, *auth_headers], body=body, description=str(item.get("description") or "").strip(),
            extra={"auth": auth} if auth else {}, group=group,
        ))

    def environment(self, env: Any, base: bool) -> None:
        if not isinstance(env, dict):
            return
        data = env.get("data") or {}
        values = {str(k): self.tpl(v, f"environment {env.get('name')}") for k, v in data.items()
                  if not isinstance(v, dict | list)}
        if base:
            self.imported.variables.update(values)
        else:
            name = str(env.get("name") or "imported")
            self.imported.environments[name] = values
            if env.get("isPrivate"):
                self.imported.secret_names.update(values)


def _v4(data: Mapping[str, Any], where: str) -> Imported:
    resources = data.get("resources")
    if not isinstance(resources, list):
        raise ImportRefused(f"{where}: an Insomnia export without a resources list")
    by_id = {r.get("_id"): r for r in resources if isinstance(r, dict)}
    workspaces = [r for r in by_id.values() if r.get("_type") == "workspace"]
    imported = Imported("Insomnia export (format 4)", name=str(workspaces[0].get("name") if workspaces else "insomnia"))
    reader = _Reader(imported)

    def group_of(resource: Mapping[str, Any]) -> tuple[str, ...]:
        names: list[str] = []
        parent = by_id.get(resource.get("parentId"))
        while parent is not None and parent.get("_type") == "request_group" and len(names) < 20:
            names.append(str(parent.get("name") or "folder"))
            parent = by_id.get(parent.get("parentId"))
        return tuple(reversed(names))

    left = {"grpc_request": 0, "websocket_request": 0}
    for resource in by_id.values():
        kind = resource.get("_type")
        if kind == "request":
            reader.request(resource, group_of(resource))
        elif kind in left:
            left[kind] += 1
        elif kind == "environment":
            parent = by_id.get(resource.get("parentId"))
            reader.environment(resource, base=parent is None or parent.get("_type") == "workspace")
    for kind, count in left.items():
        if count:
            imported.warn(f"{count} {kind.replace('_', ' ')}s are not imported")
    return imported


def _v5(data: Mapping[str, Any], where: str) -> Imported:
    imported = Imported("Insomnia collection (format 5)", name=str(data.get("name") or "insomnia"))
    reader = _Reader(imported)

    def walk(items: Any, group: tuple[str, ...]) -> None:
        for item in items or []:
            if not isinstance(item, dict):
                continue
            if "children" in item:
                walk(item["children"], (*group, str(item.get("name") or "folder")))
            elif "url" in item and "method" in item:
                reader.request(item, group)
            else:
                imported.warn(f"{'/'.join((*group, str(item.get('name'))))}: not an HTTP request: left out")

    walk(data.get("collection"), ())
    environments = data.get("environments")
    if isinstance(environments, dict):
        reader.environment(environments, base=True)
        for sub in environments.get("subEnvironments") or []:
            reader.environment(sub, base=False)
    return imported


def read_insomnia(data: Mapping[str, Any], where: str) -> Imported:
    if data.get("_type") == "export":
        if data.get("__export_format") != 4:
            raise ImportRefused(f"{where}: Insomnia export format {data.get('__export_format')} is not read (4 and 5 are)")
        return _v4(data, where)
    kind = str(data.get("type", ""))
    if not kind.startswith("collection.insomnia.rest/5"):
        raise ImportRefused(f"{where}: {kind!r} is not an Insomnia collection streamdash reads (format 5)")
    return _v5(data, where)
