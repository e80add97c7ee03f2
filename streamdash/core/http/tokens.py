"""What auth keeps between requests, in memory only: tokens (OAuth2, a command's), OAuth2
refresh tokens, and the errors a token fetch raises. Never written anywhere; bounded."""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Callable

import httpx

__all__ = ["AuthError", "TokenCache", "TokenEndpointError", "TokenKey", "error_reason"]

EXPIRY_MARGIN_S = 30.0
ISSUED_KEPT = 64
EXPIRY_MARGIN_FRACTION = 0.1
_MAX_REASON_CHARS = 200


class AuthError(ValueError):
    """Bad auth configuration or a failed token fetch. `str()` is one line."""


class TokenEndpointError(AuthError, httpx.RequestError):
    """The OAuth2 token endpoint failed or answered nonsense."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        ValueError.__init__(self, message)
        self._request = request


TokenKey = tuple[str, ...]  # OAuth2: (token_url, client_id, scope, audience, grant, user); a command: ("command", argv)


class TokenCache:
    """OAuth2 access tokens in memory only (never written anywhere), one per key.

    Keyed by (token_url, client_id, scope, audience). Meant for one event loop: `lock(key)` is an
    `asyncio.Lock` held while a token is fetched, so concurrent requests fetch once.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tokens: dict[TokenKey, tuple[str, float]] = {}  # key -> (token, use until)
        self._refresh: dict[TokenKey, str] = {}  # OAuth2 refresh tokens, by the same keys
        # Where a sign-in that needs the person (the device grant's code and URL) is said: the
        # app makes it a notice, `tail` and `run` print it on stderr. None: nobody to tell.
        # Called as prompt(text, waiting): waiting while the person must act; then once with
        # waiting False when the sign-in is over (text "" if there is nothing more to say), so
        # the app can take the code down.
        self.prompt: Callable[[str, bool], None] | None = None
        self._locks: dict[TokenKey, asyncio.Lock] = {}
        # The latest tokens fetched, expired ones included (an old one may still be echoed):
        # secrets known by value, for masking. Bounded, like everything a server can grow.
        self._issued: deque[str] = deque(maxlen=ISSUED_KEPT)

    def get(self, key: TokenKey) -> str | None:
        """The cached token if it is still good, else None."""
        entry = self._tokens.get(key)
        if entry is None:
            return None
        token, until = entry
        if self._clock() >= until:
            del self._tokens[key]
            return None
        return token

    def put(self, key: TokenKey, token: str, expires_in: float | None) -> None:
        if expires_in is None:
            until = float("inf")
        else:
            margin = min(EXPIRY_MARGIN_S, expires_in * EXPIRY_MARGIN_FRACTION)
            until = self._clock() + expires_in - margin
        self._tokens[key] = (token, until)
        if token not in self._issued:
            self._issued.append(token)

    def refresh_token(self, key: TokenKey) -> str | None:
        return self._refresh.get(key)

    def put_refresh(self, key: TokenKey, token: str | None) -> None:
        """Keep (or, with None, drop) the key's refresh token; it is a secret like the others."""
        if token is None:
            self._refresh.pop(key, None)
            return
        self._refresh[key] = token
        if token not in self._issued:
            self._issued.append(token)

    def say(self, text: str, *, waiting: bool = True) -> bool:
        """Tell the person (see `prompt`); False when there is nobody to tell."""
        if self.prompt is None:
            return False
        self.prompt(text, waiting)
        return True

    def issued(self) -> frozenset[str]:
        """The latest tokens this cache was given (at most `ISSUED_KEPT`): secrets to mask."""
        return frozenset(self._issued)

    def forget(self, key: TokenKey, token: str | None = None) -> None:
        """Drop the key's token (only if it is still `token`, when given)."""
        entry = self._tokens.get(key)
        if entry is not None and (token is None or entry[0] == token):
            del self._tokens[key]

    def clear(self) -> None:
        self._tokens.clear()
        self._refresh.clear()

    def lock(self, key: TokenKey) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    def size(self) -> int:
        """How many tokens are held (not `__len__`: an empty cache must not be falsy)."""
        return len(self._tokens)

    def __repr__(self) -> str:  # never show tokens
        return f"TokenCache({len(self._tokens)} token(s))"


def error_reason(response: httpx.Response) -> str:
    """`error` (and `error_description`) from an RFC 6749 error body, else the text, on one line."""
    reason = ""
    try:
        data = json.loads(response.content)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        reason = data["error"]
        description = data.get("error_description")
        if isinstance(description, str) and description.strip():
            reason += f" ({description})"
    elif response.content:
        reason = response.content.decode("utf-8", "replace")
    reason = " ".join(reason.split()) or response.reason_phrase or "no reason given"
    if len(reason) > _MAX_REASON_CHARS:
        reason = reason[: _MAX_REASON_CHARS - 1] + "…"
    return reason
