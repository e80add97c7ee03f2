"""Copy as curl: the prepared request, as one command a POSIX shell runs back to the same request.

It is made by `prepare()`, like every send, so the command and the app cannot disagree: the same
URL, headers (a stream's SSE headers too), body, auth, TLS settings and redirects. One thing
differs on purpose: a value read from the process environment (`{{env:NAME}}`) is written as a
shell reference, `"${NAME}"`, not as its value. The clipboard (and OSC 52 through the terminal)
never carries a secret, and the command works where the variable is set, even when it is not set
in the dashboard's own shell.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from streamdash.core.collections.curl import format_curl, quote_word
from streamdash.core.collections.models import SavedRequest
from streamdash.core.http.auth import BasicAuthConfig, CommandAuthConfig, DigestAuthConfig, OAuth2Config
from streamdash.core.http.cookies import CookieJar
from streamdash.core.http.prepare import PreparedRequest, prepare
from streamdash.core.http.settings import CollectionSettings

__all__ = ["CurlCommand", "ShellReferences", "as_curl", "curl_for"]

_SHELL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class CurlCommand:
    text: str
    note: str | None = None  # what the command cannot carry (an OAuth2 token), the jar's cookies
    unset: tuple[str, ...] = ()  # variables it reads that this process does not have


class ShellReferences(Mapping[str, str]):
    """An environment in which every name is set, to a marker that survives URL encoding;
    `as_curl` turns each marker back into a shell reference to the name."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self._nonce = secrets.token_hex(4)
        self.markers: dict[str, str] = {}  # marker -> name

    def __getitem__(self, name: str) -> str:
        for marker, known in self.markers.items():
            if known == name:
                return marker
        marker = f"zq{self._nonce}x{len(self.markers)}zq"
        self.markers[marker] = name
        return marker

    def __iter__(self) -> Iterator[str]:
        return iter(self.markers.values())

    def __len__(self) -> int:
        return len(self.markers)

    @property
    def unset(self) -> tuple[str, ...]:
        return tuple(name for name in self.markers.values() if name not in self._environ)

    def quote(self, word: str) -> str:
        """One shell word; markers become `${NAME}` inside double quotes."""
        if not any(marker in word for marker in self.markers):
            return quote_word(word)
        pattern = "(" + "|".join(map(re.escape, self.markers)) + ")"
        out = []
        for piece in re.split(pattern, word):
            if piece in self.markers:
                name = self.markers[piece]
                out.append(f"${{{name}}}" if _SHELL_NAME.fullmatch(name) else f"$(printenv {quote_word(name)})")
            else:
                out.append(re.sub(r'(["\\$`])', r"\\\1", piece))
        return '"' + "".join(out) + '"'


def as_curl(
    prepared: PreparedRequest, refs: ShellReferences | None = None, jar: CookieJar | None = None
) -> CurlCommand:
    """The command for a prepared request; `refs` is the environment it was prepared with,
    `jar` the session's cookies: what the jar would send to the URL goes into the Cookie header
    (merged as a send merges it), and the note names them."""
    quote = refs.quote if refs is not None else quote_word
    sse = prepared.kind == "sse"
    headers = list(prepared.headers)
    if sse:  # what the stream sends on every attempt
        headers = prepared.stream_headers()
    user = None
    notes: list[str] = []
    if jar is not None and prepared.cookies:
        written = "; ".join(value for name, value in headers if name.lower() == "cookie")
        header, added = jar.merged(prepared.url, written)
        if added:
            headers = [(name, value) for name, value in headers if name.lower() != "cookie"]
            headers.append(("Cookie", header))
            notes.append(f"it carries {len(added)} cookie{'s' if len(added) != 1 else ''} "
                         f"from the jar ({', '.join(added)})")
    auth = prepared.auth_config
    if isinstance(auth, BasicAuthConfig | DigestAuthConfig):
        user = f"{auth.username}:{auth.password}"
    elif isinstance(auth, OAuth2Config):
        notes.insert(0, f"OAuth2: the command carries no token (the app fetches one from {auth.token_url})")
    elif isinstance(auth, CommandAuthConfig):
        shown = " ".join(auth.command)
        notes.insert(0, f"command auth: the command carries no token (the app runs {shown!r} for one)")
    elif auth is not None:  # bearer
        headers.append(("Authorization", f"Bearer {getattr(auth, 'token', '')}"))
    transport = prepared.transport
    options: list[list[str]] = []
    if not transport.verify:
        options.append(["-k"])
    if transport.ca_bundle is not None:
        options.append(["--cacert", str(transport.ca_bundle)])
    if transport.client_cert is not None:
        options.append(["--cert", str(transport.client_cert)])
    if transport.client_key is not None:
        options.append(["--key", str(transport.client_key)])
    if transport.http2:
        options.append(["--http2"])
    if transport.proxy:
        options.append(["-x", transport.proxy])
    if prepared.follow_redirects:
        options.append(["-L"])
    if not sse:  # a REST request's own timeouts (a stream's read timeout is its engine's)
        limits = prepared.timeouts
        if limits.connect_from:
            options.append(["--connect-timeout", f"{limits.connect:g}"])
        if limits.timeout_from:
            # curl has no per-phase timeout; under 1 byte/s for this long is the nearest
            options.append(["--speed-limit", "1", "--speed-time", f"{limits.timeout:g}"])
    body = None if prepared.body is None else prepared.body.decode("utf-8", "replace")
    text = format_curl(
        prepared.method,
        prepared.url,
        headers,
        body,
        user=user,
        digest=isinstance(auth, DigestAuthConfig),
        options=options,
        first=["-N"] if sse else [],
        quote_with=quote,
    )
    return CurlCommand(text, "; ".join(notes) or None, refs.unset if refs is not None else ())


def curl_for(
    request: SavedRequest,
    variables: Mapping[str, str],
    settings: CollectionSettings | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> CurlCommand:
    """Prepare with shell references for the environment's values, then `as_curl`. Raises
    `PrepareError` like any send (a missing `{{variable}}` cannot be copied either)."""
    refs = ShellReferences(environ)
    return as_curl(prepare(request, variables, settings, environ=refs), refs)
