"""A collection as a Postman v2.1 collection: groups as folders, the collection's variables
(never the secrets file's), each request's method, URL and query, headers, body (raw, JSON
marked as such), description and auth (basic, digest, bearer, OAuth2 client credentials and
password; other kinds are named among what was left out). A stream goes as its GET with
`Accept: text/event-stream`, which Postman shows as events. Reading it back with the Postman
importer gives the same requests."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from streamdash.core.collections.models import Collection, SavedRequest

__all__ = ["to_postman"]

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def _auth(table: Mapping[str, Any]) -> dict[str, Any] | None:
    kind = str(table.get("type", "")).lower()

    def pairs(**fields: Any) -> list[dict[str, Any]]:
        return [{"key": k, "value": v, "type": "string"} for k, v in fields.items() if v is not None]

    if kind in ("basic", "digest"):
        return {"type": kind, kind: pairs(username=table.get("username", ""), password=table.get("password", ""))}
    if kind == "bearer":
        return {"type": "bearer", "bearer": pairs(token=table.get("token", ""))}
    grant = str(table.get("grant", "client_credentials"))
    if kind == "oauth2" and grant == "client_credentials":
        return {"type": "oauth2", "oauth2": pairs(grant_type="client_credentials", accessTokenUrl=table.get("token_url"),
                                                   clientId=table.get("client_id"), clientSecret=table.get("client_secret"),
                                                   scope=table.get("scope"))}
    if kind == "oauth2" and grant == "password":
        return {"type": "oauth2", "oauth2": pairs(
            grant_type="password_credentials", accessTokenUrl=table.get("token_url"), clientId=table.get("client_id"),
            clientSecret=table.get("client_secret"), username=table.get("username"), password=table.get("password"),
            scope=table.get("scope"))}
    if kind == "none":
        return {"type": "noauth"}
    return None


def _left_out(table: object, label: str) -> list[str]:
    """One line when `table` is auth Postman cannot hold (a command, a device or refresh grant)."""
    if not isinstance(table, Mapping) or _auth(table) is not None:
        return []
    kind = str(table.get("type", ""))
    shown = f"OAuth2 {table.get('grant')} grant" if kind == "oauth2" else f"{kind} auth"
    return [f"{label}: its {shown} is not carried (Postman has no such auth): sent without it there"]


def _item(request: SavedRequest) -> dict[str, Any]:
    raw = request.url
    if request.query:
        raw += ("&" if "?" in raw else "?") + "&".join(f"{quote(k, safe='{}$')}={quote(v, safe='{}$/:,@')}"
                                                      for k, v in request.query)
    body: dict[str, Any] | None = None
    if request.body:
        body = {"mode": "raw", "raw": request.body}
        if any(k.lower() == "content-type" and "json" in v.lower() for k, v in request.headers):
            body["options"] = {"raw": {"language": "json"}}
    headers = list(request.headers)
    if request.kind == "sse" and not any(k.lower() == "accept" for k, _ in headers):
        headers.append(("Accept", "text/event-stream"))
    spec: dict[str, Any] = {
        "method": request.method,
        "header": [{"key": k, "value": v} for k, v in headers],
        "url": {"raw": raw, "query": [{"key": k, "value": v} for k, v in request.query]} if request.query else raw,
    }
    if body is not None:
        spec["body"] = body
    if request.description:
        spec["description"] = request.description
    auth = request.extra.get("auth")
    if isinstance(auth, dict) and (converted := _auth(auth)) is not None:
        spec["auth"] = converted
    return {"name": request.name, "request": spec}


def to_postman(collection: Collection, auth: Mapping[str, Any] | None = None) -> tuple[str, list[str]]:
    """The collection as Postman v2.1 JSON text, and one line for each part left out; `auth`
    the collection's default ([auth] of collection.toml), which Postman applies to every
    request that does not set its own."""
    left_out = _left_out(auth, "the collection")
    root: list[dict[str, Any]] = []
    folders: dict[tuple[str, ...], list[dict[str, Any]]] = {(): root}
    for request in collection.requests:
        for depth in range(1, len(request.group) + 1):
            path = request.group[:depth]
            if path not in folders:
                folder: dict[str, Any] = {"name": path[-1], "item": []}
                folders[path[:-1]].append(folder)
                folders[path] = folder["item"]
        folders[request.group].append(_item(request))
        left_out += _left_out(request.extra.get("auth"), "/".join((*request.group, request.name)))
    document: dict[str, Any] = {
        "info": {"_postman_id": str(uuid.uuid4()), "name": collection.name or collection.root.name, "schema": SCHEMA},
        "item": root,
        "variable": [{"key": k, "value": v} for k, v in collection.variables.items()],
    }
    if auth and (converted := _auth(auth)) is not None:
        document["auth"] = converted
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n", left_out
