"""OpenAPI 3.0 and 3.1 (JSON or YAML): one request per operation.

- The first server is the collection's `base_url`; every server is an environment (named from its
  description, else its host) with its own `base_url`, its `{variables}` filled with their
  defaults. A relative server URL stays relative (with a warning).
- The path is `{{base_url}}/items/{{id}}`: each path parameter a variable, its example or default
  the collection's value for it (else it is left for an environment to set).
- Required query and header parameters are sent, with their example or default (else a
  `{{variable}}`); optional ones are listed in the request's description.
- The body is the JSON (or form) example of the operation: `example`, the first of `examples`,
  the schema's example, or one made from the schema (types, enums, defaults; at most 6 levels).
- Security: http bearer / basic, an API key (header or query) and OAuth2 client credentials
  become the request's auth, its secrets `{{token}}`-like variables to set in an environment or
  the secrets file. The first tag is the group. An operation answering `text/event-stream` is a
  stream. Local `$ref`s (`#/components/...`) are followed; remote ones are not (a warning).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from streamdash.core.collections.models import SavedRequest
from streamdash.core.importers.model import Imported, ImportRefused, keep_order, oauth2_auth

__all__ = ["read_openapi"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PATH_PARAM = re.compile(r"\{([^}/]+)\}")
_MAX_DEPTH = 6


class _Doc:
    def __init__(self, data: Mapping[str, Any], imported: Imported) -> None:
        self.data = data
        self.imported = imported

    def deref(self, node: Any, seen: frozenset[str] = frozenset()) -> Any:
        """A `$ref` followed (local ones only), as many times as it takes; cycles stop."""
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#/") or ref in seen:
                if not ref.startswith("#/"):
                    self.imported.warn(f"a remote $ref ({ref}) is not followed")
                return {}
            seen = seen | {ref}
            target: Any = self.data
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part) if isinstance(target, dict) else None
            node = target if target is not None else {}
        return node

    def example(self, schema: Any, depth: int = 0, seen: frozenset[str] = frozenset()) -> Any:
        """A value that fits `schema`, from its example, default or enum, else made up."""
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            if schema["$ref"] in seen or depth > _MAX_DEPTH:
                return None
            seen = seen | {schema["$ref"]}
        schema = self.deref(schema)
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return None
        for key in ("example", "default", "const"):
            if key in schema:
                return schema[key]
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return schema["examples"][0]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        for key in ("allOf", "oneOf", "anyOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                if key == "allOf":
                    merged: dict[str, Any] = {}
                    for part in schema[key]:
                        value = self.example(part, depth + 1, seen)
                        if isinstance(value, dict):
                            merged.update(value)
                    return merged
                return self.example(schema[key][0], depth + 1, seen)
        kind = schema.get("type")
        if isinstance(kind, list):  # 3.1: ["string", "null"]
            kind = next((k for k in kind if k != "null"), None)
        if kind == "object" or "properties" in schema:
            props = schema.get("properties") or {}
            return {name: self.example(sub, depth + 1, seen) for name, sub in props.items()}
        if kind == "array":
            item = self.example(schema.get("items", {}), depth + 1, seen)
            return [] if item is None else [item]
        if kind == "integer":
            return 0
        if kind == "number":
            return 0.0
        if kind == "boolean":
            return False
        if kind == "string":
            return {"date-time": "2026-01-01T00:00:00Z", "date": "2026-01-01", "email": "user@example.com",
                    "uuid": "00000000-0000-0000-0000-000000000000", "uri": "https://example.com"}.get(
                        str(schema.get("format")), "string")
        return None


def _server_url(server: Mapping[str, Any]) -> str:
    url = str(server.get("url", ""))
    for name, spec in (server.get("variables") or {}).items():
        default = spec.get("default", "") if isinstance(spec, dict) else ""
        url = url.replace("{" + name + "}", str(default))
    return url.rstrip("/")


def _server_name(server: Mapping[str, Any], index: int) -> str:
    described = str(server.get("description") or "").strip()
    if described:
        return described
    host = urlsplit(_server_url(server)).hostname
    return host or f"server-{index + 1}"


def _param_value(doc: _Doc, param: Mapping[str, Any]) -> Any:
    if "example" in param:
        return param["example"]
    examples = param.get("examples")
    if isinstance(examples, dict) and examples:
        first = doc.deref(next(iter(examples.values())))
        if isinstance(first, dict) and "value" in first:
            return first["value"]
    schema = doc.deref(param.get("schema", {}))
    if isinstance(schema, dict):
        for key in ("example", "default"):
            if key in schema:
                return schema[key]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
    return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _variable_name(name: str) -> str:
    return re.sub(r"[^\w.\-]", "_", name)


class _Reader:
    def __init__(self, doc: _Doc) -> None:
        self.doc = doc
        self.imported = doc.imported
        self.schemes = doc.deref(doc.data.get("components", {}).get("securitySchemes", {})) or {}

    def security(self, requirements: Any, where: str) -> tuple[dict[str, Any] | None, list[tuple[str, str]], list[tuple[str, str]]]:
        if not isinstance(requirements, list) or not requirements:
            return None, [], []
        if requirements == [{}]:  # explicitly none
            return {"type": "none"}, [], []
        for requirement in requirements:
            for scheme_name in requirement if isinstance(requirement, dict) else []:
                scheme = self.doc.deref(self.schemes.get(scheme_name, {}))
                kind = str(scheme.get("type", "")).lower()
                if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
                    return {"type": "bearer", "token": "{{token}}"}, [], []
                if kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
                    return {"type": "basic", "username": "{{username}}", "password": "{{password}}"}, [], []
                if kind == "apikey":
                    name = str(scheme.get("name") or "X-API-Key")
                    pair = (name, "{{" + _variable_name(name.lower().replace("-", "_")) + "}}")
                    where_in = str(scheme.get("in", "header"))
                    if where_in == "query":
                        return None, [], [pair]
                    if where_in == "header":
                        return None, [pair], []
                    return None, [("Cookie", f"{pair[0]}={pair[1]}")], []
                if kind == "oauth2":
                    flows = scheme.get("flows") if isinstance(scheme.get("flows"), dict) else {}
                    for flow_name, grant in (("clientCredentials", None), ("password", "password")):
                        flow = flows.get(flow_name)
                        if not (isinstance(flow, dict) and flow.get("tokenUrl")):
                            continue
                        # A password flow's client is usually public: no secret asked for.
                        return oauth2_auth(str(flow["tokenUrl"]), "{{client_id}}",
                                           "{{client_secret}}" if grant is None else None,
                                           scope=" ".join(flow.get("scopes") or {}),
                                           password_grant=("{{username}}", "{{password}}") if grant else None), [], []
                    if flows:
                        self.imported.warn(f"{where}: security scheme {scheme_name!r} is OAuth2 "
                                           f"{'/'.join(map(str, flows))}, which needs a browser redirect: not imported")
                        continue
                self.imported.warn(f"{where}: security scheme {scheme_name!r} ({kind}) is not imported")
        return None, [], []

    def operation(self, path: str, method: str, op: Mapping[str, Any], shared: list[Any], global_security: Any) -> None:
        label = f"{method.upper()} {path}"
        name = str(op.get("operationId") or op.get("summary") or label).strip()
        tags = op.get("tags") or []
        group = (str(tags[0]),) if tags else ()
        params: dict[tuple[str, str], Mapping[str, Any]] = {}
        for raw in [*shared, *(op.get("parameters") or [])]:
            param = self.doc.deref(raw)
            if isinstance(param, dict) and param.get("name"):
                params[(str(param.get("in")), str(param["name"]))] = param
        url = "{{base_url}}" + _PATH_PARAM.sub(lambda m: "{{" + _variable_name(m[1]) + "}}", path)
        query: list[tuple[str, str]] = []
        headers: list[tuple[str, str]] = []
        optional: list[str] = []
        for (place, pname), param in params.items():
            value = _param_value(self.doc, param)
            if place == "path":
                var = _variable_name(pname)
                if value is not None and var not in self.imported.variables:
                    self.imported.variables[var] = _text(value)
                continue
            shown = _text(value) if value is not None else "{{" + _variable_name(pname) + "}}"
            if not param.get("required"):
                optional.append(f"{pname} ({place})")
                continue
            if place == "query":
                query.append((pname, shown))
            elif place == "header":
                headers.append((pname, shown))
        body = None
        request_body = self.doc.deref(op.get("requestBody", {}))
        content = request_body.get("content", {}) if isinstance(request_body, dict) else {}
        if isinstance(content, dict) and content:
            media = next((m for m in content if "json" in m), None) or next(iter(content))
            spec = self.doc.deref(content.get(media) or {})
            value = spec.get("example") if isinstance(spec, dict) else None
            if value is None and isinstance(spec, dict) and isinstance(spec.get("examples"), dict) and spec["examples"]:
                first = self.doc.deref(next(iter(spec["examples"].values())))
                value = first.get("value") if isinstance(first, dict) else None
            if value is None and isinstance(spec, dict):
                value = self.doc.example(spec.get("schema", {}))
            if media in ("*/*", "application/*") and isinstance(value, dict | list):
                media = "application/json"  # any type will do, and the schema is an object: JSON
            if "json" in media:
                body = json.dumps(value, indent=2, ensure_ascii=False)
            elif media == "application/x-www-form-urlencoded" and isinstance(value, dict):
                body = urlencode({k: _text(v) for k, v in value.items()})
            elif isinstance(value, str):
                body = value
            else:
                self.imported.warn(f"{label}: a {media} body is not imported")
                media = ""
            if media:
                headers.append(("Content-Type", media))
        auth, auth_headers, auth_query = self.security(op.get("security", global_security), label)
        headers += auth_headers
        query += auth_query
        responses = op.get("responses") or {}
        streams = any("text/event-stream" in (self.doc.deref(r).get("content") or {})
                      for r in responses.values() if isinstance(self.doc.deref(r), dict))
        description = "\n".join(part for part in (
            str(op.get("summary") or "") if op.get("operationId") else "",
            str(op.get("description") or "").strip(),
            f"optional parameters: {', '.join(optional)}" if optional else "",
        ) if part)
        if op.get("deprecated"):
            description = ("deprecated. " + description).strip()
        self.imported.requests.append(SavedRequest(
            name=name, kind="sse" if streams else "rest", method=method.upper(), url=url, query=query,
            headers=headers, body=body, description=description,
            extra={"auth": auth} if auth else {}, group=group,
        ))


def read_openapi(data: Mapping[str, Any], where: str) -> Imported:
    version = str(data.get("openapi") or "")
    if not version.startswith("3."):
        found = data.get("swagger") or version or "unknown"
        raise ImportRefused(f"{where}: OpenAPI {found} is not read (3.0 and 3.1 are); convert it first, "
                            "e.g. with swagger2openapi")
    info = data.get("info") or {}
    imported = Imported(f"OpenAPI {version} document", name=str(info.get("title") or "openapi"))
    doc = _Doc(data, imported)
    servers = [s for s in data.get("servers") or [] if isinstance(s, dict) and s.get("url")]
    if servers:
        imported.variables["base_url"] = _server_url(servers[0])
        if not urlsplit(imported.variables["base_url"]).scheme:
            imported.warn(f"the server URL {imported.variables['base_url']!r} is relative: set base_url to the full URL")
        for index, server in enumerate(servers):
            name = _server_name(server, index)
            while name in imported.environments:
                name += "-2"
            imported.environments[name] = {"base_url": _server_url(server)}
    else:
        imported.warn("the document names no server: set base_url in an environment")
    reader = _Reader(doc)
    paths = data.get("paths", {})
    if not isinstance(paths, dict):
        raise ImportRefused(f"{where}: its 'paths' is not a table")
    for path, item in paths.items():
        item = doc.deref(item)
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters") or []
        for method in _METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                reader.operation(str(path), method, op, shared, data.get("security"))
    if any(r.extra.get("auth", {}).get("type") not in (None, "none") or any("{{" in v for _, v in r.headers)
           for r in imported.requests):
        imported.warn("its security schemes use {{token}}-like variables: set them in an environment "
                      "or .secrets.toml (E in the app)")
    keep_order(imported)
    return imported
