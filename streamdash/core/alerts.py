"""Alerts: saved filters that call for attention, read from `alerts.toml` in a collection.

    [[alert]]
    name = "errors"                # required, unique in the file
    filter = "level=error"         # the event log's filter syntax (streamdash.core.filter)
    bell = true                    # ring the terminal bell (default true)
    command = ["notify-send", "streamdash"]   # optional: run with the event on stdin
    quiet = 30                     # seconds without a match that end a burst (default 30)

A stream in trouble sends errors by the hundred: an alert fires once per burst (its first match),
and a new burst starts only after `quiet` seconds without a match, so a person gets one
notification, not a wall of them. The loader never raises: a bad entry is one `LoadError` (file,
line of its `[[alert]]`, reason) and the good entries still load. Running the command and ringing
the bell belong to whoever shows the firing (the app); this module decides when.
"""

from __future__ import annotations

import json
import math
import re
import shlex
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import tomli_w

from streamdash.core.buffer import DATA, ID, RECEIVED_AT, STREAM, TYPE, LogEntry
from streamdash.core.collections.models import CollectionError, LoadError, toml_syntax_error
from streamdash.core.collections.storage import ALERTS_FILE, atomic_write, read_text_file
from streamdash.core.filter import FieldCache, FilterError, compile_filter

__all__ = [
    "ALERTS_FILE",
    "DEFAULT_QUIET",
    "Alert",
    "AlertRule",
    "Alerts",
    "Firing",
    "command_input",
    "load_alerts",
    "save_alerts",
]

DEFAULT_QUIET = 30.0
_KEYS = frozenset({"name", "filter", "bell", "command", "quiet"})
_ALERT_HEADER = re.compile(r"\s*\[\[\s*(alert|\"alert\"|'alert')\s*\]\]\s*(#.*)?$")


@dataclass(frozen=True, slots=True)
class AlertRule:
    """One `[[alert]]` entry as written; `filter` is the expression text (known to compile)."""

    name: str
    filter: str
    bell: bool = True
    command: tuple[str, ...] = ()
    quiet: float = DEFAULT_QUIET


class Alerts(NamedTuple):
    rules: tuple[AlertRule, ...]
    errors: tuple[LoadError, ...]


class Firing(NamedTuple):
    """A burst began: the alert, its first matching event, and how many matched in that batch."""

    rule: AlertRule
    entry: LogEntry
    matches: int


class Alert:
    """An armed rule: `offer` each batch of new entries; it answers a `Firing` at the first match
    of a burst, else None. Time is passed in (`now`), so the debounce is a pure function of the
    calls. It keeps two numbers, never the events."""

    def __init__(self, rule: AlertRule) -> None:
        self.rule = rule
        # No field cache: every event is new to an alert, so caching values by data would only
        # grow with the stream (and evict the log filter's paths from the shared cache).
        self._cache = FieldCache(paths=0)
        self._filter = compile_filter(rule.filter, cache=self._cache)
        self._last_match: float | None = None
        self.burst_matches = 0

    @property
    def cache_size(self) -> int:
        return len(self._cache)

    def offer(self, entries: list[LogEntry], now: float) -> Firing | None:
        if not entries:
            return None
        matched = self._filter.apply(entries)
        if not matched:
            return None
        last, self._last_match = self._last_match, now
        if last is not None and now - last < self.rule.quiet:
            self.burst_matches += len(matched)
            return None
        self.burst_matches = len(matched)
        return Firing(self.rule, matched[0], len(matched))


def command_input(entry: LogEntry) -> bytes:
    """What an alert's command reads on stdin: the event as one JSON line (its data, line
    breaks included, is a JSON string, so the line is always one line)."""
    record = {
        "stream": entry[STREAM],
        "event": entry[TYPE],
        "id": entry[ID],
        "data": entry[DATA],
        "t": entry[RECEIVED_AT],
    }
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8", "surrogateescape")


# --- loading -----------------------------------------------------------------------------------


