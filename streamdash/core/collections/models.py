"""Saved requests and collections as plain data, and the checks that turn parsed TOML into them.

Validation sits beside the models so the CLI, the TUI and the tests reject the same files with the
same one-line messages. Storage (reading and writing files) lives in `storage.py`.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn

from streamdash.core.collections.timeouts import TIMEOUT_KEYS, timeout_problem
from streamdash.core.columns import path_problem, template_problem
from streamdash.core.sse.events import DEFAULT_HEARTBEAT_EVENTS
from streamdash.core.sse.parser import DEFAULT_MAX_EVENT_BYTES, OversizePolicy
from streamdash.core.sse.silence import DEFAULT_SILENCE_THRESHOLD
from streamdash.core.sse.stream import DEFAULT_READ_TIMEOUT, RetryPolicy

Kind = Literal["rest", "sse"]
KINDS: tuple[Kind, ...] = ("rest", "sse")

# Known keys in the order they are written; anything else is kept in `SavedRequest.extra`.
REQUEST_KEYS = ("name", "kind", "method", "url", "description", "body", "query", "headers", "stream")
STREAM_KEYS = (
    "retry_policy",
    "read_timeout",
    "max_event_bytes",
    "last_event_id",
    "reconnect",
    "latency_field",
    "assemble",
    "silence_alarm",
    "oversize",
    "heartbeat_events",
    "columns",
    "template",
)

_METHOD = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # an RFC 9110 token
_TOML_AT_LINE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)\s*$")
_TABLE_HEADER = re.compile(r"\s*\[")


@dataclass(frozen=True)
class StreamSettings:
    """How an SSE request's stream behaves, and what the app measures on it.

    0 means "none" for the timeout, the size cap and the silence alarm. `latency_field` is the
    JSON path of the server's send time in each event's data; `assemble` the JSON path of an LLM
    stream's token text. Empty means not measured."""

    retry_policy: RetryPolicy = RetryPolicy.RESILIENT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES
    last_event_id: str = ""
    reconnect: bool = True
    latency_field: str = ""
    assemble: str = ""
    silence_alarm: float = DEFAULT_SILENCE_THRESHOLD
    # Rule 34: an event over max_event_bytes fails the stream, or (skip) is discarded and counted.
    oversize: OversizePolicy = OversizePolicy.FAIL
    # Event types that are heartbeats, not news (`event: ping`); empty means none.
    heartbeat_events: tuple[str, ...] = tuple(sorted(DEFAULT_HEARTBEAT_EVENTS))
    # How the log shows JSON data (core/columns.py): dotted paths as aligned columns, or a
    # display template ("{level} {service}: {msg}"); both empty: the raw text.
    columns: tuple[str, ...] = ()
    template: str = ""


@dataclass
class SavedRequest:
    """One request file. Storage functions never mutate one: they return an updated copy.

    `extra` holds every key this version does not know, so a newer streamdash's settings survive a
    save by an older one; unknown keys of `[stream]` sit in `extra["stream"]` (a dict).
    """

    name: str
    kind: Kind = "rest"
    method: str = "GET"
    url: str = ""
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: str | None = None
    description: str = ""
    stream: StreamSettings = field(default_factory=StreamSettings)
    extra: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    group: tuple[str, ...] = ()

    def same_content(self, other: SavedRequest) -> bool:
        """Equal as a file would store it: where it lives does not count."""
        return _content(self) == _content(other)


def _content(req: SavedRequest) -> tuple[Any, ...]:
    return (req.name, req.kind, req.method, req.url, req.query, req.headers, req.body,
            req.description, req.stream, req.extra)


@dataclass(frozen=True)
class LoadError:
    """A file that could not be used, said in one line: `path:line: message`."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {' '.join(self.message.split())}"


class CollectionError(ValueError):
    """Bad input or a refused write; `error` says where, `str()` says it in one line."""

    def __init__(self, error: LoadError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class Collection:
    """A folder of requests. `errors` lists the files that were skipped, and why."""

    root: Path
    name: str
    variables: dict[str, str] = field(default_factory=dict)
    requests: list[SavedRequest] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)

    def sort(self) -> None:
        """Groups first (root level before subfolders), then `order = N`, then names: a stable
        order for the tree and for `streamdash run`."""
        self.requests.sort(key=_request_order)


def order_of(req: SavedRequest) -> int | None:
    """The request's `order = N` (its place in its folder, as an imported tool ran them), or None."""
    order = req.extra.get("order")
    return order if isinstance(order, int) and not isinstance(order, bool) else None


def _request_order(req: SavedRequest) -> tuple[Any, ...]:
    # `order = N` first within its folder, then names.
    order = order_of(req)
    rank = math.inf if order is None else order
    return (tuple(part.casefold() for part in req.group), rank, req.name.casefold(), req.name,
            req.path.name if req.path else "")


