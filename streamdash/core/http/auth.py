"""Request authentication: basic, digest, bearer, a command's token and OAuth2.

Auth is a TOML table, per request or as a collection default; the caller passes the dict:

    {type = "basic",  username = "...", password = "{{env:PW}}"}
    {type = "digest", username = "...", password = "..."}
    {type = "bearer", token = "{{env:TOKEN}}"}
    {type = "command", command = ["gh", "auth", "token"], ttl = 300}   # see auth_command.py
    {type = "oauth2", grant = "client_credentials", token_url = "...", client_id = "...",
     client_secret = "{{env:SECRET}}", scope = "optional", audience = "optional"}
    {type = "oauth2", grant = "password", token_url = "...", client_id = "...", username = "...",
     password = "{{env:PW}}"}                      # client_secret optional (a public client)
    {type = "oauth2", grant = "device_code", token_url = "...", client_id = "...",
     device_authorization_url = "..."}             # RFC 8628: the code and URL are shown
    {type = "oauth2", grant = "refresh_token", token_url = "...", client_id = "...",
     refresh_token = "{{env:REFRESH}}"}
    {type = "none"}   # switch a collection default off for one request

`parse_auth` validates (one-line `AuthError` naming the field and where it was written);
`render_auth` fills the values in (`{{name}}`, `{{env:NAME}}`) and `auth_for` returns the
`httpx.Auth` that sends them.

OAuth2's decisions are in oauth2.py, the command's in auth_command.py; both keep their tokens
in the in-memory `TokenCache` (tokens.py), never on disk, and work with `httpx.AsyncClient` only.
"""

from __future__ import annotations

import hashlib
import os
import shlex
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, cast
from urllib.request import parse_http_list, parse_keqv_list

import httpx

from streamdash.core.collections.template import MissingVariable, Renderer
from streamdash.core.http.auth_command import DEFAULT_COMMAND_TTL, CommandAuth
from streamdash.core.http.oauth2 import GRANTS, OAuth2Auth, OAuth2ClientCredentials
from streamdash.core.http.tokens import AuthError, TokenCache, TokenEndpointError

__all__ = [
    "AuthConfig",
    "AuthError",
    "BasicAuthConfig",
    "BearerAuth",
    "BearerAuthConfig",
    "CommandAuth",
    "CommandAuthConfig",
    "DigestAuth",
    "DigestAuthConfig",
    "NoAuthConfig",
    "OAuth2Auth",
    "OAuth2ClientCredentials",
    "OAuth2Config",
    "TokenCache",
    "TokenEndpointError",
    "auth_for",
    "build_auth",
    "parse_auth",
    "render_auth",
]

# --- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoAuthConfig:
    where: str = ""
    type: str = "none"


@dataclass(frozen=True)
class BasicAuthConfig:
    username: str
    password: str
    where: str = ""
    type: str = "basic"


@dataclass(frozen=True)
class DigestAuthConfig:
    username: str
    password: str
    where: str = ""
    type: str = "digest"


@dataclass(frozen=True)
class BearerAuthConfig:
    token: str
    where: str = ""
    type: str = "bearer"


@dataclass(frozen=True)
class OAuth2Config:
    token_url: str
    client_id: str
    client_secret: str = ""
    scope: str | None = None
    audience: str | None = None
    grant: str = "client_credentials"
    username: str = ""
    password: str = ""
    refresh_token: str = ""
    device_authorization_url: str = ""
    where: str = ""
    type: str = "oauth2"


@dataclass(frozen=True)
class CommandAuthConfig:
    command: tuple[str, ...]
    ttl: float = DEFAULT_COMMAND_TTL
    header: str = "Authorization"
    scheme: str = "Bearer"
    where: str = ""
    type: str = "command"


AuthConfig = NoAuthConfig | BasicAuthConfig | DigestAuthConfig | BearerAuthConfig | OAuth2Config | CommandAuthConfig