def load_alerts(root: Path) -> Alerts:
    """The alerts of the collection at `root`; no file means none. Never raises."""
    path = root / ALERTS_FILE
    if not path.exists():
        return Alerts((), ())
    try:
        text = read_text_file(path)  # regular file, size cap, UTF-8: one-line refusals
    except CollectionError as exc:
        return Alerts((), (exc.error,))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Alerts((), (toml_syntax_error(path, exc, text),))
    errors = [
        LoadError(path, None, f"unknown key {key!r} (expected [[alert]] tables)")
        for key in data
        if key != "alert"
    ]
    entries = data.get("alert", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        errors.append(LoadError(path, None, "alert: must be a list of [[alert]] tables"))
        return Alerts((), tuple(errors))
    lines = _header_lines(text)
    rules: list[AlertRule] = []
    names: set[str] = set()
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else None
        try:
            rule = _rule(entry, index + 1, names)
        except ValueError as exc:
            errors.append(LoadError(path, line, str(exc)))
            continue
        names.add(rule.name)
        rules.append(rule)
    return Alerts(tuple(rules), tuple(errors))


def save_alerts(root: Path, rules: Iterable[AlertRule]) -> Path:
    """Write the rules to `alerts.toml` atomically (the old file or the new, never half of one).

    Each rule goes through the loader's own checks first, so what is saved always loads; a rule
    that fails them raises CollectionError (one line) and the file is left as it was."""
    path = root / ALERTS_FILE
    tables: list[dict[str, Any]] = []
    names: set[str] = set()
    for number, rule in enumerate(rules, 1):
        table: dict[str, Any] = {"name": rule.name, "filter": rule.filter, "bell": rule.bell}
        if rule.command:
            table["command"] = list(rule.command)
        table["quiet"] = rule.quiet
        try:
            _rule(table, number, names)
        except ValueError as exc:
            raise CollectionError(LoadError(path, None, str(exc))) from None
        names.add(rule.name)
        tables.append(table)
    text = tomli_w.dumps({"alert": tables}) if tables else "# streamdash alerts: [[alert]] tables\n"
    try:
        atomic_write(path, text)
    except OSError as exc:
        raise CollectionError(LoadError(path, None, f"cannot write: {exc.strerror or exc}")) from None
    return path


def _header_lines(text: str) -> list[int]:
    """The 1-based line of each `[[alert]]` header, in order (entries are read in that order)."""
    return [n for n, line in enumerate(text.splitlines(), 1) if _ALERT_HEADER.match(line)]


def _rule(entry: dict[str, Any], number: int, names: set[str]) -> AlertRule:
    """One entry checked; the first problem raises ValueError("alert 'name': key: reason")."""
    name = entry.get("name")
    label = f"alert {name!r}" if isinstance(name, str) and name.strip() else f"alert {number}"

    def fail(message: str) -> ValueError:
        return ValueError(f"{label}: {message}")

    if not isinstance(name, str) or not name.strip():
        raise fail("name: missing (a short text)")
    if name in names:
        raise fail(f"name: another alert is already named {name!r}")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}")
    expression = entry.get("filter")
    if not isinstance(expression, str) or not expression.strip():
        raise fail("filter: missing (an expression, as typed after / in the log)")
    try:
        compile_filter(expression, cache=FieldCache(paths=0))
    except FilterError as exc:
        raise fail(f"filter: {exc}") from None
    bell = entry.get("bell", True)
    if not isinstance(bell, bool):
        raise fail(f"bell: must be true or false, not {bell!r}")
    quiet = entry.get("quiet", DEFAULT_QUIET)
    if isinstance(quiet, bool) or not isinstance(quiet, int | float) or not (
        math.isfinite(quiet) and quiet >= 0
    ):
        raise fail(f"quiet: must be a number of seconds >= 0, not {quiet!r}")
    return AlertRule(name, expression, bell, _command(entry.get("command", ()), fail), float(quiet))


def _command(value: Any, fail: Any) -> tuple[str, ...]:
    """A list of arguments as written, or a text split as a shell would (without running one)."""
    if isinstance(value, str):
        try:
            return tuple(shlex.split(value))
        except ValueError as exc:
            raise fail(f"command: {exc}") from None
    if isinstance(value, list | tuple) and all(isinstance(part, str) for part in value):
        return tuple(value)
    raise fail("command: must be a text or a list of texts")
