"""HAR 1.2 (a browser's or a proxy's recording): one request per entry, as it was sent.

Pseudo-headers (`:authority`) and the ones a client makes itself (Host, Content-Length,
Connection, Accept-Encoding and the browser's sec-*, which describe that browser, not the API)
are left out; cookies stay in the Cookie header they were sent in (taken out to the secrets file
on save, like any credential). The same method and URL twice is imported once. Entries of
`text/event-stream` answers become streams.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from streamdash.core.collections.curl import derive_name, split_url
from streamdash.core.collections.models import SavedRequest
from streamdash.core.importers.model import Imported, ImportRefused, keep_order, table

__all__ = ["read_har"]

_CLIENT_HEADERS = frozenset({"host", "content-length", "connection", "accept-encoding", "keep-alive",
                             "upgrade-insecure-requests", "te", "priority"})


def read_har(data: Mapping[str, Any], where: str) -> Imported:
    log = data.get("log", {})
    entries = log.get("entries")
    if not isinstance(entries, list):
        raise ImportRefused(f"{where}: a HAR file whose log.entries is not a list")
    imported = Imported("HAR file", name=str(log.get("creator", {}).get("name") or "har"))
    seen: set[tuple[str, str, str]] = set()
    skipped = 0
    for entry in entries:
        request = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or not request.get("url"):
            skipped += 1
            continue
        method = str(request.get("method") or "GET").upper()
        url, query = split_url(str(request["url"]))
        post = table(request.get("postData"))
        body = post.get("text") or None
        if post.get("params") and not body:
            imported.warn(f"{method} {url}: a multipart body is not imported")
        key = (method, str(request["url"]), body or "")
        if key in seen:
            continue
        seen.add(key)
        headers = [(str(h.get("name")), str(h.get("value", ""))) for h in request.get("headers") or []
                   if isinstance(h, dict) and h.get("name") and not str(h["name"]).startswith(":")
                   and str(h["name"]).lower() not in _CLIENT_HEADERS and not str(h["name"]).lower().startswith("sec-")]
        mime = str(table(table(entry.get("response")).get("content")).get("mimeType", ""))
        imported.requests.append(SavedRequest(
            name=derive_name(method, url), kind="sse" if mime.startswith("text/event-stream") else "rest",
            method=method, url=url, query=list(query),
            headers=headers, body=body,
        ))
    if skipped:
        imported.warn(f"{skipped} entries without a request URL: skipped")
    keep_order(imported)
    return imported
