"""Postman: a collection (schema v2.1, and v2.0, whose auth is a table instead of a list), its
environment files and its globals.

A folder becomes a group (nested folders nest), a request keeps its method, URL (query split
out), enabled headers, body (raw, urlencoded, GraphQL as the JSON Postman sends), description and
auth (basic, digest, bearer, API key as the header or query parameter it names, OAuth2 client
credentials); the collection's `variable` list becomes its variables and its auth the default of
each request that inherits. Left behind, one warning each: pre-request and test scripts, form-data
and file bodies, auth types streamdash lacks, disabled items (silently: they were off).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from streamdash.core.collections.curl import split_url
from streamdash.core.collections.models import SavedRequest
from streamdash.core.importers.model import (
    Imported,
    ImportRefused,
    fill_path_params,
    keep_order,
    oauth2_auth,
    to_placeholders,
)

__all__ = ["is_postman", "is_postman_environment", "read_postman", "read_postman_environment"]

_SCHEMA = "schema.getpostman.com/json/collection/v2"


def is_postman(data: object) -> bool:
    return isinstance(data, dict) and _SCHEMA in str(data.get("info", {}).get("schema", ""))


def is_postman_environment(data: object) -> bool:
    return isinstance(data, dict) and data.get("_postman_variable_scope") in ("environment", "globals")


def _pairs(value: object) -> dict[str, Any]:
    """v2.1 auth fields are a list of {key, value}; v2.0's a table."""
    if isinstance(value, list):
        return {str(p.get("key")): p.get("value") for p in value if isinstance(p, dict)}
    return dict(value) if isinstance(value, dict) else {}


