"""Sending a saved REST request with everything its collection configures: variables, auth
(per request or the collection's default), transport settings, the GET cache, paging, and the
history record. The app uses this; so can any other front end.

`collection.toml` may hold, beside `name` and `[variables]`:

    [auth]        # the default for every request without its own [auth]
    type = "bearer"
    token = "{{env:API_TOKEN}}"

    [transport]   # see streamdash.core.http.transport
    verify = true
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from streamdash.core.collections import COLLECTION_FILE, SavedRequest, render, render_request
from streamdash.core.history import History
from streamdash.core.http.auth import AuthError, TokenCache, build_auth, parse_auth
from streamdash.core.http.cache import ResponseCache, cache_ttl
from streamdash.core.http.paging import PagedResult, fetch_pages, parse_paging
from streamdash.core.http.send import ResponseSummary, send
from streamdash.core.http.transport import (
    ClientPool,
    TransportError,
    TransportSettings,
    parse_transport,
    plain_http_warning,
)


@dataclass(frozen=True)
class CollectionSettings:
    auth: Mapping[str, Any] | None = None
    transport: TransportSettings = field(default_factory=TransportSettings)
    errors: tuple[str, ...] = ()


def load_collection_settings(root: Path) -> CollectionSettings:
    """The `[auth]` and `[transport]` tables of `collection.toml`; problems become one-line
    errors (and defaults), never exceptions: the collection still opens."""
    path = root / COLLECTION_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        return CollectionSettings()
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return CollectionSettings(errors=(f"{path}: {exc}",))
    errors: list[str] = []
    auth = data.get("auth")
    if auth is not None:
        try:
            parse_auth(auth, f"{path}")
        except AuthError as exc:
            errors.append(str(exc))
            auth = None
    transport = TransportSettings()
    if "transport" in data:
        try:
            transport = parse_transport(data["transport"], root, str(path))
        except TransportError as exc:
            errors.append(str(exc))
    return CollectionSettings(auth=auth, transport=transport, errors=tuple(errors))


def with_curl_auth(
    request: SavedRequest, settings: CollectionSettings, variables: Mapping[str, str]
) -> tuple[SavedRequest, str | None]:
    """The rendered request with its auth (its own or the collection's) made explicit, for
    `to_curl`: basic as `-u`, bearer as an Authorization header. Digest and OAuth2 cannot be
    one curl line with the same meaning: the second value says so."""
    rendered = render_request(request, variables)
    table = request.extra.get("auth", settings.auth)
    if not table:
        return rendered, None
    kind = str(table.get("type", "")).lower()

    def render_value(key: str) -> str:
        return render(str(table.get(key, "")), variables)

    if kind == "basic":
        extra = {**rendered.extra, "auth": {"type": "basic", "username": render_value("username"),
                                            "password": render_value("password")}}
        return dataclasses.replace(rendered, extra=extra), None
    if kind == "bearer":
        headers = [*rendered.headers, ("Authorization", f"Bearer {render_value('token')}")]
        return dataclasses.replace(rendered, headers=headers), None
    if kind in ("digest", "oauth2"):
        return rendered, f"{kind} auth is not in the curl command"
    return rendered, None


@dataclass(frozen=True)
class Execution:
    summary: ResponseSummary
    note: str = ""  # "cache hit, 42 s old", "3 pages, 57 items", ...
    warning: str | None = None  # plain http:// to a remote host
    pages: PagedResult | None = None


class Executor:
    """Owns what outlives one send: the clients per transport, OAuth2 tokens, the cache."""

    def __init__(
        self,
        pool: ClientPool,
        settings: CollectionSettings | None = None,
        *,
        history: History | None = None,
        collection_root: Path | None = None,
    ) -> None:
        self.pool = pool
        self.settings = settings or CollectionSettings()
        self.tokens = TokenCache()
        self.cache = ResponseCache()
        self.history = history
        self.collection_root = collection_root

    def _auth(self, request: SavedRequest, variables: Mapping[str, str]) -> httpx.Auth | None:
        table = request.extra.get("auth", self.settings.auth)
        if not table:
            return None
        where = str(request.path or request.name)
        return build_auth(parse_auth(table, where), variables, self.tokens)

    def client_for(self, request: SavedRequest) -> httpx.AsyncClient:
        transport = self.settings.transport
        if request.extra.get("verify") is False and transport.verify:
            transport = dataclasses.replace(transport, verify=False)
        return self.pool.get(transport)

    async def run(self, request: SavedRequest, variables: Mapping[str, str], key: str = "") -> Execution:
        """Raises MissingVariable, AuthError, PagingError for a request that cannot be sent;
        everything on the wire comes back in the summary."""
        rendered = render_request(request, variables)
        auth = self._auth(request, variables)
        client = self.client_for(request)
        url = httpx.URL(rendered.url)
        if rendered.query:
            url = url.copy_merge_params(list(rendered.query))
        body = rendered.body.encode("utf-8") if rendered.body else None
        warning = plain_http_warning(url)
        note = ""
        pages = None
        paging = request.extra.get("paging")
        ttl = cache_ttl(request.extra.get("cache"))
        if paging:
            config = parse_paging(paging, str(request.path or request.name))
            pages = await fetch_pages(
                client, rendered.method, str(url), config, headers=rendered.headers, body=body, auth=auth
            )
            last = pages.pages[-1]
            merged = json.dumps(pages.items, ensure_ascii=False).encode("utf-8")
            summary = dataclasses.replace(last, body=merged, size=sum(p.size for p in pages.pages))
            note = f"{pages.page_count} pages, {len(pages.items)} items ({pages.stopped})"
        elif ttl is not None and rendered.method == "GET" and not body:
            cached = await self.cache.get(client, str(url), headers=rendered.headers, ttl=ttl, auth=auth)
            summary, note = cached.summary, cached.label
        else:
            summary = await send(
                client,
                rendered.method,
                str(url),
                headers=rendered.headers,
                body=body,
                auth=auth,
                follow_redirects=bool(request.extra.get("follow_redirects", True)),
            )
        if self.history is not None:
            try:
                self.history.record(
                    collection=self.collection_root or "", key=key, request=request, summary=summary
                )
            except OSError:
                note = (note + "; " if note else "") + "history not written"
        return Execution(summary, note, warning, pages)

    async def aclose(self) -> None:
        await self.pool.aclose()
