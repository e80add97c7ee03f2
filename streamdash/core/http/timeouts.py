"""A REST request's effective timeouts, where each came from, and the one line a timeout says.

`timeout = S` (a request file or `collection.toml`, see `core.collections.timeouts`) bounds each
phase of a send: connecting, sending, waiting for the answer and reading it. `connect_timeout`
bounds connecting on its own; without it a connect gets 10 s, or `timeout` when that is shorter.
The request's own value wins over the collection's, which wins over the default (30 s, connect
10 s). They go to httpx per request (`timeout=` on the one shared client; never a client per
request). Streams keep their own read timeout and silence handling: this is REST only.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from streamdash.core.collections.timeouts import TimeoutSetting

__all__ = [
    "DEFAULT_REST_CONNECT_TIMEOUT",
    "DEFAULT_REST_TIMEOUT",
    "Timeouts",
    "resolve_timeouts",
    "timed_out",
]

DEFAULT_REST_TIMEOUT = 30.0
DEFAULT_REST_CONNECT_TIMEOUT = 10.0

REQUEST = "the request"
COLLECTION = "collection.toml"
DEFAULT = ""


def seconds(value: float) -> str:
    """5 -> "5 s", 0.25 -> "0.25 s"."""
    return f"{value:g} s"


@dataclass(frozen=True)
class Timeouts:
    """Effective values, and for each the file that set it (REQUEST, COLLECTION or DEFAULT)
    and under which key (a connect limit may come from `timeout`)."""

    timeout: float = DEFAULT_REST_TIMEOUT
    connect: float = DEFAULT_REST_CONNECT_TIMEOUT
    timeout_from: str = DEFAULT
    connect_from: str = DEFAULT
    connect_key: str = "connect_timeout"

    @property
    def httpx(self) -> httpx.Timeout:
        return httpx.Timeout(self.timeout, connect=self.connect)

    def describe(self) -> str:
        """One line for the request editor: `5 s (connect 2 s) · timeout from the request`."""
        where = []
        for key, source in (("timeout", self.timeout_from), (self.connect_key, self.connect_from)):
            if source and f"{key} from {source}" not in where:
                where.append(f"{key} from {source}")
        said = ", ".join(where) if where else "the default; set timeout = S in the file or collection.toml"
        return f"{seconds(self.timeout)} (connect {seconds(self.connect)}) \u00b7 {said}"


def resolve_timeouts(request: TimeoutSetting, collection: TimeoutSetting) -> Timeouts:
    """The request's keys over the collection's over the defaults; `connect_timeout` unset
    anywhere: 10 s, or `timeout` when shorter."""
    timeout, timeout_from = DEFAULT_REST_TIMEOUT, DEFAULT
    for setting, source in ((collection, COLLECTION), (request, REQUEST)):
        if setting.timeout is not None:
            timeout, timeout_from = setting.timeout, source
    connect, connect_from, key = DEFAULT_REST_CONNECT_TIMEOUT, DEFAULT, "connect_timeout"
    for setting, source in ((collection, COLLECTION), (request, REQUEST)):
        if setting.connect_timeout is not None:
            connect, connect_from = setting.connect_timeout, source
    if connect_from == DEFAULT and timeout < connect:
        connect, connect_from, key = timeout, timeout_from, "timeout"
    return Timeouts(timeout, connect, timeout_from, connect_from, key)


_PHASES: tuple[tuple[type[httpx.TimeoutException], str, str], ...] = (
    (httpx.ConnectTimeout, "connect", "connecting to {host}"),
    (httpx.WriteTimeout, "write", "sending the request"),
    (httpx.PoolTimeout, "pool", "waiting for a free connection"),
    (httpx.ReadTimeout, "read", "waiting for a response"),
)


def timed_out(exc: httpx.TimeoutException, timeouts: Timeouts | None, *, answered: bool = False) -> str:
    """The one line for a send that ran out of time: which timeout, its value, and where to set
    it. `answered`: the status line had come, so the wait was for the rest of the body."""
    phase, doing = "read", "waiting for a response"
    for kind, name, text in _PHASES:
        if isinstance(exc, kind):
            phase, doing = name, text
            break
    if phase == "read" and answered:
        doing = "reading the response body"
    try:
        request: httpx.Request | None = exc.request
    except RuntimeError:  # raised without its request
        request = None
    if "{host}" in doing:
        host = request.url.host if request is not None else ""
        port = request.url.port if request is not None else None
        doing = doing.format(host=f"{host}:{port}" if port else host or "the server")
    timeouts = timeouts or Timeouts()
    if phase == "connect":
        value, source, key = timeouts.connect, timeouts.connect_from, timeouts.connect_key
    else:
        value, source, key = timeouts.timeout, timeouts.timeout_from, "timeout"
    used = request.extensions.get("timeout", {}).get(phase) if request is not None else None
    if isinstance(used, int | float) and used != value:  # not the request's own limit (a token fetch)
        return f"timed out after {seconds(used)} {doing} ({phase} timeout)"
    if source == DEFAULT:
        hint = f"the default; set {key if phase == 'connect' else 'timeout'} = S in the request or collection.toml"
    else:
        hint = f"{key} = {value:g} in {source}"
    return f"timed out after {seconds(value)} {doing} ({phase} timeout, {hint})"