def _text(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _description(value: object) -> str:
    if isinstance(value, dict):  # {"content": ..., "type": "text/markdown"}
        value = value.get("content", "")
    return _text(value).strip()


class _Reader:
    def __init__(self, imported: Imported) -> None:
        self.imported = imported

    def tpl(self, text: object, where: str) -> str:
        return to_placeholders(_text(text), self.imported, where)

    def auth(self, auth: object, where: str) -> tuple[dict[str, Any] | None, list[tuple[str, str]], list[tuple[str, str]]]:
        """Our [auth] table (None: none or inherit), and headers / query pairs an API key adds."""
        if not isinstance(auth, dict):
            return None, [], []
        kind = str(auth.get("type", "noauth")).lower()
        fields = _pairs(auth.get(kind))
        if kind == "noauth":
            return {"type": "none"}, [], []
        if kind in ("basic", "digest"):
            return {"type": kind, "username": self.tpl(fields.get("username"), where),
                    "password": self.tpl(fields.get("password"), where)}, [], []
        if kind == "bearer":
            return {"type": "bearer", "token": self.tpl(fields.get("token"), where)}, [], []
        if kind == "apikey":
            name = self.tpl(fields.get("key") or "X-API-Key", where)
            value = self.tpl(fields.get("value"), where)
            if str(fields.get("in", "header")) == "query":
                return None, [], [(name, value)]
            return None, [(name, value)], []
        if kind == "oauth2":
            return self.oauth2(fields, where)
        self.imported.warn(f"{where}: {kind} auth is not imported (streamdash has basic, digest, bearer, "
                           "API key, OAuth2 and a token from a command)")
        return None, [], []

    def oauth2(self, fields: dict[str, Any], where: str) -> tuple[dict[str, Any] | None, list[tuple[str, str]],
                                                                   list[tuple[str, str]]]:
        """Postman's grants that need no browser (client credentials, password as
        "password_credentials"), or the access token a v2.0 file kept (`accessToken`, sent as a
        bearer or as `access_token=` in the query, as Postman sends it)."""
        grant = str(fields.get("grant_type") or ("" if fields.get("accessToken") else "client_credentials"))
        if grant in ("client_credentials", "password_credentials") and fields.get("accessTokenUrl"):
            login = (self.tpl(fields.get("username"), where), self.tpl(fields.get("password"), where))
            return oauth2_auth(self.tpl(fields.get("accessTokenUrl"), where), self.tpl(fields.get("clientId"), where),
                               self.tpl(fields.get("clientSecret"), where), scope=self.tpl(fields.get("scope"), where),
                               password_grant=login if grant == "password_credentials" else None), [], []
        if not grant and fields.get("accessToken"):
            token = self.tpl(fields.get("accessToken"), where)
            if str(fields.get("addTokenTo", "header")) == "queryParams":
                return None, [], [("access_token", token)]
            return {"type": "bearer", "token": token}, [], []
        self.imported.warn(f"{where}: OAuth2 {grant or 'auth'} needs a browser redirect, which streamdash "
                           "does not do (it has client credentials, password, refresh token and device code): "
                           "left out")
        return None, [], []

    def url(self, url: object, where: str) -> tuple[str, list[tuple[str, str]]]:
        if isinstance(url, str):
            return split_url(self.tpl(url, where))
        if not isinstance(url, dict):
            return "", []
        raw = self.tpl(url.get("raw", ""), where)
        base, query = split_url(raw)
        variables = [(self.tpl(v.get("key"), where), self.tpl(v.get("value"), where))
                     for v in url.get("variable") or [] if isinstance(v, dict)]
        base = fill_path_params(base, variables)
        if isinstance(url.get("query"), list):  # the structured one knows which are disabled
            query = [(self.tpl(q.get("key"), where), self.tpl(q.get("value"), where))
                     for q in url["query"] if isinstance(q, dict) and not q.get("disabled")]
        return base, query

    def body(self, body: object, headers: list[tuple[str, str]], where: str) -> str | None:
        if not isinstance(body, dict) or body.get("disabled"):
            return None
        mode = body.get("mode")
        has_type = any(name.lower() == "content-type" for name, _ in headers)
        if mode == "raw":
            text = self.tpl(body.get("raw", ""), where)
            language = str(body.get("options", {}).get("raw", {}).get("language", "")).lower()
            kinds = {"json": "application/json", "xml": "application/xml", "html": "text/html",
                     "javascript": "application/javascript", "text": "text/plain"}
            if not has_type and language in kinds and text:
                headers.append(("Content-Type", kinds[language]))  # Postman adds it when sending
            return text or None
        if mode == "urlencoded":
            from urllib.parse import urlencode

            pairs = [(self.tpl(p.get("key"), where), self.tpl(p.get("value"), where))
                     for p in body.get("urlencoded", []) if isinstance(p, dict) and not p.get("disabled")]
            if not has_type:
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            return urlencode(pairs, safe="{}") or None
        if mode == "graphql":
            graphql = body.get("graphql", {})
            document: dict[str, Any] = {"query": self.tpl(graphql.get("query", ""), where)}
            variables = graphql.get("variables")
            if variables:
                try:
                    document["variables"] = json.loads(variables) if isinstance(variables, str) else variables
                except ValueError:
                    self.imported.warn(f"{where}: its GraphQL variables are not JSON: left out")
            if not has_type:
                headers.append(("Content-Type", "application/json"))
            return json.dumps(document, ensure_ascii=False)
        if mode in ("formdata", "file"):
            self.imported.warn(f"{where}: a {mode} body is not imported (streamdash sends text bodies)")
        return None

    def item(self, item: Mapping[str, Any], group: tuple[str, ...], inherited: object) -> None:
        name = str(item.get("name") or "request").strip() or "request"
        where = "/".join((*group, name))
        if _scripts(item.get("event")):
            self.imported.warn(f"{where}: pre-request and test scripts are not run by streamdash: left out")
        if "item" in item:  # a folder
            auth = item.get("auth") or inherited
            for child in item.get("item") or []:
                if isinstance(child, dict):
                    self.item(child, (*group, name), auth)
            return
        request = item.get("request")
        if isinstance(request, str):  # v2 allows a bare URL
            request = {"url": request, "method": "GET"}
        if not isinstance(request, dict):
            self.imported.warn(f"{where}: no request in it: skipped")
            return
        headers = [(self.tpl(h.get("key"), where), self.tpl(h.get("value"), where))
                   for h in request.get("header") or [] if isinstance(h, dict) and not h.get("disabled")]
        url, query = self.url(request.get("url"), where)
        auth_table, auth_headers, auth_query = self.auth(request.get("auth") or inherited, where)
        headers += auth_headers
        query += auth_query
        body = self.body(request.get("body"), headers, where)
        extra: dict[str, Any] = {"auth": auth_table} if auth_table else {}
        method = str(request.get("method") or "GET").upper()
        # A GET that asks for text/event-stream is a stream (Postman shows it as events); a
        # stream here sends that Accept itself.
        stream = method == "GET" and any(k.lower() == "accept" and v.strip().lower() == "text/event-stream"
                                         for k, v in headers)
        if stream:
            headers = [(k, v) for k, v in headers if not (k.lower() == "accept" and v.strip().lower() == "text/event-stream")]
        self.imported.requests.append(SavedRequest(
            name=name, kind="sse" if stream else "rest", method=method, url=url, query=query,
            headers=headers, body=body, description=_description(request.get("description") or item.get("description")),
            extra=extra, group=group,
        ))


def _scripts(events: object) -> bool:
    if not isinstance(events, list):
        return False
    for event in events:
        script = event.get("script", {}) if isinstance(event, dict) else {}
        lines = script.get("exec", []) if isinstance(script, dict) else []
        text = "\n".join(lines) if isinstance(lines, list) else str(lines)
        if text.strip():
            return True
    return False


def read_postman(data: Mapping[str, Any], where: str) -> Imported:
    info = data.get("info", {})
    if not isinstance(data.get("item", []), list):
        raise ImportRefused(f"{where}: a Postman collection whose 'item' is not a list")
    imported = Imported("Postman collection", name=str(info.get("name") or ""))
    reader = _Reader(imported)
    for variable in data.get("variable") or []:
        if isinstance(variable, dict) and variable.get("key") and not variable.get("disabled"):
            imported.variables[str(variable["key"])] = reader.tpl(variable.get("value"), "variables")
    if _scripts(data.get("event")):
        imported.warn("the collection's pre-request and test scripts are not run by streamdash: left out")
    for item in data.get("item") or []:
        if isinstance(item, dict):
            reader.item(item, (), data.get("auth"))
    keep_order(imported)
    return imported


def read_postman_environment(data: Mapping[str, Any], where: str) -> Imported:
    """An environment file (or the globals): one environment (globals: collection variables).
    Values typed `secret` are secrets whatever their names (see `Imported.secret_names`)."""
    scope = data.get("_postman_variable_scope")
    name = str(data.get("name") or ("globals" if scope == "globals" else "imported"))
    imported = Imported("Postman environment" if scope == "environment" else "Postman globals", name=name)
    reader = _Reader(imported)
    values: dict[str, str] = {}
    for value in data.get("values") or []:
        if not isinstance(value, dict) or not value.get("key") or value.get("enabled") is False:
            continue
        key = str(value["key"])
        values[key] = reader.tpl(value.get("value"), f"{name}.{key}")
        if value.get("type") == "secret":
            imported.secret_names.add(key)
    if scope == "globals":
        imported.variables = values
    else:
        imported.environments[name] = values
    return imported
