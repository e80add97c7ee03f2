"""Following redirects ourselves, one hop at a time: the one path for REST sends and SSE streams.

httpx's own following (`follow_redirects=True`) gets three things wrong for us: an empty
`Location` resolves to the same URL and loops until the hop limit; on a cross-origin hop it
drops only `Authorization` and `Cookie`, so a secret in an `X-Api-Key` header goes to whichever
host the server names; and it cannot say where a request ended up. Here:

- a redirect status (301, 302, 303, 307, 308) with an empty or unusable `Location` (not a URL,
  not http(s), no host) is a `RedirectError` at once; one with no `Location` at all is the answer
  (the caller decides: a REST send shows it, a stream fails on it);
- 303 (and 301/302 after a POST, as browsers do) turns into a GET without a body; 307 and 308
  resend the method and the body;
- credentials belong to the origin (scheme, host, port) the request was written for: a hop to
  any other origin goes without the auth flow, without `Authorization` and `Proxy-Authorization`
  headers written by the user, and without every header whose value contains one of the
  request's secrets (`PreparedRequest.secrets`); a hop back to the first origin (or its http://
  upgraded to https:// on the same host, as httpx allows) gets them again. The auth flow (`httpx.Auth`) runs on each hop that may have it, so digest hashes the URI
  it lands on and OAuth2 refreshes as on any request;
- at most `client.max_redirects` hops (20 by default), then a `RedirectError`;
- the `Route` says where it went: the hops, and the headers held back on another origin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

from streamdash.core.http.headers import url_problem

if TYPE_CHECKING:
    from httpx._client import UseClientDefault

    from streamdash.core.http.cookies import CookieJar

__all__ = [
    "REDIRECT_STATUSES",
    "RedirectError",
    "Route",
    "following",
    "host_of",
    "keeps_credentials",
    "send_following",
]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization"})
# Made again by httpx for each hop's own URL and body; cookies come from the session's jar (as
# when httpx follows: a Cookie header written by the user is not sent after a redirect).
_PER_HOP_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "cookie"})


class RedirectError(httpx.RequestError):
    """A redirect that cannot be followed; `str()` is one line naming the status and target."""


@dataclass(frozen=True)
class Route:
    """Where a request went: each URL a redirect sent it to, in order, and the headers that
    were not sent past a hop to another origin."""

    start: httpx.URL
    hops: tuple[httpx.URL, ...] = ()
    held_back: tuple[str, ...] = field(default=())
    cookies: tuple[str, ...] = ()  # names the session's jar sent, on any hop (see cookies.py)

    @property
    def final(self) -> httpx.URL:
        return self.hops[-1] if self.hops else self.start

    @property
    def moved_to(self) -> str:
        """`host:port` of where it ended, when that is another origin than the start; else ""."""
        final = self.final
        return "" if _origin(final) == _origin(self.start) else host_of(final)

    @property
    def note(self) -> str:
        """One line for a result or a state line; empty when nothing worth saying happened."""
        if not self.moved_to:
            return ""
        note = f"redirected to {self.moved_to}"
        if self.held_back:
            note += f"; not sent there: {', '.join(self.held_back)}"
        return note


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, url.port or default)


def keeps_credentials(start: httpx.URL, url: httpx.URL) -> bool:
    """The first request's origin, or its http:// upgraded to https:// on the same host."""
    if _origin(url) == _origin(start):
        return True
    return (start.scheme, url.scheme, start.host, _origin(start)[2], _origin(url)[2]) == (
        "http", "https", url.host, 80, 443
    )


def host_of(url: httpx.URL) -> str:
    return f"{url.host}:{url.port}" if url.port else url.host


def _next_url(response: httpx.Response) -> httpx.URL | None:
    """Where a redirect points; None when it names no place at all (no Location header)."""
    status = response.status_code
    if "location" not in response.headers:
        return None
    location = response.headers["location"].strip()
    if not location:
        raise RedirectError(f"HTTP {status} redirect with an empty Location", request=response.request)
    try:
        reference = httpx.URL(location)
        url = response.request.url.join(reference)
    except (httpx.InvalidURL, ValueError) as exc:
        raise RedirectError(
            f"HTTP {status} redirect to an unusable Location {location!r}: {exc}", request=response.request
        ) from None
    if url.scheme not in ("http", "https"):
        raise RedirectError(
            f"HTTP {status} redirect to {location!r}: the scheme must be http or https",
            request=response.request,
        )
    if reference.scheme and not reference.host:  # `http:///x`: join would keep our own host
        raise RedirectError(
            f"HTTP {status} redirect to an unusable Location {location!r}: no host",
            request=response.request,
        )
    if problem := url_problem(url):
        raise RedirectError(
            f"HTTP {status} redirect to an unusable Location {location!r}: {problem}",
            request=response.request,
        )
    return url


