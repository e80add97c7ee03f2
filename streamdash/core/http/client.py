"""The one shared `httpx.AsyncClient`: its pool, timeouts and identity.

Streams each hold a pooled connection for as long as they run, so the pool has no overall cap:
a REST request must never queue behind open streams. Streams pass their own timeouts per request
(a quiet stream would die under httpx's default 5 s read timeout).
"""

from __future__ import annotations

import httpx

from streamdash import __version__
from streamdash.core.http.cookies import refusing_jar
from streamdash.core.http.timeouts import DEFAULT_REST_CONNECT_TIMEOUT, DEFAULT_REST_TIMEOUT

USER_AGENT = f"streamdash/{__version__}"
# The client's default; a saved request passes its own (`timeout = S`, see timeouts.py).
REST_TIMEOUT = httpx.Timeout(DEFAULT_REST_TIMEOUT, connect=DEFAULT_REST_CONNECT_TIMEOUT)


def make_client(**overrides: object) -> httpx.AsyncClient:
    settings: dict[str, object] = {
        "limits": httpx.Limits(max_connections=None, max_keepalive_connections=20),
        "timeout": REST_TIMEOUT,
        "headers": {"User-Agent": USER_AGENT},
        "follow_redirects": False,
        "trust_env": True,
        # Each session keeps its own jar (cookies.py): this one shared client keeps none.
        "cookies": refusing_jar(),
    }
    settings.update(overrides)
    return httpx.AsyncClient(**settings)  # type: ignore[arg-type]
