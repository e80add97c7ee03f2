"""One SSE stream on a shared `httpx.AsyncClient`: connect, parse, reconnect, resume.

The public surface is `SSEStream`: iterate it for items (`Event`, `Heartbeat`, `StateChange`), or
iterate `batches()` for the items one network read completed, which lets a consumer write or
render once per read instead of once per event. `stats` holds live counters for the stats panel.

    async with httpx.AsyncClient() as client:
        async for item in SSEStream(client, "https://example.com/stream"):
            if isinstance(item, Event):
                print(item.event, item.id, item.data)

Rule numbers refer to ../shared/design/sse-client-rules.md.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from enum import StrEnum
from typing import cast

import httpx

from streamdash.core.http.cookies import CookieJar
from streamdash.core.http.errors import describe_error, is_tls_error
from streamdash.core.http.headers import wire_headers
from streamdash.core.http.redirects import REDIRECT_STATUSES, RedirectError, following
from streamdash.core.sse.backoff import Backoff, parse_retry_after
from streamdash.core.sse.dedup import Dedup
from streamdash.core.sse.events import (
    DEFAULT_HEARTBEAT_EVENTS,
    Event,
    Heartbeat,
    Item,
    StateChange,
    StreamState,
)
from streamdash.core.sse.parser import (
    DEFAULT_MAX_EVENT_BYTES,
    EventTooLarge,
    OversizePolicy,
    SSEParser,
)

DEFAULT_READ_TIMEOUT = 60.0
DEFAULT_CONNECT_TIMEOUT = 10.0


class RetryPolicy(StrEnum):
    """Rule 30. `strict` is the spec; `resilient` keeps watching through 5xx, 408 and 429."""

    STRICT = "strict"
    RESILIENT = "resilient"


@dataclass(frozen=True)
class StreamOptions:
    """Everything that shapes one stream's request and its recovery."""

    method: str = "GET"
    headers: Sequence[tuple[str, str]] = ()
    body: bytes | None = None
    last_event_id: str = ""
    reconnect: bool = True
    retry_policy: RetryPolicy = RetryPolicy.RESILIENT
    read_timeout: float | None = DEFAULT_READ_TIMEOUT  # None: wait for bytes forever
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    max_event_bytes: int | None = DEFAULT_MAX_EVENT_BYTES
    oversize: OversizePolicy | str = OversizePolicy.FAIL  # rule 34: fail for good, or skip
    base_delay: float = 1.0
    max_delay: float = 30.0
    reset_after: float = 60.0
    # A first attempt that cannot connect at all (refused, DNS, TLS) is most often a typo: fail
    # at once instead of retrying forever. Once a stream has opened, network errors always retry.
    retry_first_connect: bool = False
    dedup_window: int = 10_000
    # Sent on every attempt, so a reconnect runs the auth flow again (an OAuth2 token expired
    # or refused is fetched anew through the token cache).
    auth: httpx.Auth | None = None
    # Asked when the server ends the body cleanly: True means the stream has said all it will
    # (an LLM answer that is complete) and reconnecting would only send the request again.
    finished: Callable[[], bool] | None = None
    # Events of these types are heartbeats (counted as such, not as events); still yielded.
    heartbeat_events: frozenset[str] = DEFAULT_HEARTBEAT_EVENTS
    # Values (from the request's secrets) no header may carry past a redirect to another origin.
    secrets: frozenset[str] = frozenset()
    # The session's cookie jar (core/http/cookies.py), sent and kept on every attempt; None: none.
    cookies: CookieJar | None = None


@dataclass
class StreamStats:
    """Live counters; the stream mutates them, readers copy what they need."""

    state: StreamState = StreamState.CONNECTING
    events: int = 0
    bytes: int = 0
    reconnects: int = 0
    duplicates: int = 0
    heartbeats: int = 0  # comment lines and events of a heartbeat type
    skipped_oversize: int = 0  # events over max_event_bytes discarded under `oversize = skip`
    connects: int = 0
    last_error: str = ""
    last_status: int | None = None
    connected_since: float | None = None  # wall clock, None while not open
    last_event_id: str = ""
    last_event_at: float | None = None
    last_heartbeat_at: float | None = None
    last_byte_at: float | None = None
    retry_ms: int | None = None
    next_attempt_at: float | None = None
    moved_to: str = ""  # host:port a redirect took the stream to, when another origin


