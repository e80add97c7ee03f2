"""An opt-in TTL cache for GET requests, with revalidation.

A request turns it on in its file (`cache = true`, or `cache = 60` for its own TTL in seconds;
300 s when on). A fresh entry answers without the network and says how old it is; a stale one
is revalidated with `If-None-Match` / `If-Modified-Since` when the server gave an `ETag` /
`Last-Modified`, and a 304 renews it. Kept in memory only: a cache of answers that may carry
personal data is not written to disk.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import httpx

from streamdash.core.http.cookies import CookieJar
from streamdash.core.http.send import ResponseSummary, send
from streamdash.core.http.timeouts import Timeouts

DEFAULT_TTL = 300.0
# Request headers that change the answer: part of the key (credentials only as a hash).
_VARY = ("accept", "accept-language", "authorization", "cookie", "x-streamdash-jar-cookie")


@dataclass(frozen=True)
class CacheResult:
    summary: ResponseSummary
    source: str  # "network", "cache" (fresh hit) or "revalidated" (a 304 renewed it)
    age: float = 0.0  # seconds since the answer was fetched or last revalidated

    @property
    def label(self) -> str:
        if self.source == "cache":
            return f"cache hit, {self.age:.0f} s old"
        if self.source == "revalidated":
            return "revalidated (304)"
        return ""


@dataclass
class _Entry:
    summary: ResponseSummary
    stored_at: float
    etag: str | None
    last_modified: str | None


def cache_ttl(setting: object) -> float | None:
    """The request file's `cache` value as a TTL: true -> 300 s, a positive number -> itself."""
    if setting is True:
        return DEFAULT_TTL
    if isinstance(setting, int | float) and not isinstance(setting, bool) and setting > 0:
        return float(setting)
    return None


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class ResponseCache:
    def __init__(self, max_entries: int = 256, clock: Callable[[], float] = time.time) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    @staticmethod
    def key(url: str, headers: Sequence[tuple[str, str]]) -> str:
        vary = [(k.lower(), v) for k, v in headers if k.lower() in _VARY]
        digest = hashlib.sha256(repr(sorted(vary)).encode()).hexdigest()[:16]
        return f"{url} {digest}"

    async def get(
        self,
        client: httpx.AsyncClient,
        url: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        headers: Sequence[tuple[str, str]] = (),
        ttl: float = DEFAULT_TTL,
        auth: httpx.Auth | None = None,
        secrets: frozenset[str] = frozenset(),
        timeouts: Timeouts | None = None,
        jar: CookieJar | None = None,
    ) -> CacheResult:
        """A GET through the cache. The jar's cookies for the URL are part of the key, as a
        written Cookie header is: another cookie is another answer."""
        full = str(httpx.URL(url).copy_merge_params(list(params))) if params else url
        keyed = list(headers)
        if jar is not None and (cookie := jar.header_for(full)):
            keyed.append(("x-streamdash-jar-cookie", cookie))
        key = self.key(full, keyed)
        now = self.clock()
        entry = self._entries.get(key)
        if entry is not None and now - entry.stored_at < ttl:
            self._entries.move_to_end(key)
            return CacheResult(entry.summary, "cache", now - entry.stored_at)
        conditional = list(headers)
        if entry is not None:
            if entry.etag:
                conditional.append(("If-None-Match", entry.etag))
            if entry.last_modified:
                conditional.append(("If-Modified-Since", entry.last_modified))
        summary = await send(
            client, "GET", full, headers=conditional, auth=auth, secrets=secrets, timeouts=timeouts,
            jar=jar,
        )
        if entry is not None and summary.status == 304:
            entry.stored_at = self.clock()
            entry.summary = replace(entry.summary, elapsed_s=summary.elapsed_s, sent_at=summary.sent_at)
            self._entries.move_to_end(key)
            return CacheResult(entry.summary, "revalidated", 0.0)
        if summary.status == 200 and not summary.truncated:
            self._entries[key] = _Entry(
                summary, self.clock(), _header(summary.headers, "etag"), _header(summary.headers, "last-modified")
            )
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        else:
            self._entries.pop(key, None)
        return CacheResult(summary, "network", 0.0)
