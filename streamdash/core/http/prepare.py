"""The one path from a saved request to what goes on the wire.

`prepare()` turns a `SavedRequest` and the active variables into a `PreparedRequest`: the URL
with its query, method, headers, body, auth (the request's own `[auth]` or the collection's),
transport settings, timeouts, and the secrets it used. Every front end sends what this returns:
a REST send, an SSE stream and each of its reconnects, `streamdash run`, `streamdash tail
--collection` and copy as curl. So none of them can send what another would not.

A request that cannot be prepared (a missing variable, auth that cannot work, an unusable URL or
header) raises `PrepareError`, one line that names the problem: nothing is sent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import quote_plus

import httpx

from streamdash.core.collections.models import SavedRequest, StreamSettings
from streamdash.core.collections.template import (
    AsWritten,
    MissingVariable,
    Renderer,
    render_fields,
)
from streamdash.core.collections.timeouts import timeout_setting
from streamdash.core.http.auth import (
    AuthConfig,
    AuthError,
    BasicAuthConfig,
    NoAuthConfig,
    OAuth2Config,
    TokenCache,
    auth_for,
    parse_auth,
    render_auth,
)
from streamdash.core.http.cookies import CookieJar
from streamdash.core.http.headers import header_problem, method_problem, url_problem
from streamdash.core.http.secrets import (
    basic_credentials,
    credential_values,
    mask_secrets,
    mask_url,
    mask_urls,
)
from streamdash.core.http.settings import CollectionSettings
from streamdash.core.http.timeouts import Timeouts, resolve_timeouts
from streamdash.core.http.transport import TransportSettings, plain_http_warning
from streamdash.core.sse.stream import (
    DEFAULT_CONNECT_TIMEOUT,
    RetryPolicy,
    StreamOptions,
    event_stream_headers,
)

__all__ = ["PrepareError", "PreparedRequest", "prepare"]

_SECRET_AUTH_FIELDS = ("password", "token", "client_secret", "refresh_token")


class PrepareError(ValueError):
    """Why a request cannot be sent, in one line; `missing` names an unresolved variable, `hint`
    the environments that define it (see `Executor.prepare`)."""

    def __init__(self, message: str, missing: str | None = None, hint: str = "") -> None:
        super().__init__(" ".join(message.split()))
        self.missing = missing
        self.hint = hint


@dataclass(frozen=True)
class PreparedRequest:
    """A request ready to send. Two preparations compare equal when they would send the same
    bytes to the same place (the `httpx.Auth` object and the saved request are not compared),
    which is how an environment switch knows which running streams it changes."""

    name: str
    kind: str
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    auth_config: AuthConfig | None
    transport: TransportSettings
    timeout: httpx.Timeout
    follow_redirects: bool
    stream: StreamSettings
    # The session's cookie jar goes with it (`cookies = false` in the request or collection.toml
    # says no); which cookies, the jar decides per hop.
    cookies: bool = True
    # A REST request's timeouts and where each was set (for its editor line and a timeout's
    # message); `timeout` is what httpx gets. A stream's come from its [stream] table.
    timeouts: Timeouts = field(default_factory=Timeouts, compare=False)
    secrets: frozenset[str] = field(default=frozenset(), compare=False)
    auth: httpx.Auth | None = field(default=None, compare=False, repr=False)
    request: SavedRequest | None = field(default=None, compare=False, repr=False)

    @cached_property
    def host(self) -> str:
        """`host:port` as a person reads it in a stats row. Parsed once: the state line asks for
        every stream's host (200 streams: 40,000 URL parses a second at start-up, measured)."""
        url = httpx.URL(self.url)
        return f"{url.host}:{url.port}" if url.port else url.host

    @property
    def warning(self) -> str | None:
        return plain_http_warning(self.url)

    def masked(self, text: str) -> str:
        """`text` with every secret this request used masked."""
        return mask_secrets(text, self.secrets)

    @property
    def masked_url(self) -> str:
        return mask_url(self.masked(self.url))

    def stream_headers(self, last_event_id: str = "") -> list[tuple[str, str]]:
        """What a stream sends on each attempt (the SSE headers added)."""
        return event_stream_headers(self.headers, last_event_id)

    def stream_options(
        self,
        *,
        retry_first_connect: bool = True,
        finished: Callable[[], bool] | None = None,
        jar: CookieJar | None = None,
        **overrides: object,
    ) -> StreamOptions:
        """The stream's options from the request's `[stream]` table. A dashboard keeps trying
        when the first attempt cannot connect; `tail` says when it does. `jar`: the session's
        cookies, sent on every attempt (a load balancer's sticky cookie) unless `cookies = false`."""
        settings = self.stream
        options = StreamOptions(
            method=self.method,
            headers=self.headers,
            body=self.body,
            last_event_id=settings.last_event_id,
            reconnect=settings.reconnect,
            retry_policy=RetryPolicy(settings.retry_policy),
            read_timeout=settings.read_timeout or None,
            connect_timeout=self.timeout.connect or DEFAULT_CONNECT_TIMEOUT,
            max_event_bytes=settings.max_event_bytes or None,
            oversize=settings.oversize,
            heartbeat_events=frozenset(settings.heartbeat_events),
            retry_first_connect=retry_first_connect,
            auth=self.auth,
            finished=finished,
            secrets=self.secrets,
            cookies=jar if self.cookies else None,
        )
        return dataclasses.replace(options, **overrides) if overrides else options  # type: ignore[arg-type]