def event_stream_headers(
    headers: Sequence[tuple[str, str]], last_event_id: str = ""
) -> list[tuple[str, str]]:
    """Rules 23, 24 and 26: the original headers, the SSE ones, and the resume point. Also what
    copy as curl shows, so the command and the stream send the same."""
    names = {name.lower() for name, _ in headers}
    sent: list[tuple[str, str]] = []
    if "accept" not in names:
        sent.append(("Accept", "text/event-stream"))
    if "cache-control" not in names:
        sent.append(("Cache-Control", "no-cache"))
    sent.extend((k, v) for k, v in headers if k.lower() != "last-event-id")
    if last_event_id:
        sent.append(("Last-Event-ID", last_event_id))
    return sent


class _Outcome(Exception):
    """How one connection ended; raised out of the attempt and decided on in the loop."""

    def __init__(
        self,
        state: StreamState,
        reason: str,
        retry_after: float | None = None,
        *,
        clean_end: bool = False,
    ) -> None:
        super().__init__(reason)
        self.state = state  # BACKOFF to try again, CLOSED or FAILED to stop
        self.reason = reason
        self.retry_after = retry_after
        self.clean_end = clean_end  # the body ended normally: not a failure without reconnect


class _Restart(_Outcome):
    """`SSEStream.restart()` dropped the connection: reconnect now, as after a drop."""

    def __init__(self, reason: str) -> None:
        super().__init__(StreamState.BACKOFF, reason)


PACED_READ = 16 * 1024  # a read smaller than this is a trickle (see SSEStream.pace)


def _no_pace() -> float:
    return 0.0


