"""The demo API: SSE streams and a small REST catalogue that behave like a production service.

Everything random comes from one seeded ``random.Random`` per app, and every delay is
multiplied by ``time_scale``, so tests can run the real thing quickly and reproducibly.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

__all__ = ["DemoState", "StreamDropped", "create_app", "demo_state"]

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
SYMBOLS = ("ACME", "GLOBX", "INITECH", "UMBRL", "WAYNE")
LEVELS = ("debug", "info", "warning", "error")
LEVEL_WEIGHTS = (15, 65, 15, 5)
SERVICES = ("api-gateway", "auth", "billing", "search", "worker")
LOG_MESSAGES: dict[str, tuple[str, ...]] = {
    "debug": (
        "cache miss for key session:{key}",
        "acquired connection from pool (idle={idle})",
        "feature flag new-checkout evaluated to {flag}",
    ),
    "info": (
        "GET /v1/orders/{order} 200",
        "POST /v1/carts/{order}/items 201",
        "user {user} signed in",
        "job {job} finished",
        "GET /v1/search?q=widgets 200",
    ),
    "warning": (
        "slow query on orders ({latency} ms)",
        "retrying job {job} (attempt {attempt}/5)",
        "rate limit at 80% for client {key}",
    ),
    "error": (
        "payment provider timeout after {latency} ms",
        "unhandled exception in job {job}: KeyError('sku')",
        "GET /v1/orders/{order} 500",
    ),
}
FLAKY_STATUSES = ("ok", "ok", "ok", "degraded", "recovering")
PAUSE_GRANULARITY_S = 0.05
CREATED_ID_START = 1000
MAX_PER_PAGE = 100


class StreamDropped(Exception):
    """Raised inside a stream body so the ASGI server aborts the response mid-chunk.

    Raising is the only portable way an ASGI app can cut a connection: uvicorn then
    closes the transport without the terminating chunk, which clients see as an error.
    """


class ApiError(Exception):
    """A client error that becomes a JSON ``{"error": ...}`` response."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


@dataclass
class DemoState:
    """Per-app mutable state, so two apps (e.g. two tests) never share anything."""

    rng: random.Random
    time_scale: float
    started: float = field(default_factory=time.monotonic)
    prices: dict[str, float] = field(default_factory=dict)
    created: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_id: int = CREATED_ID_START
    flaky_requests: int = 0
    flaky_drops: int = 0
    closing: bool = False

    def sub_rng(self) -> random.Random:
        """An independent RNG per connection keeps each stream reproducible for a seed."""
        return random.Random(self.rng.getrandbits(64))

    def close_streams(self) -> None:
        """Make every open stream end soon; safe to call from any thread."""
        self.closing = True

    async def pause(self, seconds: float) -> bool:
        """Sleep in small steps so shutdown is prompt; False means the stream should end.

        Always yields to the loop at least once, so even ``interval=0`` cannot starve it.
        """
        deadline = time.monotonic() + max(seconds, 0.0)
        while True:
            remaining = max(deadline - time.monotonic(), 0.0)
            await asyncio.sleep(min(remaining, PAUSE_GRANULARITY_S))
            if self.closing:
                return False
            if time.monotonic() >= deadline:
                return True


def demo_state(app: Starlette) -> DemoState:
    """The state object of an app made by :func:`create_app`."""
    state: DemoState = app.state.demo
    return state


# --------------------------------------------------------------------------- helpers


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sse_event(data: Any, *, event: str | None = None, event_id: int | None = None) -> str:
    """Frame one SSE event; data is JSON-encoded onto a single line."""
    lines = []
    if event is not None:
        lines.append(f"event: {event}")
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append(f"data: {json.dumps(data)}")
    return "\n".join(lines) + "\n\n"


def _state(request: Request) -> DemoState:
    return demo_state(request.app)


def _number_param(
    request: Request,
    name: str,
    default: float,
    *,
    minimum: float = 0.0,
    exclusive: bool = False,
) -> float:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(value) or value < minimum or (exclusive and value == minimum):
        op = ">" if exclusive else ">="
        raise ApiError(400, f"{name} must be a finite number {op} {minimum:g}")
    return value