def _next_method(method: str, status: int) -> str:
    if status == 303 and method != "HEAD":
        return "GET"
    if status in (301, 302) and method == "POST":
        return "GET"  # what browsers (and httpx, and curl -L) do
    return method


def _carries_secret(value: str, secrets: Iterable[str]) -> bool:
    return any(secret and secret in value for secret in secrets)


async def send_following(
    client: httpx.AsyncClient,
    request: httpx.Request,
    *,
    auth: httpx.Auth | None = None,
    secrets: frozenset[str] = frozenset(),
    follow: bool = True,
    jar: CookieJar | None = None,
) -> tuple[httpx.Response, Route]:
    """Send `request` (built by `client.build_request`) and follow its redirects as the module
    docstring says. The response is streamed: the caller reads and closes it. Raises what
    `client.send` raises, and `RedirectError`. `jar`: the session's cookies, sent and kept on
    every hop (the client keeps none of its own)."""
    start = request.url
    # What every hop sends, before httpx adds the per-hop ones again.
    headers = [(k, v) for k, v in request.headers.raw if k.lower().decode("latin-1") not in _PER_HOP_HEADERS]
    method = request.method
    try:
        body: bytes | None = request.content or None
    except httpx.RequestNotRead:
        body = None
    hops: list[httpx.URL] = []
    held_back: set[str] = set()
    hop_auth: httpx.Auth | UseClientDefault | None = auth if auth is not None else httpx.USE_CLIENT_DEFAULT
    sent_cookies: list[str] = []

    def route() -> Route:
        return Route(start, tuple(hops), tuple(sorted(held_back)), tuple(dict.fromkeys(sent_cookies)))

    while True:
        if jar is not None:
            sent_cookies += jar.apply(request)
        try:
            response = await client.send(request, auth=hop_auth, follow_redirects=False, stream=True)
        except httpx.RemoteProtocolError as exc:
            # httpx parses a redirect's Location even when not following, and fails on one that
            # is not a URL at all (a bad port): the answer is gone, its reason is not.
            if "location header" not in str(exc):
                raise
            reason = str(exc).partition(":")[2].strip().rstrip(".")
            raise RedirectError(f"redirect to an unusable Location: {reason}", request=request) from None
        if jar is not None:
            jar.store(response)
        if not follow or response.status_code not in REDIRECT_STATUSES:
            return response, route()
        try:
            url = _next_url(response)
        except RedirectError:
            await response.aclose()
            raise
        if url is None:
            return response, route()
        await response.aclose()
        if len(hops) >= client.max_redirects:
            raise RedirectError(
                f"too many redirects (more than {client.max_redirects}), the last to {host_of(url)}",
                request=request,
            )
        hops.append(url)
        new_method = _next_method(method, response.status_code)
        if new_method != method:
            method, body = new_method, None
        trusted = keeps_credentials(start, url)
        sent = list(headers)
        if not trusted:
            kept = []
            for name, value in sent:
                text = name.decode("latin-1")
                if text.lower() in _CREDENTIAL_HEADERS or _carries_secret(value.decode("utf-8", "replace"), secrets):
                    held_back.add(text)
                else:
                    kept.append((name, value))
            sent = kept
            if auth is not None:
                held_back.add("Authorization")  # the auth flow would have added it
        hop_auth = (auth if auth is not None else httpx.USE_CLIENT_DEFAULT) if trusted else None
        try:
            request = client.build_request(
                method, url, headers=sent, content=body, extensions=dict(request.extensions)
            )
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            raise RedirectError(f"redirect to {host_of(url)}: {exc}", request=request) from None


@asynccontextmanager
async def following(
    client: httpx.AsyncClient,
    request: httpx.Request,
    *,
    auth: httpx.Auth | None = None,
    secrets: frozenset[str] = frozenset(),
    jar: CookieJar | None = None,
) -> AsyncIterator[tuple[httpx.Response, Route]]:
    """`send_following` for a reader that holds the answer open (a stream); closed on leaving."""
    response, route = await send_following(client, request, auth=auth, secrets=secrets, jar=jar)
    try:
        yield response, route
    finally:
        await response.aclose()