# --- where in the text -------------------------------------------------------------------------


def find_key_line(text: str, key: str, table: str | None = None) -> int | None:
    """The 1-based line of `key = ...` (inside `[table]` if given), found by a cheap text scan.

    Good enough for messages: it misses dotted and inline-table keys, and then answers with the
    line of the table itself or None.
    """
    lines = text.splitlines()
    start, end = 0, len(lines)
    if table is not None:
        header = re.compile(rf"\s*\[\s*{_key_pattern(table)}\s*\]\s*(#.*)?$")
        found = next((i for i, line in enumerate(lines) if header.match(line)), None)
        if found is None:
            return find_key_line(text, table)
        start = found + 1
    end = next((i for i in range(start, len(lines)) if _TABLE_HEADER.match(lines[i])), end)
    pattern = re.compile(rf"\s*{_key_pattern(key)}\s*=")
    return next((i + 1 for i in range(start, end) if pattern.match(lines[i])), None)


def _key_pattern(key: str) -> str:
    quoted = re.escape(key)
    return rf"(?:{quoted}|\"{quoted}\"|'{quoted}')"


def toml_syntax_error(path: Path, exc: tomllib.TOMLDecodeError, text: str = "") -> LoadError:
    """tomllib puts the position in the message; move it where editors and terminals look."""
    message = str(exc)
    if match := _TOML_AT_LINE.search(message):
        reason = f"{message[: match.start()]} (column {match[2]})"
        return LoadError(path, int(match[1]), f"invalid TOML: {reason}")
    if match := _TOML_AT_END.search(message):
        return LoadError(path, max(1, len(text.splitlines())),
                         f"invalid TOML: {message[: match.start()]} at end of file")
    return LoadError(path, None, f"invalid TOML: {message}")


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CollectionError(toml_syntax_error(path, exc, text)) from None


# --- validation --------------------------------------------------------------------------------