def _int_param(
    request: Request,
    name: str,
    default: int | None,
    *,
    minimum: int = 0,
    maximum: int | None = None,
) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and <= {maximum}" if maximum is not None else ""
        raise ApiError(400, f"{name} must be >= {minimum}{upper}")
    return value


def _first_id(request: Request) -> int:
    """Resume after Last-Event-ID when it is a usable integer, else start at 1."""
    raw = request.headers.get("last-event-id", "").strip()
    try:
        last = int(raw)
    except ValueError:
        return 1
    return last + 1 if last >= 0 else 1


def _sse(body: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(body, media_type="text/event-stream", headers=SSE_HEADERS)


# --------------------------------------------------------------------------- streams


def _resumable_stream(
    request: Request,
    default_interval: float,
    next_event: Callable[[random.Random, int], tuple[str, dict[str, Any]]],
    jitter: tuple[float, float] = (1.0, 1.0),
) -> Response:
    """Events with increasing integer ids at an interval, resuming after `Last-Event-ID`."""
    state = _state(request)
    interval = _number_param(request, "interval", default_interval * state.time_scale)
    limit = _int_param(request, "limit", None)
    event_id = _first_id(request)
    rng = state.sub_rng()

    async def body() -> AsyncIterator[str]:
        nonlocal event_id
        yield "retry: 2000\n\n"
        sent = 0
        while limit is None or sent < limit:
            if sent and not await state.pause(interval * rng.uniform(*jitter)):
                return
            kind, data = next_event(rng, event_id)
            yield sse_event(data, event=kind, event_id=event_id)
            event_id += 1
            sent += 1

    return _sse(body())


async def ticker(request: Request) -> Response:
    """Price ticker: rotating symbols, random-walk prices, resumable ids."""
    prices = _state(request).prices

    def price(rng: random.Random, event_id: int) -> tuple[str, dict[str, Any]]:
        symbol = SYMBOLS[(event_id - 1) % len(SYMBOLS)]
        old = prices[symbol]
        new = max(1.0, round(old * (1 + rng.gauss(0, 0.004)), 2))
        prices[symbol] = new
        return "price", {
            "symbol": symbol,
            "price": new,
            "change": round(new - old, 2),
            "ts": _now_iso(),
        }

    return _resumable_stream(request, 0.25, price)


def _log_record(rng: random.Random) -> dict[str, Any]:
    level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
    slow = level in ("warning", "error")
    latency = int(rng.lognormvariate(6.5 if slow else 3.5, 0.6))
    user = rng.randint(1, 5000)
    fields = {
        "key": f"{rng.getrandbits(24):06x}",
        "idle": rng.randint(0, 20),
        "flag": rng.choice(("true", "false")),
        "order": rng.randint(10_000, 99_999),
        "user": user,
        "job": f"job-{rng.getrandbits(16):04x}",
        "latency": latency,
        "attempt": rng.randint(2, 5),
    }
    return {
        "level": level,
        "service": rng.choice(SERVICES),
        "msg": rng.choice(LOG_MESSAGES[level]).format(**fields),
        "latency_ms": latency,
        "user": {"id": user},
        "ts": _now_iso(),
    }


async def logs(request: Request) -> Response:
    """Log stream whose SSE event type is the log level, so clients can filter by type."""

    def record(rng: random.Random, event_id: int) -> tuple[str, dict[str, Any]]:
        data = _log_record(rng)
        return data["level"], data

    return _resumable_stream(request, 0.1, record, jitter=(0.4, 1.6))


async def flaky_stream(request: Request) -> Response:
    """Heartbeats plus updates, cut off abruptly now and then so reconnects can be seen."""
    state = _state(request)
    ts = state.time_scale
    interval = _number_param(request, "interval", 0.5 * ts)
    heartbeat = _number_param(request, "heartbeat", 1.0 * ts, exclusive=True)
    limit = _int_param(request, "limit", None)
    drop_after = _int_param(request, "drop_after", None)
    event_id = _first_id(request)
    if request.headers.get("last-event-id"):
        # ?skip=N: a resume loses N ids, as when a server no longer holds what was missed.
        event_id += _int_param(request, "skip", 0) or 0
    rng = state.sub_rng()
    if drop_after is not None:
        drop_in = math.inf  # the event count decides instead
    elif state.flaky_drops == 0:
        drop_in = rng.uniform(9.0, 11.0) * ts
    else:
        drop_in = rng.uniform(60.0, 75.0) * ts

    def drop() -> StreamDropped:
        state.flaky_drops += 1
        return StreamDropped(f"flaky stream dropped after id {event_id - 1}")

    async def body() -> AsyncIterator[str]:
        nonlocal event_id
        yield "retry: 1000\n\n"
        start = time.monotonic()
        next_event, next_ping, drop_at = start, start + heartbeat, start + drop_in
        sent = 0
        while limit is None or sent < limit:
            now = time.monotonic()
            if now >= drop_at:
                raise drop()
            if now >= next_ping:
                yield ": ping\n\n"
                next_ping = now + heartbeat
            if now >= next_event:
                status = rng.choice(FLAKY_STATUSES)
                yield sse_event({"seq": event_id, "status": status}, event="update", event_id=event_id)
                event_id += 1
                sent += 1
                next_event = now + interval
                if drop_after and sent >= drop_after:
                    raise drop()
                if limit is not None and sent >= limit:
                    return
            if not await state.pause(min(next_event, next_ping, drop_at) - time.monotonic()):
                return

    return _sse(body())


CHAT_ANSWER = (
    "Server-Sent Events keep one HTTP response open and send text frames down it. "
    "Each event may carry an id; after a drop the client reconnects and sends "
    "Last-Event-ID, so the server can resume where the client left off."
)


def chat_tokens(prompt: str) -> list[str]:
    """A canned answer in word-sized pieces (a model's tokens), the prompt echoed first."""
    question = prompt.strip() or "nothing"
    if question[-1] not in ".?!":
        question += "."
    words = f"You asked: {question} {CHAT_ANSWER}".split(" ")
    return [word if i == 0 else " " + word for i, word in enumerate(words)]


async def chat(request: Request) -> Response:
    """An LLM-style completion stream: POST {"prompt": ...}; chunks shaped like OpenAI's
    chat.completion.chunk, one token each, then a finish reason and `data: [DONE]`."""
    state = _state(request)
    try:
        payload = await request.json()
    except ValueError:
        raise ApiError(400, "body must be JSON like {\"prompt\": \"...\"}") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("prompt", ""), str):
        raise ApiError(400, "prompt must be a string")
    tokens = chat_tokens(payload.get("prompt", ""))
    interval = _number_param(request, "interval", 0.06 * state.time_scale)
    first = _number_param(request, "first", 0.4 * state.time_scale)

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        body = {
            "object": "chat.completion.chunk",
            "model": "demo-1",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(body)}\n\n"

    async def body() -> AsyncIterator[str]:
        yield chunk({"role": "assistant"})
        if not await state.pause(first):
            return
        for token in tokens:
            yield chunk({"content": token})
            if not await state.pause(interval):
                return
        yield chunk({}, "stop")
        yield "data: [DONE]\n\n"

    return _sse(body())


