"""Sending one REST request on the shared client and summarising the answer for the UI.

A summary, not the `httpx.Response`: the UI and the stats need status, timing, size, headers and a
capped body, and a transport failure is a summary too (with `error` set), never an exception.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from streamdash.core.http.cookies import CookieJar
from streamdash.core.http.decoding import decode_body, hex_dump
from streamdash.core.http.errors import describe_error
from streamdash.core.http.headers import wire_headers
from streamdash.core.http.redirects import send_following
from streamdash.core.http.timeouts import Timeouts, timed_out

MAX_BODY_BYTES = 10 * 1024 * 1024  # a response view is not a download manager


@dataclass(frozen=True)
class ResponseSummary:
    method: str
    url: str
    status: int | None = None  # None: no response (see `error`)
    reason: str = ""
    http_version: str = ""
    elapsed_s: float = 0.0
    size: int = 0  # bytes of body received (after decompression)
    headers: Sequence[tuple[str, str]] = field(default_factory=tuple)
    body: bytes = b""
    truncated: bool = False
    error: str | None = None
    sent_at: float = 0.0
    sent: bool = True  # False: refused before anything went out (it counts in no error rate)
    # "redirected to host:port; not sent there: X-Api-Key" when it ended on another origin.
    redirect_note: str = ""
    # Why `body` is the raw bytes: "body is encoded as foo, which streamdash cannot decode;
    # shown raw" (see decoding.py). Empty when the body decoded or was not encoded.
    body_note: str = ""
    # Names of the cookies the session's jar added (see cookies.py): a result never depends
    # on a jar nobody sees.
    cookies_sent: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400

    @property
    def content_type(self) -> str:
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value
        return ""

    def text(self) -> str:
        """The body as text: UTF-8 unless the Content-Type names another charset."""
        charset = "utf-8"
        for part in self.content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.body.decode(charset, "replace")
        except LookupError:
            return self.body.decode("utf-8", "replace")

    def pretty_text(self) -> str:
        """JSON pretty-printed (key order kept); a raw body that is not text as a hex dump
        (see `body_note`); anything else as it came."""
        if self.body_note:
            try:
                self.body.decode("utf-8")
            except UnicodeDecodeError:
                return hex_dump(self.body)
        text = self.text()
        if "json" in self.content_type.lower() or text[:1] in ("{", "["):
            try:
                return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
            except ValueError:
                pass
        return text


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    params: Sequence[tuple[str, str]] = (),
    headers: Sequence[tuple[str, str]] = (),
    body: bytes | None = None,
    timeout: httpx.Timeout | None = None,
    timeouts: Timeouts | None = None,
    follow_redirects: bool = True,
    auth: httpx.Auth | None = None,
    secrets: frozenset[str] = frozenset(),
    jar: CookieJar | None = None,
) -> ResponseSummary:
    """Send and read the answer (up to MAX_BODY_BYTES); failures come back as `error`.
    Redirects are followed by `send_following`: `secrets` are the values no header may carry to
    another origin. `timeouts`: the request's (its limits, unless `timeout` says otherwise, and
    where they were set, for the one line a timeout says); else the client's. `jar`: the
    session's cookies (None: none sent, none kept)."""
    if timeout is None and timeouts is not None:
        timeout = timeouts.httpx
    sent_at = time.time()
    start = time.perf_counter()
    try:
        request = client.build_request(
            method,
            url,
            params=list(params) or None,
            headers=wire_headers(headers),
            content=body,
            timeout=timeout if timeout is not None else client.timeout,
        )
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError, TypeError) as exc:
        return ResponseSummary(method, url, error=describe_error(exc), sent_at=sent_at, sent=False)
    answered = False  # the status line came: a read timeout from here on is the body's
    try:
        response, route = await send_following(
            client, request, auth=auth, secrets=secrets, follow=follow_redirects, jar=jar
        )
        answered = True
        try:
            # Raw, and decoded below: what cannot be decoded is still there to show.
            chunks: list[bytes] = []
            raw_size = 0
            raw_cut = False
            async for chunk in response.aiter_raw():
                raw_size += len(chunk)
                if raw_size > MAX_BODY_BYTES:
                    raw_cut = True
                    break
                chunks.append(chunk)
        finally:
            await response.aclose()
    except Exception as exc:  # a transport error, or a bug in an auth flow: a result
        return ResponseSummary(
            method,
            str(_failed_at(exc, request).url),  # after a redirect: where it failed, not the start
            elapsed_s=time.perf_counter() - start,
            error=timed_out(exc, timeouts, answered=answered)
            if isinstance(exc, httpx.TimeoutException)
            else describe_error(exc),
            sent_at=sent_at,
        )
    elapsed = time.perf_counter() - start  # the wire's time, not the decoder's
    # As the server spelled them: a response view shows what came over the wire.
    raw_headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw)
    decoded = decode_body(chunks, raw_headers, MAX_BODY_BYTES, raw_cut=raw_cut)
    return ResponseSummary(
        method=method,
        url=str(response.url),
        status=response.status_code,
        reason=response.reason_phrase,
        http_version=response.http_version,
        elapsed_s=elapsed,
        size=decoded.size,
        headers=raw_headers,
        body=decoded.body,
        truncated=decoded.truncated,
        sent_at=sent_at,
        redirect_note=route.note,
        body_note=decoded.note,
        cookies_sent=route.cookies,
    )


def _failed_at(exc: Exception, first: httpx.Request) -> httpx.Request:
    """The request an httpx error names (a redirect's hop), else the first one."""
    if isinstance(exc, httpx.RequestError):
        try:
            return exc.request
        except RuntimeError:  # an error raised without its request
            pass
    return first
