"""Following a paginated API: RFC 8288 `Link: <...>; rel="next"` headers, or a next URL or cursor
in the JSON body, up to a page limit, with the pages' items merged into one list.

A request opts in with a `[paging]` table in its file:

    [paging]
    follow = "link"        # or "body"
    next = "next"          # body: dotted path to the next URL, or to a cursor ...
    cursor_param = "cursor"  # ... which then goes into this query parameter
    items = "items"        # dotted path to the list on each page ("" = the body is the list)
    max_pages = 10
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from streamdash.core.http.cookies import CookieJar
from streamdash.core.http.redirects import host_of, keeps_credentials
from streamdash.core.http.send import ResponseSummary, send
from streamdash.core.http.timeouts import Timeouts
from streamdash.core.jsonpath import json_path

DEFAULT_MAX_PAGES = 10
HARD_MAX_PAGES = 1000

# One link-value: <URI> followed by ;-separated params (token or quoted-string values).
_LINK = re.compile(r'<([^>]*)>((?:\s*;\s*[^;,"=\s]+\s*(?:=\s*(?:"(?:[^"\\]|\\.)*"|[^;,]*))?)*)')
_PARAM = re.compile(r';\s*([^=;,"\s]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;,]*))?')


class PagingError(ValueError):
    """A `[paging]` table that cannot work; the message names the key."""


@dataclass(frozen=True)
class PagingConfig:
    follow: str = "link"  # "link" or "body"
    next: str = "next"
    cursor_param: str | None = None
    items: str = "items"
    max_pages: int = DEFAULT_MAX_PAGES


@dataclass
class PagedResult:
    pages: list[ResponseSummary] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)
    stopped: str = ""  # why paging stopped: "last page", "page limit (10)", "HTTP 500", ...

    @property
    def page_count(self) -> int:
        return len(self.pages)


def parse_paging(table: Mapping[str, Any], where: str = "paging") -> PagingConfig:
    follow = table.get("follow", "link")
    if follow not in ("link", "body"):
        raise PagingError(f"{where}: follow must be \"link\" or \"body\", not {follow!r}")
    max_pages = table.get("max_pages", DEFAULT_MAX_PAGES)
    if not isinstance(max_pages, int) or isinstance(max_pages, bool) or not 1 <= max_pages <= HARD_MAX_PAGES:
        raise PagingError(f"{where}: max_pages must be a whole number from 1 to {HARD_MAX_PAGES}")
    for key in ("next", "items", "cursor_param"):
        if key in table and not isinstance(table[key], str):
            raise PagingError(f"{where}: {key} must be a string")
    return PagingConfig(
        follow=follow,
        next=table.get("next", "next"),
        cursor_param=table.get("cursor_param") or None,
        items=table.get("items", "items"),
        max_pages=max_pages,
    )


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_link_header(value: str) -> dict[str, str]:
    """rel -> URI for every link in a `Link` header value (RFC 8288). A rel with several space-
    separated relation types maps each of them; the first link for a rel wins."""
    links: dict[str, str] = {}
    for match in _LINK.finditer(value):
        uri, params = match.group(1).strip(), match.group(2)
        for name, raw in _PARAM.findall(params):
            if name.lower() == "rel":
                for rel in _unquote(raw).lower().split():
                    links.setdefault(rel, uri)
    return links


def _next_url(page: ResponseSummary, config: PagingConfig, current: httpx.URL) -> httpx.URL | None:
    if config.follow == "link":
        header = ", ".join(v for k, v in page.headers if k.lower() == "link")
        target = parse_link_header(header).get("next") if header else None
        return current.join(target) if target else None
    try:
        document = json.loads(page.text())
    except ValueError:
        return None
    value = json_path(document, config.next)
    if value in (None, "", False):
        return None
    if config.cursor_param:
        return current.copy_set_param(config.cursor_param, str(value))
    return current.join(str(value)) if isinstance(value, str) else None


def _items(page: ResponseSummary, config: PagingConfig) -> list[Any]:
    try:
        document = json.loads(page.text())
    except ValueError:
        return []
    value = json_path(document, config.items)
    return value if isinstance(value, list) else []


async def fetch_pages(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    config: PagingConfig,
    *,
    params: Sequence[tuple[str, str]] = (),
    headers: Sequence[tuple[str, str]] = (),
    body: bytes | None = None,
    auth: httpx.Auth | None = None,
    secrets: frozenset[str] = frozenset(),
    timeouts: Timeouts | None = None,
    jar: CookieJar | None = None,
) -> PagedResult:
    """Send the request, then follow `next` until the last page, an error, or the page limit."""
    result = PagedResult()
    seen: set[str] = set()
    current = httpx.URL(url).copy_merge_params(list(params)) if params else httpx.URL(url)
    start = current
    while True:
        page = await send(
            client, method, str(current), headers=headers, body=body, auth=auth, secrets=secrets,
            timeouts=timeouts, jar=jar,
        )
        result.pages.append(page)
        if page.status is None or page.status >= 400:
            result.stopped = page.error or f"HTTP {page.status} {page.reason}".rstrip()
            return result
        result.items.extend(_items(page, config))
        following = _next_url(page, config, httpx.URL(page.url))
        if following is None:
            result.stopped = "last page"
            return result
        if str(following) in seen or str(following) == str(current):
            result.stopped = "next page repeats an earlier one"
            return result
        if not keeps_credentials(start, following):
            # As for a redirect, the request's credentials belong to the origin it was written
            # for; the items so far are kept, and the page that is elsewhere is named.
            result.stopped = f"next page is on another host ({host_of(following)}): not followed"
            return result
        if len(result.pages) >= config.max_pages:
            result.stopped = f"page limit ({config.max_pages})"
            return result
        seen.add(str(current))
        current = following
