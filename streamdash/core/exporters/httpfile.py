"""A collection as a `.http` file (JetBrains HTTP Client, VS Code REST Client): the collection's
variables as `@name = value` lines (never the secrets file's), then each REST request after a
`###` line naming it, its query on the request line, headers, a blank line and the body. An
`[auth]` table has no place in the format: it is named among what was left out. The
`.http` importer reads it back to the same requests. Streams are left out (neither client
reads SSE), and a body that holds a `###` line cannot be written (it would split the request)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from streamdash.core.collections.models import Collection

__all__ = ["to_http_file"]


def to_http_file(collection: Collection) -> tuple[str, list[str]]:
    """The text, and one line for each request left out."""
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
        if request.body:
            lines += ["", request.body.rstrip("\n")]
        lines.append("")
        if request.extra.get("auth"):
            left_out.append(f"{label}: its [auth] is not carried (.http files have no auth table)")
    return "\n".join(lines).rstrip("\n") + "\n", left_out


def _query(pairs: Sequence[tuple[str, str]]) -> str:
    """`?a=1&b=x%20y`, placeholders left readable (`{{page}}`)."""
    if not pairs:
        return ""
    return "?" + "&".join(f"{quote(k, safe='{}$')}={quote(v, safe='{}$/:,@')}" for k, v in pairs)