class SSEStream:
    """One stream: async-iterate it for items; `stats` and `state` are always current."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        url: str | httpx.URL,
        options: StreamOptions | None = None,
        *,
        rng: Callable[[], float] | None = None,
    ) -> None:
        self.client = client
        self.url = httpx.URL(url)
        self.options = options = options or StreamOptions()
        self.stats = StreamStats(last_event_id=options.last_event_id)
        backoff = Backoff(
            base=self.options.base_delay,
            cap=self.options.max_delay,
            reset_after=self.options.reset_after,
        )
        if rng is not None:
            backoff.rng = rng
        self._backoff = backoff
        self._dedup = Dedup(self.options.dedup_window)
        self._ever_opened = False
        self._iterators: list[AsyncGenerator[Item, None] | AsyncGenerator[list[Item], None]] = []
        self._timeout = _timeout(options)
        # restart(): the reason waiting to be acted on, the task reading the stream, and
        # whether that task is out in the consumer's code (at a yield) or in an await of ours.
        self._restart: str | None = None
        self._task: asyncio.Task[object] | None = None
        self._at_yield = False
        # Seconds to wait after a small read before the next (0: none). Every read of the
        # httpx stack has a fixed cost, and a trickling stream is one read an event: 200
        # streams x 100 events/s saturated a core (loop lag p99 ~48 ms); waiting 20 ms after a
        # read under PACED_READ bytes lets events gather in the socket (74 % of a core, p99
        # ~19 ms). A fast stream fills its reads and never waits. The dashboard sets it with
        # many streams running; it makes received times coarser by up to the wait.
        self.pace: Callable[[], float] = _no_pace

    @property
    def state(self) -> StreamState:
        return self.stats.state

    @property
    def last_event_id(self) -> str:
        return self.stats.last_event_id

    def __aiter__(self) -> AsyncGenerator[Item, None]:
        self._iterators.append(iterator := self._items())
        return iterator

    async def __aenter__(self) -> SSEStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop: close the connection now rather than when the iterator is garbage-collected.

        An iterator another task is inside of cannot be closed from here: cancelling that task
        closes it (the connection goes with the `async with` it is in)."""
        while self._iterators:
            iterator = self._iterators.pop()
            if not getattr(iterator, "ag_running", False):
                await iterator.aclose()

    async def _items(self) -> AsyncGenerator[Item, None]:
        async with aclosing(self._batches()) as batches:
            async for batch in batches:
                for item in batch:
                    yield item

    def request_headers(self) -> list[tuple[bytes, bytes]]:
        """On the wire as UTF-8 bytes: httpx refuses a non-ASCII `str` value, and the spec
        sends the last event id (and we any header value) as UTF-8."""
        return wire_headers(event_stream_headers(self.options.headers, self.stats.last_event_id))

    @property
    def running(self) -> bool:
        """A task is reading the stream (it has not ended, failed or been closed)."""
        return self._task is not None

    def restart(
        self,
        reason: str = "restarted",
        *,
        url: str | httpx.URL | None = None,
        options: StreamOptions | None = None,
    ) -> bool:
        """Drop the connection and connect again at once, exactly as after a drop by the server:
        the same last event id, duplicate filter and backoff state. A new `url` or `options`
        (an edited request, another environment) apply from that attempt on; the resume point
        stays the stream's own. False when no task is reading the stream (start one instead)."""
        if url is not None:
            self.url = httpx.URL(url)
        if options is not None:
            self.options = options
            self._timeout = _timeout(options)
        task = self._task
        if task is None:
            return False
        self._restart = reason
        if not self._at_yield and task is not asyncio.current_task():
            task.cancel()  # out of the await it is in; _take_restart() tells it from a real cancel
        return True

    def _take_restart(self) -> str | None:
        """The pending restart's reason, after undoing the cancel it sent; None when there is no
        restart pending or a real cancel came as well (then the caller re-raises)."""
        reason, self._restart = self._restart, None
        if reason is None:
            return None
        task = asyncio.current_task()
        if task is not None and task.cancelling() and task.uncancel() > 0:
            return None
        return reason

    def _restart_at_yield(self) -> None:
        """Back from the consumer: a restart asked for meanwhile is acted on now."""
        self._at_yield = False
        if self._restart is not None:
            raise _Restart(self._restart)

    def batches(self) -> AsyncGenerator[list[Item], None]:
        """Yield lists of items, one list per network read (and one per state change)."""
        self._iterators.append(iterator := self._batches())
        return iterator

    async def _batches(self) -> AsyncGenerator[list[Item], None]:
        stats = self.stats
        self._task = asyncio.current_task()
        try:
            while True:
                self._at_yield = True
                yield [self._change(StreamState.CONNECTING)]
                opened_at: float | None = None
                # Rule 31: did this connection bring news (an event, or one skipped as oversized)?
                delivered_before = stats.events + stats.skipped_oversize
                try:
                    self._restart_at_yield()
                    options = self.options
                    request = self.client.build_request(
                        options.method,
                        self.url,
                        headers=self.request_headers(),
                        content=options.body,
                        timeout=self._timeout,
                    )
                    async with following(  # rule 25, as a REST send follows
                        self.client, request, auth=options.auth, secrets=options.secrets,
                        jar=options.cookies,
                    ) as (response, route):
                        stats.moved_to = route.moved_to
                        self._check_response(response)
                        opened_at = time.monotonic()
                        self._ever_opened = True
                        stats.connects += 1
                        stats.connected_since = time.time()
                        self._dedup.replaying = bool(stats.last_event_id)
                        self._at_yield = True
                        yield [self._change(StreamState.OPEN, route.note, status=response.status_code)]
                        self._restart_at_yield()
                        async with aclosing(self._read(response)) as batches:
                            async for batch in batches:
                                self._at_yield = True
                                yield batch
                                self._restart_at_yield()
                    if options.finished is not None and options.finished():
                        raise _Outcome(
                            StreamState.CLOSED,
                            "the answer is complete and the server closed the stream: not "
                            "reconnecting (that would send the request again)",
                        )
                    raise _Outcome(StreamState.BACKOFF, "server closed the stream", clean_end=True)
                except asyncio.CancelledError:
                    reason = self._take_restart()
                    if reason is None:
                        raise
                    ending: _Outcome = _Restart(reason)
                except _Outcome as outcome:
                    ending = outcome
                except EventTooLarge as exc:
                    ending = _Outcome(StreamState.FAILED, str(exc))
                except RedirectError as exc:
                    ending = _Outcome(StreamState.FAILED, str(exc))
                except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                    ending = _Outcome(StreamState.FAILED, describe_error(exc))
                except httpx.ReadTimeout:
                    ending = _Outcome(
                        StreamState.BACKOFF,
                        f"no data for {self.options.read_timeout:g} s (read timeout)",
                    )
                except httpx.RequestError as exc:  # transport errors, a body that fails to decode
                    ending = self._network_failure(exc)
                connected_for = None if opened_at is None else time.monotonic() - opened_at
                stats.connected_since = None
                if ending.state is StreamState.BACKOFF and not self.options.reconnect:
                    stop = StreamState.CLOSED if ending.clean_end else StreamState.FAILED
                    ending = _Outcome(stop, ending.reason)
                if ending.state is not StreamState.BACKOFF:
                    if ending.state is StreamState.FAILED:
                        stats.last_error = ending.reason
                    yield [self._change(ending.state, ending.reason)]
                    return
                if isinstance(ending, _Restart):
                    delay = 0.0  # asked for: now, and the backoff is left as it was
                else:
                    stats.last_error = ending.reason
                    progressed = stats.events + stats.skipped_oversize > delivered_before
                    delay = self._next_delay(ending, connected_for, progressed)
                stats.next_attempt_at = time.time() + delay
                self._at_yield = True
                yield [self._change(StreamState.BACKOFF, ending.reason, delay=delay)]
                self._at_yield = False
                if self._restart is not None:
                    self._restart = None  # a restart during the wait: connect now
                else:
                    try:
                        await asyncio.sleep(delay)
                    except asyncio.CancelledError:
                        if self._take_restart() is None:
                            raise
                stats.next_attempt_at = None
                stats.reconnects += 1
        finally:
            self._task = None
            self._restart = None
            self._at_yield = False
            if stats.state not in (StreamState.CLOSED, StreamState.FAILED):
                stats.state = StreamState.CLOSED  # the consumer stopped reading: closed by the user
                stats.connected_since = None

    async def _read(self, response: httpx.Response) -> AsyncGenerator[list[Item], None]:
        stats = self.stats
        dedup = self._dedup
        options = self.options
        parser = SSEParser(stats.last_event_id, options.max_event_bytes, options.oversize)  # rule 32
        heartbeat_events = options.heartbeat_events
        clock = time.time
        try:
            # An async generator at run time (typed as an iterator): closed as one.
            # Unencoded (as nearly every event stream is), the raw bytes: aiter_bytes would run
            # each read through an identity decoder and a re-chunker for nothing, which at
            # 200 streams x 100 events/s (one read an event) is measurable.
            encoded = response.headers.get("content-encoding", "identity").strip().lower() not in ("", "identity")
            reader = response.aiter_bytes() if encoded else response.aiter_raw()
            raw = cast(AsyncGenerator[bytes, None], reader)
            async with aclosing(raw) as chunks:
                while True:
                    try:
                        chunk = await anext(chunks)
                    except StopAsyncIteration:
                        break
                    except asyncio.CancelledError:
                        # A restart: leave by an outcome, so the connection closes as after a drop.
                        if (reason := self._take_restart()) is None:
                            raise
                        raise _Restart(reason) from None
                    now = clock()
                    stats.bytes += len(chunk)
                    stats.last_byte_at = now
                    too_large = None
                    try:
                        items = parser.feed(chunk, now)
                    except EventTooLarge as exc:  # rule 34: deliver what came before it, then fail
                        items, too_large = exc.items, exc
                    if parser.retry is not None and parser.retry != stats.retry_ms:
                        stats.retry_ms = parser.retry  # rule 15: at once, dispatch or not
                        self._backoff.base = parser.retry / 1000
                    stats.last_event_id = parser.last_event_id
                    if not items:
                        if too_large is not None:
                            raise too_large
                        continue
                    kept: list[Item] = []
                    for item in items:
                        if type(item) is Event:
                            if item.id_set and dedup.replaying:
                                if dedup.delivered(item.id):
                                    stats.duplicates += 1
                                    continue
                                dedup.replaying = False
                            if item.id_set:
                                dedup.remember(item.id)
                            if item.event in heartbeat_events:  # yielded, but no news
                                stats.heartbeats += 1
                                stats.last_heartbeat_at = now
                            else:
                                stats.events += 1
                                stats.last_event_at = now
                        elif type(item) is Heartbeat:
                            stats.heartbeats += 1
                            stats.last_heartbeat_at = now
                        else:
                            stats.skipped_oversize += 1
                        kept.append(item)
                    if kept:
                        yield kept
                    if too_large is not None:
                        raise too_large
                    if len(chunk) < PACED_READ and (pause := self.pace()) > 0:
                        try:
                            await asyncio.sleep(pause)
                        except asyncio.CancelledError:
                            if (reason := self._take_restart()) is None:
                                raise
                            raise _Restart(reason) from None
        finally:
            parser.close()  # rule 22: an unfinished block and its id are dropped

    def _check_response(self, response: httpx.Response) -> None:
        """Rules 27, 28 and 30: decide from the status and media type whether this is a stream."""
        status = response.status_code
        self.stats.last_status = status
        if status == 204:
            raise _Outcome(StreamState.CLOSED, "server answered 204 No Content: stop")
        if status == 200:
            content_type = response.headers.get("content-type", "")
            media_type = content_type.split(";", 1)[0].strip().lower()
            if media_type != "text/event-stream":
                shown = content_type or "none"
                raise _Outcome(StreamState.FAILED, f"not an event stream (Content-Type: {shown})")
            return
        reason = f"HTTP {status} {response.reason_phrase}".rstrip()
        if status == 401 and any(earlier.status_code == 401 for earlier in response.history):
            reason += " (refused again after fetching fresh credentials)"
        if status in REDIRECT_STATUSES:
            raise _Outcome(StreamState.FAILED, f"{reason} without a usable Location")
        retryable = status >= 500 or status in (408, 429)
        if self.options.retry_policy is RetryPolicy.RESILIENT and retryable:
            raise _Outcome(
                StreamState.BACKOFF, reason, parse_retry_after(response.headers.get("retry-after"))
            )
        raise _Outcome(StreamState.FAILED, reason)

    def _network_failure(self, exc: httpx.RequestError) -> _Outcome:
        reason = describe_error(exc)
        if is_tls_error(exc):
            return _Outcome(StreamState.FAILED, reason)
        first = not self._ever_opened and not self.options.retry_first_connect
        if first and isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return _Outcome(StreamState.FAILED, reason)
        return _Outcome(StreamState.BACKOFF, reason)

    def _next_delay(self, ending: _Outcome, connected_for: float | None, progressed: bool) -> float:
        delay = self._backoff.next_delay(connected_for, progressed=progressed)
        if ending.retry_after is not None:
            return ending.retry_after
        return delay

    def _change(
        self,
        state: StreamState,
        reason: str = "",
        *,
        delay: float | None = None,
        status: int | None = None,
    ) -> StateChange:
        self.stats.state = state
        return StateChange(
            state=state,
            reason=reason,
            delay=delay,
            last_event_id=self.stats.last_event_id,
            status=status,
            at=time.time(),
        )


def _timeout(options: StreamOptions) -> httpx.Timeout:
    return httpx.Timeout(
        connect=options.connect_timeout,
        # Rule 33: any byte resets httpx's read timeout, which is exactly "no byte for N s".
        read=options.read_timeout or None,
        write=options.connect_timeout,
        pool=options.connect_timeout,
    )


def open_stream(
    client: httpx.AsyncClient,
    url: str | httpx.URL,
    *,
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = (),
    **options: object,
) -> SSEStream:
    """Shorthand: `async with open_stream(client, url, read_timeout=30) as stream: ...`."""
    pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    return SSEStream(client, url, StreamOptions(headers=tuple(pairs), **options))  # type: ignore[arg-type]