# type -> (config class, required fields, optional fields)
_SCHEMES: dict[str, tuple[Callable[..., AuthConfig], tuple[str, ...], tuple[str, ...]]] = {
    "none": (NoAuthConfig, (), ()),
    "basic": (BasicAuthConfig, ("username", "password"), ()),
    "digest": (DigestAuthConfig, ("username", "password"), ()),
    "bearer": (BearerAuthConfig, ("token",), ()),
    "oauth2": (OAuth2Config, ("token_url", "client_id"),
               ("client_secret", "scope", "audience", "grant", "username", "password", "refresh_token",
                "device_authorization_url")),
    "command": (CommandAuthConfig, ("command",), ("ttl", "header", "scheme")),
}
# What each grant needs beside token_url and client_id.
_GRANT_NEEDS = {
    "client_credentials": ("client_secret",),
    "password": ("username", "password"),
    "refresh_token": ("refresh_token",),
    "device_code": ("device_authorization_url",),
}
_NON_EMPTY = ("token", "token_url", "client_id")


def parse_auth(table: Mapping[str, Any], where: str) -> AuthConfig:
    """Validate an auth table; `where` (a file path, a request name) goes into every error."""

    def fail(reason: str) -> AuthError:
        return AuthError(f"{where}: auth: {reason}" if where else f"auth: {reason}")

    if not isinstance(table, Mapping):
        raise fail(f"expected a table, got {type(table).__name__}")
    kind = table.get("type")
    if kind is None:
        raise fail("missing field 'type' (one of: " + ", ".join(_SCHEMES) + ")")
    if not isinstance(kind, str) or kind.strip().lower() not in _SCHEMES:
        raise fail(f"unknown type {kind!r} (one of: " + ", ".join(_SCHEMES) + ")")
    kind = kind.strip().lower()
    if kind == "command":
        return _parse_command(table, fail, where)
    cls, required, optional = _SCHEMES[kind]
    unknown = [key for key in table if key not in ("type", *required, *optional)]
    if unknown:
        allowed = ", ".join(("type", *required, *optional))
        raise fail(f"unknown field '{unknown[0]}' for type '{kind}' (allowed: {allowed})")
    values: dict[str, str] = {}
    for name in (*required, *optional):
        if name not in table:
            if name in required:
                raise fail(f"missing field '{name}' for type '{kind}'")
            continue
        value = table[name]
        if not isinstance(value, str):
            raise fail(f"field '{name}' must be a string, got {type(value).__name__}")
        if name in _NON_EMPTY and not value.strip():
            raise fail(f"field '{name}' is empty")
        values[name] = value
    if kind == "oauth2":
        grant = values.get("grant", "client_credentials").strip().lower().replace("-", "_")
        grant = {"device": "device_code", "urn:ietf:params:oauth:grant-type:device_code": "device_code"}.get(grant, grant)
        if grant not in GRANTS:
            raise fail(f"unsupported grant {values['grant']!r} (supported: {', '.join(GRANTS)})")
        for needed in _GRANT_NEEDS[grant]:
            if not values.get(needed, "").strip():
                raise fail(f"grant '{grant}' needs the field '{needed}'")
        values["grant"] = grant
    return cls(**values, where=where)


