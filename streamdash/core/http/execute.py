"""Sending a prepared REST request with what outlives one send: the clients per transport, the
OAuth2 token cache, the GET cache, paging, and the history record. The dashboard, `streamdash
run` and the run screen all send through here; `prepare()` made what they send.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from streamdash.core.collections import SavedRequest
from streamdash.core.collections.environments import missing_hint
from streamdash.core.history import History
from streamdash.core.http.auth import TokenCache
from streamdash.core.http.cache import ResponseCache, cache_ttl
from streamdash.core.http.cookies import CookieJar, cookies_note
from streamdash.core.http.paging import PagedResult, fetch_pages, parse_paging
from streamdash.core.http.prepare import PreparedRequest, PrepareError, prepare
from streamdash.core.http.send import ResponseSummary, send
from streamdash.core.http.settings import CollectionSettings, load_collection_settings
from streamdash.core.http.transport import ClientPool, TransportError

__all__ = ["CollectionSettings", "Execution", "Executor", "load_collection_settings"]


@dataclass(frozen=True)
class Execution:
    prepared: PreparedRequest
    summary: ResponseSummary
    note: str = ""  # "cache hit, 42 s old", "3 pages, 57 items", ...
    pages: PagedResult | None = None
    secrets: frozenset[str] = frozenset()  # the request's, and the OAuth2 tokens it may have used

    @property
    def warning(self) -> str | None:
        """Plain http:// to a remote host: the request and its credentials travel in clear."""
        return self.prepared.warning

    @property
    def notes(self) -> str:
        """What the response line says beside the status, in the app and in `run` alike: the
        note (pages and why paging stopped, a cache hit and its age) and the plain-http warning."""
        return "; ".join(part for part in (self.note, self.warning) if part)


def _capture_hint(name: str, root: Path) -> str:
    """For "unknown variable 'name'" that a request's [capture] sets (read from disk now, on this
    error only): that request has not answered yet in this session or run."""
    from streamdash.core.collections.storage import load_collection

    try:
        setters = [r.name for r in load_collection(root).requests
                   if isinstance(r.extra.get("capture"), dict) and name in r.extra["capture"]]
    except (OSError, ValueError):
        return ""
    if not setters:
        return ""
    return f"(captured by {setters[0]}: send it first or run the collection, or set {name} in an environment)"


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
        self.cookies = CookieJar()  # this session's; memory only (see cookies.py)
        self.history = history
        self.collection_root = collection_root
        self.env_name: str | None = None  # for the hint of a missing variable

    def prepare(
        self,
        request: SavedRequest,
        variables: Mapping[str, str],
        *,
        environ: Mapping[str, str] | None = None,
        as_written: bool = False,
    ) -> PreparedRequest:
        """`prepare()` with this collection's settings and token cache. A missing variable's
        message names the environments that define it (app, `run`, `tail` and copy as curl
        alike)."""
        try:
            return prepare(
                request, variables, self.settings, self.tokens, environ=environ, as_written=as_written
            )
        except PrepareError as exc:
            if exc.missing is None or self.collection_root is None:
                raise
            hint = missing_hint(exc.missing, self.collection_root, self.env_name) or _capture_hint(
                exc.missing, self.collection_root)
            if not hint:
                raise
            raise PrepareError(f"{exc} {hint}", exc.missing, hint) from None

    def client_for(self, prepared: PreparedRequest) -> httpx.AsyncClient:
        """The pooled client for the request's transport (raises PrepareError when that
        transport cannot be made, e.g. http2 without its extra)."""
        try:
            return self.pool.get(prepared.transport)
        except TransportError as exc:
            raise PrepareError(str(exc)) from None

    async def run(
        self, request: SavedRequest, variables: Mapping[str, str], key: str = ""
    ) -> Execution:
        """Prepare and send. Raises PrepareError (or PagingError) for a request that cannot be
        sent; everything on the wire comes back in the summary."""
        return await self.send(self.prepare(request, variables), key)

    async def send(self, prepared: PreparedRequest, key: str = "") -> Execution:
        client = self.client_for(prepared)
        request = prepared.request or SavedRequest(name=prepared.name)
        where = str(request.path or request.name)
        method, url, headers, body = prepared.method, prepared.url, prepared.headers, prepared.body
        note = ""
        pages = None
        jar = self.cookies if prepared.cookies else None
        paging = request.extra.get("paging")
        ttl = cache_ttl(request.extra.get("cache"))
        if paging:
            config = parse_paging(paging, where)
            pages = await fetch_pages(
                client, method, url, config, headers=headers, body=body, auth=prepared.auth,
                secrets=prepared.secrets, timeouts=prepared.timeouts, jar=jar,
            )
            last = pages.pages[-1]
            merged = json.dumps(pages.items, ensure_ascii=False).encode("utf-8")
            summary = dataclasses.replace(last, body=merged, size=sum(p.size for p in pages.pages))
            note = f"{pages.page_count} pages, {len(pages.items)} items ({pages.stopped})"
        elif ttl is not None and method == "GET" and not body:
            cached = await self.cache.get(
                client, url, headers=headers, ttl=ttl, auth=prepared.auth, secrets=prepared.secrets,
                timeouts=prepared.timeouts, jar=jar,
            )
            summary, note = cached.summary, cached.label
        else:
            summary = await send(
                client,
                method,
                url,
                headers=headers,
                body=body,
                auth=prepared.auth,
                timeout=prepared.timeout,
                timeouts=prepared.timeouts,
                follow_redirects=prepared.follow_redirects,
                secrets=prepared.secrets,
                jar=jar,
            )
        secrets = self.secrets_of(prepared)
        if summary.redirect_note:
            note = (note + "; " if note else "") + summary.redirect_note
        if summary.cookies_sent:
            note = (note + "; " if note else "") + cookies_note(summary.cookies_sent)
        if self.history is not None:
            try:
                self.history.record(
                    collection=self.collection_root or "",
                    key=key,
                    request=request,
                    summary=summary,
                    secrets=secrets,
                    sent=(prepared.headers, prepared.body),
                )
            except OSError:
                note = (note + "; " if note else "") + "history not written"
        return Execution(prepared, summary, note, pages, secrets)

    def secrets_of(self, prepared: PreparedRequest) -> frozenset[str]:
        """What to mask in whatever shows this request or its answer: its own secrets and the
        OAuth2 tokens fetched so far (a token is only known once the auth flow fetched it), and
        the values in the cookie jar."""
        return prepared.secrets | self.tokens.issued() | self.cookies.values()

    async def aclose(self) -> None:
        await self.pool.aclose()
