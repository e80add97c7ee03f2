"""Bruno: a collection folder (`bruno.json`, one `.bru` file per request, folders as groups,
`environments/*.bru`) or a single `.bru` file.

A `.bru` file is blocks: `name {` ... `}` (or `name [` ... `]` for a list), each line inside
indented by two spaces. Dictionary blocks (`meta`, `get`/`post`/..., `headers`,
`params:query`, `auth:basic`, `vars`...) hold `key: value` lines, a `~` before the key turning
it off; text blocks (`body:json`, `docs`, `script:*`, `tests`) hold text. Read here: method,
URL, enabled query parameters and headers, the body (json, text, xml, form-urlencoded, GraphQL as
the JSON Bruno sends), auth (basic, digest, bearer, API key), docs as the description, the order
(`seq`), `vars:post-response` and `assert` as captures and checks (bruno_asserts.py), and what
a request inherits as Bruno sends it: `collection.bru`'s and each `folder.bru`'s headers, and
the closest one's auth for a request whose auth is `inherit`. An
environment's `vars:secret [ ... ]` names its secrets. Scripts, tests and multipart bodies are
left out with a warning.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from streamdash.core.collections.curl import split_url
from streamdash.core.collections.models import SavedRequest
from streamdash.core.files import read_regular_file
from streamdash.core.importers.bruno_asserts import read_asserts, read_captures
from streamdash.core.importers.model import (
    Imported,
    ImportRefused,
    fill_path_params,
    keep_order,
    table,
    to_placeholders,
)

__all__ = ["parse_bru", "read_bru_file", "read_bruno_folder"]

_METHODS = ("get", "post", "put", "delete", "patch", "options", "head", "trace", "connect")
_TEXT_BLOCKS = ("body:json", "body:text", "body:xml", "body:sparql", "body:graphql", "body:graphql:vars",
                "docs", "tests", "script:pre-request", "script:post-response")


def parse_bru(text: str, where: str) -> dict[str, Any]:
    """Blocks by name: a dict of `key: value` (disabled ones under `~key`), a text, or a list."""
    blocks: dict[str, Any] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if not line.strip():
            continue
        head = line.strip()
        if head.endswith(("{", "[")):
            name, closer = head[:-1].strip(), "}" if head.endswith("{") else "]"
            body: list[str] = []
            while i < len(lines) and lines[i].rstrip() != closer:
                body.append(lines[i][2:] if lines[i].startswith("  ") else lines[i].lstrip())
                i += 1
            if i >= len(lines):
                raise ImportRefused(f"{where}: block {name!r} is not closed with {closer!r}")
            i += 1
            if closer == "]":
                blocks[name] = [item.strip().rstrip(",") for item in body if item.strip()]
            elif name in _TEXT_BLOCKS:
                blocks[name] = "\n".join(body).strip("\n")
            else:
                entries: dict[str, str] = {}
                for entry in body:
                    key, colon, value = entry.partition(":")
                    if colon and key.strip():
                        entries[key.strip()] = value.strip()
                blocks[name] = entries
        else:
            raise ImportRefused(f"{where}: not a .bru file: line {i} is {head[:40]!r}, not a block")
    return blocks


def _enabled(block: Any) -> list[tuple[str, str]]:
    return [(k, v) for k, v in (block or {}).items() if not k.startswith("~")] if isinstance(block, dict) else []


def _request(blocks: dict[str, Any], imported: Imported, where: str, group: tuple[str, ...], fallback: str,
             parents: list[dict[str, Any]] | None = None) -> SavedRequest | None:
    """`parents`: the blocks of the request's folder.bru files, closest first, then collection.bru."""
    parents = parents or []
    meta = blocks.get("meta", {}) if isinstance(blocks.get("meta"), dict) else {}
    name = meta.get("name") or fallback
    kind = meta.get("type", "http")
    if kind not in ("http", "graphql"):
        imported.warn(f"{where}: a {kind} request is not imported")
        return None
    method = next((m for m in _METHODS if isinstance(blocks.get(m), dict)), None)
    if method is None:
        imported.warn(f"{where}: no method block (get {{ ... }}): skipped")
        return None

    def tpl(text: str) -> str:
        return to_placeholders(text, imported, where)

    spec = blocks[method]
    url, query = split_url(tpl(spec.get("url", "")))
    url = fill_path_params(url, [(k, tpl(v)) for k, v in _enabled(blocks.get("params:path"))])
    if "params:query" in blocks:  # the block knows which are off; the URL repeats the enabled ones
        query = [(tpl(k), tpl(v)) for k, v in _enabled(blocks["params:query"])]
    # Bruno sends the collection's headers, then each folder's, then the request's; a name set
    # nearer the request wins.
    headers: list[tuple[str, str]] = []
    for source in [*reversed(parents), blocks]:
        own = [(tpl(k), tpl(v)) for k, v in _enabled(source.get("headers"))]
        names = {k.lower() for k, _ in own}
        headers = [*(pair for pair in headers if pair[0].lower() not in names), *own]
    body_kind = spec.get("body", "none")
    body = None
    content_type = {"json": "application/json", "text": "text/plain", "xml": "application/xml",
                    "graphql": "application/json", "formUrlEncoded": "application/x-www-form-urlencoded"}
    if body_kind == "graphql":
        document: dict[str, Any] = {"query": tpl(blocks.get("body:graphql", ""))}
        if blocks.get("body:graphql:vars"):
            try:
                document["variables"] = json.loads(blocks["body:graphql:vars"])
            except ValueError:
                imported.warn(f"{where}: its GraphQL variables are not JSON: left out")
        body = json.dumps(document, ensure_ascii=False)
    elif body_kind == "formUrlEncoded":
        from urllib.parse import urlencode

        body = urlencode([(tpl(k), tpl(v)) for k, v in _enabled(blocks.get("body:form-urlencoded"))], safe="{}")
    elif body_kind in ("json", "text", "xml") and blocks.get(f"body:{body_kind}"):
        body = tpl(blocks[f"body:{body_kind}"])
    elif body_kind not in ("none", ""):
        imported.warn(f"{where}: a {body_kind} body is not imported")
    if body and body_kind in content_type and not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", content_type[body_kind]))
    extra: dict[str, Any] = {}
    auth_kind, auth_blocks = spec.get("auth", "none"), blocks
    if auth_kind == "inherit":  # the closest folder.bru, else collection.bru, with a mode of its own
        for parent in parents:
            mode = table(parent.get("auth")).get("mode", "inherit")
            if mode != "inherit":
                auth_kind, auth_blocks = mode, parent
                break
    auth = table(auth_blocks.get(f"auth:{auth_kind}"))
    if auth_kind in ("basic", "digest"):
        extra["auth"] = {"type": auth_kind, "username": tpl(auth.get("username", "")), "password": tpl(auth.get("password", ""))}
    elif auth_kind == "bearer":
        extra["auth"] = {"type": "bearer", "token": tpl(auth.get("token", ""))}
    elif auth_kind == "apikey":
        pair = (tpl(auth.get("key", "X-API-Key")), tpl(auth.get("value", "")))
        (query if auth.get("placement") == "queryparams" else headers).append(pair)
    elif auth_kind == "none":
        pass
    elif auth_kind == "inherit":
        extra.pop("auth", None)
    else:
        imported.warn(f"{where}: {auth_kind} auth is not imported")
    if captures := read_captures(table(blocks.get("vars:post-response")), imported, where):
        extra["capture"] = captures
    status, checks = read_asserts(table(blocks.get("assert")), imported, where)
    if status is not None:
        extra["expect_status"] = status
    if checks:
        extra["check"] = checks
    for block in ("script:pre-request", "script:post-response", "tests", "vars:pre-request"):
        if blocks.get(block):
            imported.warn(f"{where}: its {block} block is not run by streamdash: left out")
    return SavedRequest(name=name, method=method.upper(), url=url, query=query, headers=headers, body=body,
                        description=str(blocks.get("docs", "")).strip(), extra=extra, group=group)