# --------------------------------------------------------------------------- REST

_ADJECTIVES = ("Red", "Quiet", "Rapid", "Tiny", "Solar", "Vintage", "Smart", "Golden")
_NOUNS = ("Widget", "Gadget", "Lamp", "Kettle", "Backpack", "Drone", "Notebook", "Speaker")
_TAGS = ("new", "sale", "eco", "bestseller", "limited", "gift", "outdoor", "office")


def _catalogue() -> tuple[dict[str, Any], ...]:
    """A fixed catalogue, independent of the app seed, so pages look the same everywhere."""
    rng = random.Random(57)
    return tuple(
        {
            "id": i + 1,
            "name": f"{_ADJECTIVES[i % 8]} {_NOUNS[i // 8]}",
            "price": round(rng.uniform(2.0, 250.0), 2),
            "tags": sorted(rng.sample(_TAGS, rng.randint(1, 3))),
        }
        for i in range(57)
    )


CATALOGUE = _catalogue()


def _etag(item: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()
    return f'"{digest[:16]}"'


def _etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 section 13.1.2), the right one for GET."""
    if if_none_match.strip() == "*":
        return True
    return etag in (tag.strip().removeprefix("W/") for tag in if_none_match.split(","))


async def list_items(request: Request) -> Response:
    """One page of the catalogue, with both an RFC 8288 Link header and a body ``next``."""
    page = _int_param(request, "page", 1, minimum=1)
    per_page = _int_param(request, "per_page", 10, minimum=1, maximum=MAX_PER_PAGE)
    assert page is not None and per_page is not None
    start = (page - 1) * per_page
    total = len(CATALOGUE)

    def page_url(number: int) -> str:
        return str(request.url.include_query_params(page=number, per_page=per_page))

    next_url = page_url(page + 1) if start + per_page < total else None
    links = []
    if next_url is not None:
        links.append(f'<{next_url}>; rel="next"')
    if page > 1:
        links.append(f'<{page_url(page - 1)}>; rel="prev"')
    body = {
        "items": list(CATALOGUE[start : start + per_page]),
        "page": page,
        "per_page": per_page,
        "total": total,
        "next": next_url,
    }
    headers = {"Link": ", ".join(links)} if links else None
    return JSONResponse(body, headers=headers)


async def get_item(request: Request) -> Response:
    """One item with an ETag, so clients can try conditional requests."""
    item_id: int = request.path_params["item_id"]
    item = CATALOGUE[item_id - 1] if 1 <= item_id <= len(CATALOGUE) else None
    item = item or _state(request).created.get(item_id)
    if item is None:
        raise ApiError(404, f"no item with id {item_id}")
    etag = _etag(item)
    if _etag_matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers={"ETag": etag})
    return JSONResponse(item, headers={"ETag": etag})


def _validate_new_item(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ApiError(422, "body must be a JSON object")
    name, price, tags = payload.get("name"), payload.get("price"), payload.get("tags", [])
    if not isinstance(name, str) or not name.strip():
        raise ApiError(422, "name is required and must be a non-empty string")
    if isinstance(price, bool) or not isinstance(price, int | float):
        raise ApiError(422, "price is required and must be a number")
    if not math.isfinite(price) or price < 0:
        raise ApiError(422, "price must be a finite number >= 0")
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise ApiError(422, "tags must be a list of strings")
    return {"name": name.strip(), "price": round(float(price), 2), "tags": tags}


async def create_item(request: Request) -> Response:
    """Create an item in memory; it is fetchable by id but not added to the fixed pages."""
    try:
        payload = await request.json()
    except ValueError:
        raise ApiError(422, "body must be valid JSON") from None
    fields = _validate_new_item(payload)
    state = _state(request)
    item = {"id": state.next_id, **fields}
    state.created[state.next_id] = item
    state.next_id += 1
    location = str(request.url_for("item", item_id=item["id"]))
    return JSONResponse(item, status_code=201, headers={"Location": location})


async def flaky_api(request: Request) -> Response:
    """Fails like real APIs do: some 500s, some 429s with Retry-After."""
    state = _state(request)
    state.flaky_requests += 1
    forced = request.query_params.get("fail")
    if forced is None:
        roll = state.rng.random()
        outcome = "500" if roll < 0.2 else "429" if roll < 0.3 else "none"
    elif forced in ("500", "429", "none"):
        outcome = forced
    else:
        raise ApiError(400, "fail must be one of 500, 429, none")
    if outcome == "500":
        return JSONResponse({"error": "internal server error (simulated)"}, status_code=500)
    if outcome == "429":
        return JSONResponse(
            {"error": "too many requests (simulated)"}, status_code=429, headers={"Retry-After": "1"}
        )
    return JSONResponse({"ok": True, "n": state.flaky_requests})


async def health(request: Request) -> Response:
    uptime = time.monotonic() - _state(request).started
    return JSONResponse({"status": "ok", "uptime_s": round(uptime, 3)})


async def index(request: Request) -> Response:
    """Lets ``curl`` against the demo explain itself."""
    endpoints = []
    for name, method, path, _, description in ENDPOINTS:
        shown = re.sub(r":\w+}", "}", path)
        url = str(request.base_url).rstrip("/") + shown
        endpoints.append(
            {"name": name, "method": method, "path": shown, "url": url, "description": description}
        )
    return JSONResponse(
        {
            "service": "streamdash demo",
            "endpoints": endpoints,
            "stream_query_params": {
                "interval": "seconds between events (overrides the default)",
                "limit": "send at most N events, then end the response cleanly",
                "heartbeat": "flaky only: seconds between ': ping' comments",
                "drop_after": "flaky only: drop the connection after N events (0 = never)",
                "skip": "flaky only: a resume (Last-Event-ID) loses N ids",
            },
        }
    )


Handler = Callable[[Request], Awaitable[Response]]

ENDPOINTS: tuple[tuple[str, str, str, Handler, str], ...] = (
    ("index", "GET", "/", index, "This list of endpoints."),
    ("ticker", "GET", "/streams/ticker", ticker,
     "SSE price ticker (event: price); honours Last-Event-ID."),
    ("logs", "GET", "/streams/logs", logs,
     "SSE log stream; the event type is the level (debug/info/warning/error)."),
    ("flaky", "GET", "/streams/flaky", flaky_stream,
     "SSE updates with ': ping' heartbeats that drops the connection now and then."),
    ("chat", "POST", "/api/chat", chat,
     "LLM-style token stream: POST {\"prompt\": ...}; OpenAI-shaped chunks, then [DONE]."),
    ("items", "GET", "/api/items", list_items,
     "Paginated catalogue (?page=&per_page=, max 100) with Link rel=next/prev."),
    ("create", "POST", "/api/items", create_item,
     "Create an item from JSON {name, price, tags?}; 201 with Location."),
    ("item", "GET", "/api/items/{item_id:int}", get_item,
     "One item, with ETag and If-None-Match support."),
    ("flaky-api", "GET", "/api/flaky", flaky_api,
     "Fails now and then: 500s and 429s with Retry-After (?fail=500|429|none forces)."),
    ("health", "GET", "/api/health", health, "Liveness and uptime."),
)  # fmt: skip


# --------------------------------------------------------------------------- app


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse({"error": exc.message}, status_code=exc.status_code)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown routes and wrong methods answer in JSON like the rest of the API."""
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


def _is_drop(exc: BaseException | None) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        return all(_is_drop(inner) for inner in exc.exceptions)
    return isinstance(exc, StreamDropped)


class _HideDeliberateDrops(logging.Filter):
    """A deliberate drop is not a server error; keep it out of uvicorn's error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and _is_drop(record.exc_info[1]))


def _install_drop_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideDeliberateDrops) for f in logger.filters):
        logger.addFilter(_HideDeliberateDrops())


def create_app(*, seed: int | None = None, time_scale: float = 1.0) -> Starlette:
    """Build a fresh demo app; ``time_scale`` multiplies every default delay."""
    if not time_scale > 0 or not math.isfinite(time_scale):
        raise ValueError(f"time_scale must be a positive number, got {time_scale!r}")
    _install_drop_filter()
    rng = random.Random(seed)
    state = DemoState(rng=rng, time_scale=time_scale)
    state.prices = {symbol: round(rng.uniform(20.0, 400.0), 2) for symbol in SYMBOLS}
    routes = [
        Route(path, handler, methods=[method], name=name)
        for name, method, path, handler, _ in ENDPOINTS
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
    app.state.demo = state
    return app
