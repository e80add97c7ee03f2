"""Insomnia: an export of format 4 (JSON: a flat `resources` list linked by `parentId`) and a
collection of format 5 (YAML: `collection` as a tree of `children`, `environments` with
`subEnvironments`).

Folders become groups, in Insomnia's order (`metaSortKey`, v5's `meta.sortKey`). A request
keeps its method, URL, enabled query parameters and headers, its body (text; a form as
urlencoded; multipart and files left out), its auth (basic, digest, bearer with its prefix, API
key in a header or the query, OAuth2 client credentials and password) and its redirect and
cookie settings.
As Insomnia sends it, a request with no auth of its own takes its closest folder's, and folders'
headers go before the request's own (network.ts: getOrInheritAuthentication/Headers). The base
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
from streamdash.core.importers.model import (
    Imported,
    ImportRefused,
    keep_order,
    oauth2_auth,
    table,
    to_placeholders,
)

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
        grant = str(auth.get("grantType", ""))
        if kind == "oauth2" and grant in ("client_credentials", "password") and auth.get("accessTokenUrl"):
            login = (self.tpl(auth.get("username"), where), self.tpl(auth.get("password"), where))
            return oauth2_auth(self.tpl(auth.get("accessTokenUrl"), where), self.tpl(auth.get("clientId"), where),
                               self.tpl(auth.get("clientSecret"), where),
                               scope=self.tpl(auth.get("scope"), where),
                               password_grant=login if grant == "password" else None), [], []
        self.imported.warn(f"{where}: {kind} auth is not imported")
        return None, [], []

    def request(self, item: Mapping[str, Any], group: tuple[str, ...], folders: list[Mapping[str, Any]]) -> None:
        """`folders`: the request's folders, closest first."""
        name = str(item.get("name") or "request").strip() or "request"
        where = "/".join((*group, name))
        url, query = split_url(self.tpl(item.get("url") or "", where))
        query = [*query, *self.pairs(item.get("parameters"), where)]
        headers = [pair for folder in reversed(folders) for pair in self.pairs(folder.get("headers"), where)]
        headers += self.pairs(item.get("headers"), where)
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
        own = item.get("authentication")
        if not (isinstance(own, dict) and own.get("type")):  # none of its own: the closest folder's
            own = next((f["authentication"] for f in folders
                        if isinstance(f.get("authentication"), dict) and f["authentication"].get("type")
                        and not f["authentication"].get("disabled")), None)
        auth, auth_headers, auth_query = self.auth(own, where)
        extra: dict[str, Any] = {"auth": auth} if auth else {}
        settings = table(item.get("settings"))  # format 5; format 4 has setting* keys
        redirects = settings.get("followRedirects", item.get("settingFollowRedirects"))
        if redirects in ("on", "off"):
            extra["follow_redirects"] = redirects == "on"
        if table(settings.get("cookies")).get("send", item.get("settingSendCookies")) is False:
            extra["cookies"] = False
        description = item.get("description") or table(item.get("meta")).get("description") or ""
        self.imported.requests.append(SavedRequest(
            name=name, method=str(item.get("method") or "GET").upper(), url=url, query=[*query, *auth_query],
            headers=[*headers, *auth_headers], body=body, description=str(description).strip(),
            extra=extra, group=group,
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

    def folders_of(resource: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        folders: list[Mapping[str, Any]] = []
        parent = by_id.get(resource.get("parentId"))
        while parent is not None and parent.get("_type") == "request_group" and len(folders) < 20:
            folders.append(parent)
            parent = by_id.get(parent.get("parentId"))
        return folders

    left = {"grpc_request": 0, "websocket_request": 0}
    for resource in sorted(by_id.values(), key=lambda r: _sort_key(r.get("metaSortKey"))):
        kind = resource.get("_type")
        if kind == "request":
            folders = folders_of(resource)
            reader.request(resource, tuple(str(f.get("name") or "folder") for f in reversed(folders)), folders)
        elif kind in left:
            left[kind] += 1
        elif kind == "environment":
            parent = by_id.get(resource.get("parentId"))
            reader.environment(resource, base=parent is None or parent.get("_type") == "workspace")
    for kind, count in left.items():
        if count:
            imported.warn(f"{count} {kind.replace('_', ' ')}s are not imported")
    keep_order(imported)
    return imported


def _v5(data: Mapping[str, Any], where: str) -> Imported:
    imported = Imported("Insomnia collection (format 5)", name=str(data.get("name") or "insomnia"))
    reader = _Reader(imported)

    def walk(items: Any, group: tuple[str, ...], folders: list[Mapping[str, Any]]) -> None:
        children = [item for item in items or [] if isinstance(item, dict)] if isinstance(items, list) else []
        for item in sorted(children, key=lambda i: _sort_key(table(i.get("meta")).get("sortKey"))):
            if "children" in item:
                walk(item["children"], (*group, str(item.get("name") or "folder")), [item, *folders])
            elif "method" in item:  # a request not given a URL yet has none: kept, with an empty one
                reader.request(item, group, folders)
            else:
                imported.warn(f"{'/'.join((*group, str(item.get('name'))))}: not an HTTP request: left out")

    walk(data.get("collection"), (), [])
    keep_order(imported)
    environments = data.get("environments")
    if isinstance(environments, dict):
        reader.environment(environments, base=True)
        for sub in environments.get("subEnvironments") or []:
            reader.environment(sub, base=False)
    return imported


def _sort_key(value: Any) -> float:
    """Insomnia lists siblings by sort key, ascending (a new request gets -now: on top); one
    without a key keeps its place after them (the sorts are stable)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else float("inf")


def read_insomnia(data: Mapping[str, Any], where: str) -> Imported:
    if data.get("_type") == "export":
        if data.get("__export_format") != 4:
            raise ImportRefused(f"{where}: Insomnia export format {data.get('__export_format')} is not read (4 and 5 are)")
        return _v4(data, where)
    kind = str(data.get("type", ""))
    if not kind.startswith("collection.insomnia.rest/5"):
        raise ImportRefused(f"{where}: {kind!r} is not an Insomnia collection streamdash reads (format 5)")
    return _v5(data, where)