def _read(path: Path) -> str:
    try:
        return read_regular_file(path).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRefused(f"{path}: {getattr(exc, 'strerror', None) or exc}") from None


def read_bru_file(text: str, path: Path, imported: Imported | None = None, group: tuple[str, ...] = ()) -> Imported:
    imported = imported or Imported("Bruno request", name=path.stem)
    request = _request(parse_bru(text, str(path)), imported, str(path), group, path.stem)
    if request is not None:
        imported.requests.append(request)
    return imported


def read_bruno_folder(root: Path) -> Imported:
    name = root.name
    manifest = root / "bruno.json"
    if manifest.is_file():
        try:
            name = str(json.loads(_read(manifest)).get("name") or name)
        except ValueError:
            raise ImportRefused(f"{manifest}: not valid JSON") from None
    imported = Imported("Bruno collection", name=name)
    # collection.bru (key ()) and each folder.bru (key: its folder): headers and auth their
    # requests inherit; their scripts are named as left out.
    settings: dict[tuple[str, ...], dict[str, Any]] = {}
    for path in [root / "collection.bru", *sorted(root.rglob("folder.bru"))]:
        if path.is_file() and path.relative_to(root).parts[0] != "environments":
            blocks = parse_bru(_read(path), str(path))
            settings[path.relative_to(root).parts[:-1]] = blocks
            for block in ("script:pre-request", "script:post-response", "tests"):
                if blocks.get(block):
                    imported.warn(f"{path}: its {block} block is not run by streamdash: left out")
    found: list[tuple[float, SavedRequest]] = []
    for path in sorted(root.rglob("*.bru")):
        relative = path.relative_to(root)
        if relative.parts[0] == "environments":
            blocks = parse_bru(_read(path), str(path))
            values = {k: to_placeholders(v, imported, str(path)) for k, v in _enabled(blocks.get("vars"))}
            secret = [n for n in blocks.get("vars:secret", []) if isinstance(n, str)]
            for secret_name in secret:
                values.setdefault(secret_name.lstrip("~"), "")
            imported.secret_names.update(s.lstrip("~") for s in secret)
            imported.environments[path.stem] = {k: v for k, v in values.items() if v}
            continue
        if path.name in ("collection.bru", "folder.bru"):
            continue
        group = tuple(relative.parts[:-1])
        parents = [settings[group[:depth]] for depth in range(len(group), -1, -1) if group[:depth] in settings]
        blocks = parse_bru(_read(path), str(path))
        request = _request(blocks, imported, str(path), group, path.stem, parents)
        if request is not None:
            try:
                seq = float(table(blocks.get("meta")).get("seq", 0))
            except (TypeError, ValueError):
                seq = 0.0
            found.append((seq, request))
    # Bruno orders requests by seq within a folder; the collection keeps that order.
    found.sort(key=lambda pair: (pair[1].group, pair[0]))
    imported.requests.extend(request for _, request in found)
    keep_order(imported)
    return imported