class _Checker:
    """Turns a bad value into a CollectionError that names the key and, if cheap, its line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, key: str, message: str, table: str | None = None) -> NoReturn:
        label = f"{table}.{key}" if table else key
        line = find_key_line(self.text, key, table)
        raise CollectionError(LoadError(self.path, line, f"{label}: {message}"))

    def string(self, data: Mapping[str, Any], key: str, default: str, table: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            self.fail(key, f"must be a string, not {show(value)}", table)
        return value

    def pairs(self, data: Mapping[str, Any], key: str, repeat: bool = True) -> list[tuple[str, str]]:
        """A table of strings; with `repeat`, an array value repeats the key (`tag = ["a", "b"]`)."""
        table = data.get(key, {})
        if not isinstance(table, dict):
            self.fail(key, f"must be a table of strings, not {show(table)}")
        pairs: list[tuple[str, str]] = []
        for name, value in table.items():
            for item in value if repeat and isinstance(value, list) else [value]:
                text = scalar_text(item)
                if text is None:
                    self.fail(name, f"must be a string, not {show(item)}", key)
                pairs.append((name, text))
        return pairs


def scalar_text(value: Any) -> str | None:
    """Numbers and booleans as a person would type them in a URL or header; None if not a scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def show(value: Any) -> str:
    """A value in an error message: short, and in TOML's words for its type."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = f'"{value}"' if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def request_from_data(
    data: Mapping[str, Any], path: Path, text: str = "", group: tuple[str, ...] = ()
) -> SavedRequest:
    """Validate one parsed request file; raises CollectionError at the first bad value."""
    check = _Checker(path, text)
    name = check.string(data, "name", "") or path.stem

    kind = check.string(data, "kind", "rest").strip().lower()
    if kind not in KINDS:
        check.fail("kind", f'must be "rest" or "sse", not {show(data["kind"])}')

    method = check.string(data, "method", "GET").strip().upper()
    if not _METHOD.fullmatch(method):
        check.fail("method", f"must be an HTTP method such as GET or POST, not {show(data.get('method'))}")

    body = data.get("body")
    if body is not None and not isinstance(body, str):
        check.fail("body", f"must be a string, not {show(body)}")

    stream_data = data.get("stream", {})
    if not isinstance(stream_data, dict):
        check.fail("stream", f"must be a table, not {show(stream_data)}")
    for key in TIMEOUT_KEYS:  # kept in `extra`, as written; checked here like [stream]'s keys
        if key in data and (problem := timeout_problem(data[key])) is not None:
            check.fail(key, problem)
    order = data.get("order")
    if "order" in data and (isinstance(order, bool) or not isinstance(order, int) or order < 0):
        check.fail("order", f"must be a whole number >= 0 (its place in its folder), not {show(order)}")
    if "cookies" in data and not isinstance(data["cookies"], bool):  # see core/http/cookies.py
        check.fail("cookies", f"must be true or false, not {show(data['cookies'])}")
    extra = {key: value for key, value in data.items() if key not in REQUEST_KEYS}
    stream_extra = {key: value for key, value in stream_data.items() if key not in STREAM_KEYS}
    if stream_extra:
        extra["stream"] = stream_extra

    return SavedRequest(
        name=name,
        kind=kind,  # checked against KINDS above
        method=method,
        url=check.string(data, "url", ""),
        query=check.pairs(data, "query"),
        headers=check.pairs(data, "headers"),
        body=body,
        description=check.string(data, "description", ""),
        stream=_stream_settings(check, stream_data),
        extra=extra,
        path=path,
        group=group,
    )


def json_path_problem(path: str) -> str | None:
    """Why `path` is not a dotted JSON path (`meta.sent_at`, `choices.0.delta.content`); None
    when it is one, or empty."""
    if path and "" in path.split("."):
        return "must be a dotted JSON path such as meta.sent_at"
    return None


def _stream_settings(check: _Checker, data: Mapping[str, Any]) -> StreamSettings:
    defaults = StreamSettings()
    policies = " or ".join(f'"{policy.value}"' for policy in RetryPolicy)
    policy = check.string(data, "retry_policy", defaults.retry_policy.value, "stream").strip().lower()
    if policy not in {p.value for p in RetryPolicy}:
        check.fail("retry_policy", f"must be {policies}, not {show(data['retry_policy'])}", "stream")

    timeout = data.get("read_timeout", defaults.read_timeout)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not (
        math.isfinite(timeout) and timeout >= 0
    ):
        reason = f"must be a number of seconds >= 0 (0 = none), not {show(timeout)}"
        check.fail("read_timeout", reason, "stream")

    cap = data.get("max_event_bytes", defaults.max_event_bytes)
    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
        check.fail("max_event_bytes", f"must be a whole number >= 0 (0 = no cap), not {show(cap)}", "stream")

    last_id = check.string(data, "last_event_id", "", "stream")
    if any(char in last_id for char in "\r\n\0"):
        check.fail("last_event_id", "must not contain line breaks or NUL", "stream")

    reconnect = data.get("reconnect", defaults.reconnect)
    if not isinstance(reconnect, bool):
        check.fail("reconnect", f"must be true or false, not {show(reconnect)}", "stream")

    paths = {}
    for key in ("latency_field", "assemble"):
        path = check.string(data, key, "", "stream").strip()
        if (problem := json_path_problem(path)) is not None:
            check.fail(key, f"{problem}, not {show(data[key])}", "stream")
        paths[key] = path

    silence = data.get("silence_alarm", defaults.silence_alarm)
    if isinstance(silence, bool) or not isinstance(silence, int | float) or not (
        math.isfinite(silence) and silence >= 0
    ):
        reason = f"must be a number of seconds >= 0 (0 = off), not {show(silence)}"
        check.fail("silence_alarm", reason, "stream")

    oversize = check.string(data, "oversize", defaults.oversize.value, "stream").strip().lower()
    if oversize not in {p.value for p in OversizePolicy}:
        choices = " or ".join(f'"{p.value}"' for p in OversizePolicy)
        check.fail("oversize", f"must be {choices}, not {show(data['oversize'])}", "stream")

    beats = data.get("heartbeat_events", list(defaults.heartbeat_events))
    if not isinstance(beats, list) or not all(
        isinstance(name, str) and not any(char in name for char in "\r\n\0") for name in beats
    ):
        reason = f'must be a list of event types such as ["ping"] ([] = none), not {show(beats)}'
        check.fail("heartbeat_events", reason, "stream")

    columns = data.get("columns", [])
    if not isinstance(columns, list) or not all(
        isinstance(path, str) and path_problem(path.strip()) is None for path in columns
    ):
        reason = f'must be a list of dotted JSON paths such as ["level", "user.id"], not {show(columns)}'
        check.fail("columns", reason, "stream")
    template = check.string(data, "template", "", "stream")
    if (problem := template_problem(template)) is not None:
        check.fail("template", problem, "stream")

    return StreamSettings(
        RetryPolicy(policy),
        float(timeout),
        cap,
        last_id,
        reconnect,
        paths["latency_field"],
        paths["assemble"],
        float(silence),
        oversize=OversizePolicy(oversize),
        heartbeat_events=tuple(dict.fromkeys(beats)),
        columns=tuple(dict.fromkeys(path.strip() for path in columns)),
        template=template,
    )


def collection_meta_from_data(
    data: Mapping[str, Any], path: Path, text: str = ""
) -> tuple[str | None, dict[str, str]]:
    """`collection.toml`: the display name (None if unset) and the default variables."""
    check = _Checker(path, text)
    name = check.string(data, "name", "") or None
    return name, dict(check.pairs(data, "variables", repeat=False))