def prepare(
    request: SavedRequest,
    variables: Mapping[str, str],
    settings: CollectionSettings | None = None,
    tokens: TokenCache | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    as_written: bool = False,
) -> PreparedRequest:
    """The request as it will be sent with these variables; raises `PrepareError`.
    `as_written`: the request has no templates (one typed on the command line)."""
    settings = settings or CollectionSettings()
    where = str(request.path) if request.path else request.name
    fill = AsWritten() if as_written else Renderer(variables, environ=environ, source=where)
    try:
        rendered = render_fields(request, fill)
        transport = _transport(request, settings.transport, fill)
    except MissingVariable as exc:
        raise PrepareError(str(exc), exc.name) from None
    method = rendered.method.strip().upper()
    if (problem := method_problem(method)) is not None:
        raise PrepareError(f"{where}: {problem}")
    url = _url(rendered, where)
    for name, value in rendered.headers:
        if (problem := header_problem(name, value)) is not None:
            raise PrepareError(f"{where}: {problem}")
    auth_config = _auth_config(request, settings, fill, where)
    secrets = _secrets(fill, auth_config, rendered, url)
    try:
        timeouts = resolve_timeouts(timeout_setting(request.extra), settings.timeouts)
    except ValueError as exc:
        raise PrepareError(f"{where}: {exc}") from None
    timeout = timeouts.httpx
    if request.kind == "sse":
        read = request.stream.read_timeout or None
        timeout = httpx.Timeout(DEFAULT_CONNECT_TIMEOUT, read=read)
    return PreparedRequest(
        name=request.name,
        kind=request.kind,
        method=method,
        url=url,
        headers=tuple(rendered.headers),
        # surrogateescape: a body read from a file as bytes (tail -d @file) goes out unchanged.
        body=rendered.body.encode("utf-8", "surrogateescape") if rendered.body else None,
        auth_config=auth_config,
        transport=transport,
        timeout=timeout,
        follow_redirects=bool(request.extra.get("follow_redirects", True)),
        stream=request.stream,
        cookies=bool(request.extra.get("cookies", settings.cookies)),
        timeouts=timeouts,
        secrets=frozenset(secrets),
        auth=auth_for(auth_config, tokens or TokenCache()) if auth_config is not None else None,
        request=request,
    )


def _secrets(
    fill: Renderer, auth_config: AuthConfig | None, rendered: SavedRequest, url: str
) -> set[str]:
    """Every secret value the request carries: what came from the environment or the secrets
    file, the auth fields (and Basic's base64 pair, which an echo shows), and any credential
    typed literally into a header, the query or the URL's userinfo."""
    secrets = set(fill.secrets.values())
    if auth_config is not None:
        for name in _SECRET_AUTH_FIELDS:
            secret = getattr(auth_config, name, None)
            if isinstance(secret, str) and secret:
                secrets.add(secret)
        if isinstance(auth_config, BasicAuthConfig):
            secrets.add(basic_credentials(auth_config.username, auth_config.password))
        elif isinstance(auth_config, OAuth2Config):
            pair = (quote_plus(auth_config.client_id), quote_plus(auth_config.client_secret))
            secrets.add(basic_credentials(*pair))
    parsed = httpx.URL(url)
    secrets |= credential_values(rendered.headers, parsed.params.multi_items())
    if parsed.password:  # httpx sends a URL's userinfo as Basic auth
        secrets.add(parsed.password)
        secrets.add(basic_credentials(parsed.username, parsed.password))
    return secrets


def _url(rendered: SavedRequest, where: str) -> str:
    text = rendered.url.strip()
    try:
        url = httpx.URL(text)
        if rendered.query:
            url = url.copy_merge_params(list(rendered.query))
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise PrepareError(mask_urls(f"{where}: invalid URL {text!r}: {exc}")) from None
    if problem := url_problem(url):
        raise PrepareError(mask_urls(f"{where}: invalid URL {text!r}: {problem}"))
    return str(url)


def _auth_config(
    request: SavedRequest, settings: CollectionSettings, fill: Renderer, where: str
) -> AuthConfig | None:
    """The request's own `[auth]`, else the collection's default, with its values filled in."""
    own = "auth" in request.extra
    table = request.extra["auth"] if own else settings.auth
    if not table:
        return None
    try:
        config = parse_auth(table, where if own else "collection.toml")
        if isinstance(config, NoAuthConfig):
            return None
        return render_auth(config, fill)
    except AuthError as exc:
        raise PrepareError(str(exc)) from None


def _transport(
    request: SavedRequest, transport: TransportSettings, fill: Renderer
) -> TransportSettings:
    if request.extra.get("verify") is False and transport.verify:
        transport = dataclasses.replace(transport, verify=False)
    if transport.proxy and "{{" in transport.proxy:
        transport = dataclasses.replace(transport, proxy=fill(transport.proxy))
    return transport