def _parse_command(table: Mapping[str, Any], fail: Callable[[str], AuthError], where: str) -> CommandAuthConfig:
    """`command` is a list of words (run without a shell) or a string split as a shell would
    (no expansion); `ttl` seconds > 0."""
    allowed = ("type", "command", "ttl", "header", "scheme")
    unknown = [key for key in table if key not in allowed]
    if unknown:
        raise fail(f"unknown field '{unknown[0]}' for type 'command' (allowed: {', '.join(allowed)})")
    raw = table.get("command")
    if isinstance(raw, str):
        try:
            argv = tuple(shlex.split(raw))
        except ValueError as exc:
            raise fail(f"field 'command': {exc}") from None
    elif isinstance(raw, list) and all(isinstance(word, str) for word in raw):
        argv = tuple(raw)
    else:
        raise fail("field 'command' must be a list of words, such as [\"gh\", \"auth\", \"token\"], or a string")
    if not argv or not argv[0].strip():
        raise fail("field 'command' is empty")
    ttl = table.get("ttl", DEFAULT_COMMAND_TTL)
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or ttl <= 0:
        raise fail(f"field 'ttl' must be a number of seconds > 0, not {ttl!r}")
    header, scheme = table.get("header", "Authorization"), table.get("scheme", "Bearer")
    if not isinstance(header, str) or not header.strip() or not isinstance(scheme, str):
        raise fail("fields 'header' and 'scheme' must be strings (header not empty)")
    return CommandAuthConfig(argv, float(ttl), header.strip(), scheme.strip(), where=where)


# --- building httpx.Auth -------------------------------------------------------------------------


def render_auth(config: AuthConfig, fill: Callable[[str], str]) -> AuthConfig:
    """The config with its values filled in by `fill` (a `Renderer`); a missing variable is an
    `AuthError` naming the field and where it was written."""
    values: dict[str, Any] = {}
    for item in fields(config):
        value = getattr(config, item.name)
        if item.name in ("where", "type", "grant") or value is None or isinstance(value, float):
            continue
        try:
            values[item.name] = tuple(fill(word) for word in value) if isinstance(value, tuple) else fill(value)
        except MissingVariable as exc:
            where = f"{config.where}: " if config.where else ""
            raise AuthError(f"{where}auth.{item.name}: {MissingVariable(exc.name)}") from None
    rendered: AuthConfig = replace(cast(Any, config), **values)  # one of the union's dataclasses
    return rendered


def auth_for(config: AuthConfig, tokens: TokenCache) -> httpx.Auth | None:
    """The `httpx.Auth` that sends a rendered config (None for `type = "none"`)."""
    match config:
        case NoAuthConfig():
            return None
        case BasicAuthConfig():
            return httpx.BasicAuth(config.username, config.password)
        case DigestAuthConfig():
            return DigestAuth(config.username, config.password)
        case BearerAuthConfig():
            return BearerAuth(config.token)
        case OAuth2Config():
            return OAuth2Auth(
                token_url=config.token_url,
                client_id=config.client_id,
                client_secret=config.client_secret,
                scope=config.scope,
                audience=config.audience,
                grant=config.grant,
                username=config.username,
                password=config.password,
                refresh_token=config.refresh_token,
                device_authorization_url=config.device_authorization_url,
                cache=tokens,
            )
        case CommandAuthConfig():
            return CommandAuth(config.command, cache=tokens, ttl=config.ttl, header=config.header,
                               scheme=config.scheme)
    raise AuthError(f"unsupported auth config {config!r}")


