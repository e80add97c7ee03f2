"""A collection as a `.http` file (JetBrains HTTP Client, VS Code REST Client): the collection's
variables as `@name = value` lines (never the secrets file's), then each REST request after a
`###` line naming it, its query on the request line, headers, a blank line and the body. Its
`[auth]` (or the collection's) goes as both clients read one: `Authorization: Basic user
password` (they encode it), `Digest user password`, `Bearer token`; other kinds are named among
what was left out. The `.http` importer reads it back to the same requests. Streams are left out (neither client
reads SSE), and a body that holds a `###` line cannot be written (it would split the request)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from streamdash.core.collections.models import Collection

__all__ = ["to_http_file"]


def to_http_file(collection: Collection, auth: Mapping[str, Any] | None = None) -> tuple[str, list[str]]:
    """The text, and one line for each request or part left out; `auth` is the collection's
    default ([auth] of collection.toml), for the requests that set none."""
    lines = [f"# {collection.name or collection.root.name}: exported by streamdash", ""]
    left_out: list[str] = []
    for name, value in collection.variables.items():
        lines.append(f"@{name} = {value}")
    if collection.variables:
        lines.append("")
    for request in collection.requests:
        label = "/".join((*request.group, request.name))
        if request.kind != "rest":
            left_out.append(f"{label}: a stream (.http clients do not read SSE)")
            continue
        if request.body and any(line.lstrip().startswith("###") for line in request.body.splitlines()):
            left_out.append(f"{label}: its body has a ### line, which would split the request")
            continue
        lines.append(f"### {label}")
        lines.append(f"{request.method} {request.url}{_query(request.query)}")
        lines += [f"{key}: {value}" for key, value in request.headers]
        table = request.extra.get("auth") or auth
        if isinstance(table, Mapping) and (header := _auth_header(table)) is not None:
            lines.append(f"Authorization: {header}")
        elif isinstance(table, Mapping) and str(table.get("type", "none")).lower() != "none":
            kind = "OAuth2" if table.get("type") == "oauth2" else str(table.get("type"))
            left_out.append(f"{label}: its {kind} auth is not carried (a .http file can only say basic, digest "
                            "or bearer)")
        if request.body:
            lines += ["", request.body.rstrip("\n")]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n", left_out


def _auth_header(table: Mapping[str, Any]) -> str | None:
    kind = str(table.get("type", "")).lower()
    if kind in ("basic", "digest"):
        return f"{kind.title()} {table.get('username', '')} {table.get('password', '')}".rstrip()
    if kind == "bearer":
        return f"Bearer {table.get('token', '')}"
    return None


def _query(pairs: Sequence[tuple[str, str]]) -> str:
    """`?a=1&b=x%20y`, placeholders left readable (`{{page}}`)."""
    if not pairs:
        return ""
    return "?" + "&".join(f"{quote(k, safe='{}$')}={quote(v, safe='{}$/:,@')}" for k, v in pairs)