def build_auth(
    config: AuthConfig, variables: Mapping[str, str], tokens: TokenCache
) -> httpx.Auth | None:
    """`render_auth` with these variables, then `auth_for`."""
    return auth_for(render_auth(config, Renderer(variables)), tokens)


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>` on every request."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


# --- digest ------------------------------------------------------------------------------------

_DIGESTS: dict[str, Callable[[bytes], Any]] = {
    "MD5": hashlib.md5,
    "SHA": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-512": hashlib.sha512,
    "SHA-512-256": lambda data: hashlib.new("sha512_256", data),
}


@dataclass(frozen=True)
class _Challenge:
    realm: str
    nonce: str
    algorithm: str
    opaque: str | None
    qop: str | None  # the one we answer with: "auth", "auth-int" or None (RFC 2069)


class DigestAuth(httpx.Auth):
    """RFC 7616 digest with qop "auth" and "auth-int". Our own, because httpx's DigestAuth raises
    NotImplementedError for a server that offers only auth-int (and a send must never raise)."""

    requires_request_body = True  # auth-int hashes the body

    def __init__(self, username: str, password: str) -> None:
        self._username = username
        self._password = password
        self._challenge: _Challenge | None = None
        self._nonce_count = 0

    def __repr__(self) -> str:  # never show the password
        return f"DigestAuth(username={self._username!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._challenge is not None:  # a nonce from an earlier answer: no extra round trip
            request.headers["Authorization"] = self._header(request, self._challenge)
        response = yield request
        if response.status_code != 401:
            return
        challenge = next(
            (
                _parse_challenge(value)
                for value in response.headers.get_list("www-authenticate")
                if value[:7].lower() == "digest "
            ),
            None,
        )
        if challenge is None:
            return  # not a digest challenge: the 401 stands
        self._challenge, self._nonce_count = challenge, 0
        request.headers["Authorization"] = self._header(request, challenge)
        if response.cookies:
            httpx.Cookies(response.cookies).set_cookie_header(request=request)
        yield request

    def _header(self, request: httpx.Request, challenge: _Challenge) -> str:
        algorithm = challenge.algorithm.upper()
        session = algorithm.endswith("-SESS")
        digest = _DIGESTS[algorithm.removesuffix("-SESS")]

        def h(data: str | bytes) -> str:
            return str(digest(data.encode("utf-8") if isinstance(data, str) else data).hexdigest())

        self._nonce_count += 1
        nc = f"{self._nonce_count:08x}"
        cnonce = os.urandom(8).hex()
        uri = request.url.raw_path.decode("ascii")
        ha1 = h(f"{self._username}:{challenge.realm}:{self._password}")
        if session:
            ha1 = h(f"{ha1}:{challenge.nonce}:{cnonce}")
        a2 = f"{request.method}:{uri}"
        if challenge.qop == "auth-int":
            a2 += ":" + h(request.content)  # RFC 7616 3.4.3: H(method:uri:H(entity-body))
        if challenge.qop is None:
            response = h(f"{ha1}:{challenge.nonce}:{h(a2)}")
        else:
            response = h(f"{ha1}:{challenge.nonce}:{nc}:{cnonce}:{challenge.qop}:{h(a2)}")
        fields = [
            f'username="{_quoted(self._username)}"',
            f'realm="{_quoted(challenge.realm)}"',
            f'nonce="{_quoted(challenge.nonce)}"',
            f'uri="{_quoted(uri)}"',
            f'response="{response}"',
            f"algorithm={challenge.algorithm}",
        ]
        if challenge.opaque is not None:
            fields.append(f'opaque="{_quoted(challenge.opaque)}"')
        if challenge.qop is not None:
            fields += [f"qop={challenge.qop}", f"nc={nc}", f'cnonce="{cnonce}"']
        return "Digest " + ", ".join(fields)


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _parse_challenge(header: str) -> _Challenge:
    """`Digest realm="..", nonce="..", qop="auth,auth-int"`; a challenge we cannot answer is an
    `AuthError` (one line), never a guess."""
    fields = {key.lower(): value for key, value in parse_keqv_list(parse_http_list(header[7:])).items()}
    if "realm" not in fields or "nonce" not in fields:
        raise AuthError("digest: the server's challenge has no realm or nonce")
    algorithm = fields.get("algorithm", "MD5")
    if algorithm.upper().removesuffix("-SESS") not in _DIGESTS:
        raise AuthError(f"digest: unsupported algorithm {algorithm!r}")
    qop = None
    if "qop" in fields:
        offered = {part.strip().lower() for part in fields["qop"].split(",")}
        if "auth" in offered:
            qop = "auth"  # what httpx answered before: the body need not be hashed
        elif "auth-int" in offered:
            qop = "auth-int"
        else:
            raise AuthError(f"digest: unsupported qop {fields['qop']!r}")
    return _Challenge(fields["realm"], fields["nonce"], algorithm, fields.get("opaque"), qop)

