"""The event-log filter: one line the user types, compiled once, run over the whole buffer.

The log re-runs the filter over every retained entry (up to 100,000) as the user types, so the
compiled form does its work in bulk (`EventFilter.apply`): cheap terms run first and shrink the
list the JSON terms see, and JSON terms skip parsing whenever a substring check proves the answer
or a `FieldCache` already holds the field's value from an earlier keystroke.

Syntax reference (terms are separated by spaces and must all match):

| Term                          | Matches an event when                                      |
|-------------------------------|------------------------------------------------------------|
| `word`  `"a phrase"`          | the data contains it, ignoring case                        |
| `/regex/`  `/regex/i`         | the regex matches somewhere in the data (`i`: any case)    |
| `type:price,error` (`event:`) | the event type is one of these (exact)                     |
| `stream:ticker,logs`          | the stream name is one of these (exact)                    |
| `id:42`                       | the event id is one of these (exact; `id:""`: no id)       |
| `level=error`  `name!=bob`    | the JSON field equals / differs from the value             |
| `price>100` `>=` `<` `<=`     | the JSON field compares so with the value                  |
| `msg~timeout`  `msg!~timeout` | the JSON field's text contains / lacks the value, any case |
| `user.id=42`  `items.0.id=7`  | a dotted path into nested objects; a number indexes a list |
| `-term`  `!term`              | the term does not match                                    |
| `a b or c`                    | (a and b) or c: `or` binds looser than the spaces          |
| (nothing)                     | everything                                                 |

JSON fields: the data is parsed as JSON and the dotted path looked up. A missing field, an object
or array at the path, or data that is not JSON never matches, whatever the operator (so
`name!=bob` needs a `name`, while `-name=bob` also keeps events without one).

- A value that reads as a number (`42`, `-1.5`, `1e3`) compares numerically with a JSON number
  or a numeric string: `user.id=42` matches 42, 42.0 and "42". `<` `<=` `>` `>=` then match
  numbers only ("cheap" is not `>100`); `!=` holds for any field that is not that number.
- Any other value, or a quoted one (`zip="01234"`), compares as text, case-sensitively, by code
  point (ISO timestamps order correctly: `ts>2026-11-24T22:00`). JSON true, false and null read
  as the words `true`, `false`, `null`, so `ok=true` matches true and "true"; numbers read as
  Python writes them (42, 0.5).
- `~` and `!~` look for the value in the field's text ignoring case (`code~23` matches 1234).

Quoting: `"..."` keeps spaces and operator characters literal (`\\"` and `\\\\` inside), and
can be glued to a word (`msg~"connection reset"`, `stream:"my stream"`). A bare word containing
one of `= ! < > ~` is a field test: quote it to search for it as text; likewise a word starting
with `-`, `!` or `/`, and the word `or`. `=` may be written `==`. Errors (`FilterError`) name
the column: "unclosed regex at column 5".
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from streamdash.core.buffer import DATA, DEFAULT_BUFFER_SIZE, ID, STREAM, TYPE, LogEntry
from streamdash.core.jsondoc import (
    ABSENT,
    CONTAINER,
    FAST_ERRORS,
    INT_RANGE,
    JSON_ERRORS,
    Sentinel,
    fast_loads,
    parse_json,
    stdlib_document,
)

__all__ = ["ABSENT", "EventFilter", "FieldCache", "FilterError", "compile_filter", "parse_json", "rename_stream"]


class FilterError(ValueError):
    """An expression that cannot be compiled. `position` is a 0-based offset into the text; the
    message names the 1-based column, which is what a person counts."""

    def __init__(self, reason: str, position: int, hint: str = "") -> None:
        super().__init__(f"{reason} at column {position + 1}" + (f"; {hint}" if hint else ""))
        self.reason = reason
        self.position = position


# --------------------------------------------------------------------------------------------
# JSON values and comparisons


_UNCACHED = Sentinel("UNCACHED")

# Deliberately ASCII digits only: `\d` would accept other scripts' digits, which int() takes.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_is_number = _NUMBER.fullmatch


def _to_number(text: str) -> int | float:
    """Ints stay ints so big ids compare exactly (Python compares int with float exactly)."""
    if "." in text or "e" in text or "E" in text:
        return float(text)
    try:
        return int(text)
    except ValueError:  # more digits than int() will convert
        return float(text)


Path = tuple[tuple[str, int | None], ...]  # (key, list index if the segment is all digits)


def lookup(value: Any, path: Path) -> Any:
    """The value at `path`, ABSENT if any step is missing, CONTAINER for an object or array."""
    for key, index in path:
        kind = type(value)
        if kind is dict:
            value = value.get(key, ABSENT)
            if value is ABSENT:
                return ABSENT
        elif kind is list and index is not None and index < len(value):
            value = value[index]
        else:
            return ABSENT
    kind = type(value)
    return CONTAINER if kind is dict or kind is list else value


def field_text(value: Any) -> str | None:
    """How a JSON scalar reads as text; None for what never compares."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]  # a str: the checker cannot narrow by `kind`
    if kind is bool:
        return "true" if value else "false"
    if value is None:
        return "null"
    if kind is int:
        return str(value)
    if kind is float:
        if math.isfinite(value):
            return repr(value)
        # JSON's own spelling, which is also what appears in the data: pre-checks rely on it.
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    return None


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_OPERATORS = {**{op: op for op in (*_ORDER, "~", "!~")}, "==": "="}
_OPERATOR_CHARS = frozenset("=!<>~")


def make_predicate(op: str, literal: str, as_text: bool = False) -> Callable[[Any], bool]:
    """The test one looked-up value must pass, with the literal's reading decided once."""
    if op in ("~", "!~"):
        needle = literal.casefold()
        want = op == "~"

        def contains(value: Any) -> bool:
            text = field_text(value)
            return text is not None and (needle in text.casefold()) is want

        return contains
    compare = _ORDER[op]
    number = _to_number(literal) if not as_text and _is_number(literal) else None

    def test(value: Any) -> bool:
        kind = type(value)
        if number is not None:
            if kind is float or kind is int:
                return compare(value, number)
            if kind is str and _is_number(value):
                return compare(_to_number(value), number)
            # Not a number: never equal, so only `!=` holds ("cheap" is not > 100).
            return op == "!=" and field_text(value) is not None
        text = field_text(value)
        return text is not None and compare(text, literal)

    return test


# Every character that can occur in field_text() of a number: a `~` needle with any other
# character can only be found in strings and true/false/null, which appear verbatim in the data.
_NUMBER_TEXT_CHARS = frozenset("0123456789.+-e" + "nanifty")
_KEYWORDS = frozenset({"true", "false", "null", "NaN", "Infinity", "-Infinity"})


# --------------------------------------------------------------------------------------------
# The field cache


class FieldCache:
    """Looked-up field values of recent paths, keyed by the data string itself.

    Keyed by data rather than by seq, a hit is always right (a value is a function of the data
    alone), whichever buffer the entry came from, and equal payloads share one value. Only the
    `paths` most recently used paths are kept. Each holds at most 1.5 x `entries` values; past
    that it keeps the newest `entries` (give it the buffer size): entries arrive in order, so
    what goes is what the ring buffer has already let go. About 3-12 MB per path at 100,000
    entries, depending on how big the values are (numbers, or long strings such as timestamps).
    """

    def __init__(self, paths: int = 4, entries: int = DEFAULT_BUFFER_SIZE) -> None:
        self.paths = paths
        self.entries = entries
        self._values: OrderedDict[Path, dict[str, Any]] = OrderedDict()

    def values(self, path: Path) -> dict[str, Any] | None:
        """The store for `path` (now the most recent), or None when caching is off."""
        if self.paths < 1:
            return None
        store = self._values.get(path)
        if store is None:
            store = self._values[path] = {}
            while len(self._values) > self.paths:
                self._values.popitem(last=False)
        else:
            self._values.move_to_end(path)
        return store

    def trim(self, path: Path) -> None:
        """Trimming only now and then (at 1.5 x) keeps its cost off most keystrokes."""
        store = self._values.get(path)
        if store is not None and len(store) > self.entries * 3 // 2:
            self._values[path] = dict(islice(store.items(), len(store) - self.entries, None))

    def clear(self) -> None:
        self._values.clear()

    def __len__(self) -> int:
        return sum(map(len, self._values.values()))


FIELD_CACHE = FieldCache()
"""Shared by every compiled filter, so the next keystroke's filter finds this one's work."""


# --------------------------------------------------------------------------------------------
# Terms


class _Term:
    """One test. `select` is the bulk path the UI uses; `test` the plain one (no shortcuts)."""

    negated: bool = False
    cost: int = 0  # cheapest first: each term shrinks what the next one sees

    def test(self, entry: LogEntry) -> bool:
        raise NotImplementedError

    def select(self, entries: list[LogEntry]) -> list[LogEntry]:
        """The entries for which `test` != `negated`."""
        test, negated = self.test, self.negated
        return [e for e in entries if test(e) is not negated]


@dataclass(eq=False)
class _Contains(_Term):
    needle: str  # casefolded: casefold works per character, so it is safe on substrings
    negated: bool = False
    cost: int = 2

    def test(self, entry: LogEntry) -> bool:
        return self.needle in entry[DATA].casefold()

    def select(self, entries: list[LogEntry]) -> list[LogEntry]:
        needle = self.needle
        if self.negated:
            return [e for e in entries if needle not in e[DATA].casefold()]
        return [e for e in entries if needle in e[DATA].casefold()]


@dataclass(eq=False)
class _Regex(_Term):
    pattern: re.Pattern[str]
    negated: bool = False
    cost: int = 3

    def test(self, entry: LogEntry) -> bool:
        return self.pattern.search(entry[DATA]) is not None

    def select(self, entries: list[LogEntry]) -> list[LogEntry]:
        search = self.pattern.search
        if self.negated:
            return [e for e in entries if not search(e[DATA])]
        return [e for e in entries if search(e[DATA])]


@dataclass(eq=False)
class _OneOf(_Term):
    """`type:`, `stream:` or `id:`: an exact match against a set of names."""

    attribute: str  # "type", "stream" or "id"
    names: frozenset[str]
    negated: bool = False
    cost: int = 1

    def _get(self, entry: LogEntry) -> str:
        if self.attribute == "stream":
            return entry[STREAM]
        return entry[TYPE] if self.attribute == "type" else entry[ID]

    def test(self, entry: LogEntry) -> bool:
        return self._get(entry) in self.names

    def select(self, entries: list[LogEntry]) -> list[LogEntry]:
        names, keep = self.names, not self.negated
        if self.attribute == "stream":
            return [e for e in entries if (e[STREAM] in names) is keep]
        if self.attribute == "type":
            return [e for e in entries if (e[TYPE] in names) is keep]
        return [e for e in entries if (e[ID] in names) is keep]


@dataclass(eq=False)
class _Field(_Term):
    path: Path
    op: str
    literal: str
    as_text: bool  # the value was quoted
    cache: FieldCache
    negated: bool = False
    cost: int = 4

    def __post_init__(self) -> None:
        self.predicate = make_predicate(self.op, self.literal, self.as_text)
        # For the inlined fast case in `select`: a JSON number against a numeric literal.
        numeric = self.op in _ORDER and not self.as_text and _is_number(self.literal)
        self.number = _to_number(self.literal) if numeric else None
        # Substring checks valid on data without a backslash, where every string (key or value)
        # appears verbatim. A failed check proves the term false; a passed one proves nothing.
        keys = [key for key, index in self.path if index is None]
        self.key_check = f'"{keys[-1]}"' if keys else None
        self.value_check: str | None = None
        self.value_check_folded = False
        literal = self.literal
        if self.op == "=" and not _is_number(literal):
            # Equal text: a string shows as "literal", true/false/null and NaN/Infinity bare.
            self.value_check = literal if literal in _KEYWORDS else f'"{literal}"'
        elif self.op == "~" and not set(literal.casefold()) <= _NUMBER_TEXT_CHARS:
            self.value_check = literal.casefold()
            self.value_check_folded = True
        if self.value_check is not None:
            self.cost = 3

    def test(self, entry: LogEntry) -> bool:
        """The reference: json.loads every time, no shortcuts."""
        try:
            document = json.loads(entry[DATA])
        except JSON_ERRORS:
            return False
        return self.predicate(lookup(document, self.path))

    def select(self, entries: list[LogEntry]) -> list[LogEntry]:
        store = self.cache.values(self.path)
        if store is None:
            store = {}
        get, loads = store.get, fast_loads
        predicate, compare, number = self.predicate, _ORDER.get(self.op), self.number
        literal = self.literal
        text_compare = compare if compare is not None and number is None else None
        needle = literal.casefold() if self.op in ("~", "!~") else None
        want = self.op == "~"
        path = self.path
        single = path[0][0] if len(path) == 1 and path[0][1] is None else None
        key_check, value_check = self.key_check, self.value_check
        folded = self.value_check_folded
        keep = not self.negated
        kept: list[LogEntry] = []
        append = kept.append
        # One loop with everything inlined: at 100,000 entries each function call costs ~10 ms.
        # With nothing cached for the path yet, skip the lookups: every one would miss.
        warm = bool(store)
        value: Any  # a JSON value, or one of the sentinels (a bare annotation: no runtime cost)
        for entry in entries:
            data = entry[DATA]
            value = get(data, _UNCACHED) if warm else _UNCACHED
            if value is _UNCACHED:
                if "\\" not in data and (
                    (key_check is not None and key_check not in data)
                    or (
                        value_check is not None
                        and value_check not in (data.casefold() if folded else data)
                    )
                ):
                    if not keep:
                        append(entry)
                    continue
                try:
                    document = loads(data)
                except FAST_ERRORS:  # what orjson refuses: NaN, lone surrogates, not JSON
                    document = stdlib_document(data)
                if single is None:
                    value = lookup(document, path)
                else:
                    value = document.get(single, ABSENT) if type(document) is dict else ABSENT
                    kind = type(value)
                    if kind is dict or kind is list:
                        value = CONTAINER
                if type(value) is float and not -INT_RANGE <= value < INT_RANGE:
                    value = lookup(stdlib_document(data), path)  # maybe an int past 64 bits
                store[data] = value
            # The common cases inline; `predicate` (the same rules) takes the rest.
            kind = type(value)
            if kind is str and text_compare is not None:
                hit = text_compare(value, literal)
            elif kind is str and needle is not None:
                hit = (needle in value.casefold()) is want
            elif number is not None and (kind is float or kind is int):
                hit = compare(value, number)  # type: ignore[misc]
            else:
                hit = predicate(value)
            if hit is keep:
                append(entry)
        self.cache.trim(path)
        return kept


# --------------------------------------------------------------------------------------------
# Parsing


@dataclass(frozen=True, slots=True)
class _Part:
    text: str
    quoted: bool
    start: int  # offset in the expression of the part's first character (after a quote)


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """The phrase opening at `start` (a quote) and the offset just past its closing quote."""
    out: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in '"\\':
            out.append(text[i + 1])
            i += 2
        elif char == '"':
            return "".join(out), i + 1
        else:
            out.append(char)
            i += 1
    raise FilterError("unclosed quote", start)


def _read_regex(text: str, start: int) -> tuple[re.Pattern[str], int]:
    """The regex opening at `start` (a slash), its flags, and the offset just past them."""
    out: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n:
            # `\/` is a slash in the pattern; every other escape is the regex's own business.
            out.append("/" if text[i + 1] == "/" else text[i : i + 2])
            i += 2
        elif char == "/":
            break
        else:
            out.append(char)
            i += 1
    else:
        raise FilterError("unclosed regex", start)
    source = "".join(out)
    typed = text[start : i + 1]
    i += 1
    flags = 0
    while i < n and not text[i].isspace():
        if text[i] != "i":
            raise FilterError(f"unknown regex flag {text[i]!r} after {typed} (only i)", i)
        flags = re.IGNORECASE
        i += 1
    try:
        return re.compile(source, flags), i
    except re.error as exc:
        reason = exc.msg if isinstance(exc.msg, str) else str(exc)
        raise FilterError(f"bad regex {typed}: {reason}", start + 1 + (exc.pos or 0)) from None
    except (OverflowError, RecursionError, ValueError) as exc:
        raise FilterError(f"bad regex {typed}: {exc}", start + 1) from None


def _read_word(text: str, start: int) -> tuple[list[_Part], int]:
    """Unquoted runs and quoted phrases glued together, up to the next space."""
    parts: list[_Part] = []
    i, n = start, len(text)
    while i < n and not text[i].isspace():
        if text[i] == '"':
            phrase, end = _read_quoted(text, i)
            parts.append(_Part(phrase, True, i + 1))
            i = end
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] != '"':
                j += 1
            parts.append(_Part(text[i:j], False, i))
            i = j
    return parts, i


_QUOTE_HINT = "quote the word to search for it as text"
_KEYED = re.compile(r"(type|event|stream|id):", re.IGNORECASE)
_ATTRIBUTE = {"type": "type", "event": "type", "stream": "stream", "id": "id"}


def _split_unquoted(parts: list[_Part], separator: str) -> list[tuple[list[_Part], int]]:
    """Split on `separator` outside quotes; each piece keeps its parts and its start offset."""
    pieces: list[tuple[list[_Part], int]] = []
    current: list[_Part] = []
    current_start = parts[0].start if parts else 0
    for part in parts:
        if part.quoted:
            current.append(part)
            continue
        offset = part.start
        for k, chunk in enumerate(part.text.split(separator)):
            if k:
                pieces.append((current, current_start))
                current, current_start = [], offset
            if chunk:
                current.append(_Part(chunk, False, offset))
            offset += len(chunk) + len(separator)
    pieces.append((current, current_start))
    return pieces


def _joined(parts: list[_Part]) -> str:
    return "".join(part.text for part in parts)


def _keyed_term(key: str, parts: list[_Part], at: int, negated: bool) -> _Term:
    names = frozenset(_joined(piece) for piece, _ in _split_unquoted(parts, ",") if piece)
    if not names:
        raise FilterError(f"missing value after '{key}:'", at)
    return _OneOf(_ATTRIBUTE[key.lower()], names, negated)


def _field_term(
    parts: list[_Part], index: int, cut: int, token_start: int, negated: bool, cache: FieldCache
) -> _Term:
    """A field test whose operator starts at character `cut` of unquoted part `index`."""
    part = parts[index]
    run_end = cut
    while run_end < len(part.text) and part.text[run_end] in _OPERATOR_CHARS:
        run_end += 1
    typed_op = part.text[cut:run_end]
    op_at = part.start + cut
    op = _OPERATORS.get(typed_op)
    if op is None:
        raise FilterError(f"unknown operator {typed_op!r}", op_at, _QUOTE_HINT)
    path_parts = parts[:index] + ([_Part(part.text[:cut], False, part.start)] if cut else [])
    if not _joined(path_parts):
        raise FilterError(f"missing field name before {typed_op!r}", token_start, _QUOTE_HINT)
    path: list[tuple[str, int | None]] = []
    for piece, piece_start in _split_unquoted(path_parts, "."):
        key = _joined(piece)
        if not piece:
            raise FilterError("empty segment in field path", piece_start)
        digits = key.isascii() and key.isdigit() and not any(p.quoted for p in piece)
        path.append((key, int(key) if digits else None))
    rest = part.text[run_end:]
    value_parts = ([_Part(rest, False, part.start + run_end)] if rest else []) + parts[index + 1 :]
    if not value_parts:
        raise FilterError(f"missing value after {typed_op!r}", part.start + run_end)
    as_text = any(p.quoted for p in value_parts)
    return _Field(tuple(path), op, _joined(value_parts), as_text, cache, negated)


def _word_term(parts: list[_Part], token_start: int, negated: bool, cache: FieldCache) -> _Term:
    first = parts[0]
    if not first.quoted and (keyed := _KEYED.match(first.text)):
        rest = first.text[keyed.end() :]
        tail = ([_Part(rest, False, first.start + keyed.end())] if rest else []) + parts[1:]
        return _keyed_term(keyed.group(1), tail, first.start + keyed.end(), negated)
    for index, part in enumerate(parts):
        if part.quoted:
            continue
        for cut, char in enumerate(part.text):
            if char in _OPERATOR_CHARS:
                return _field_term(parts, index, cut, token_start, negated, cache)
    return _Contains(_joined(parts).casefold(), negated)


def _parse(text: str, cache: FieldCache) -> list[list[_Term]]:
    """The expression as OR-ed groups of AND-ed terms."""
    groups: list[list[_Term]] = [[]]
    pending_or: int | None = None
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        negated = False
        while i < n and text[i] in "-!":
            negated = not negated
            i += 1
        if i == n or text[i].isspace():
            raise FilterError(f"nothing to negate after {text[start:i]!r}", start)
        term: _Term
        word_start = i
        if text[i] == "/":
            pattern, i = _read_regex(text, i)
            term = _Regex(pattern, negated)
        else:
            parts, i = _read_word(text, i)
            if i == start + 2 and text[start:i].lower() == "or":
                if not groups[-1]:
                    raise FilterError("'or' needs a term before it", start)
                groups.append([])
                pending_or = start
                continue
            term = _word_term(parts, word_start, negated, cache)
        groups[-1].append(term)
        pending_or = None
    if pending_or is not None:
        raise FilterError("'or' needs a term after it", pending_or)
    return [sorted(group, key=lambda term: term.cost) for group in groups if group]


# --------------------------------------------------------------------------------------------
# The compiled filter


def _without(entries: list[LogEntry], subsequence: list[LogEntry]) -> list[LogEntry]:
    """`entries` less `subsequence` (which `select` drew from it, order kept), by identity:
    one walk, and no need for entries to be hashable or their seqs unique."""
    if not subsequence:
        return entries
    kept: list[LogEntry] = []
    append = kept.append
    taken = iter(subsequence)
    next_taken: LogEntry | None = next(taken)
    for entry in entries:
        if entry is next_taken:
            next_taken = next(taken, None)
        else:
            append(entry)
    return kept


class EventFilter:
    """A compiled expression. Build it with `compile_filter`."""

    def __init__(self, text: str, groups: list[list[_Term]], invert: bool) -> None:
        self.text = text
        self.invert = invert
        self._groups = groups

    @property
    def is_empty(self) -> bool:
        """No expression: everything matches, inverted or not (invert turns a filter around,
        and there is none to turn)."""
        return not self._groups

    def matches(self, entry: LogEntry) -> bool:
        """One entry, the plain way (a JSON term parses the data every time)."""
        if not self._groups:
            return True
        hit = any(
            all(term.test(entry) is not term.negated for term in group) for group in self._groups
        )
        return hit is not self.invert

    def apply(self, entries: Iterable[LogEntry]) -> list[LogEntry]:
        """The entries that match, in order: the bulk path, same answers as `matches`."""
        items = entries if isinstance(entries, list) else list(entries)
        groups = self._groups
        if not groups:
            return list(items)
        if len(groups) == 1 and not self.invert:
            return self._run(groups[0], items)
        # Each group only looks at what the groups before it left over.
        remaining = items
        for group in groups:
            remaining = _without(remaining, self._run(group, remaining))
            if not remaining:
                break
        if self.invert or not remaining:
            # Both may still be the caller's own list: hand back a copy, as the other paths do.
            return list(remaining) if self.invert else list(items)
        return _without(items, remaining)

    @staticmethod
    def _run(group: list[_Term], items: list[LogEntry]) -> list[LogEntry]:
        for term in group:
            if not items:
                return []
            items = term.select(items)
        return items

    def __repr__(self) -> str:
        return f"EventFilter({self.text!r}, invert={self.invert})"


def compile_filter(
    text: str, *, invert: bool = False, cache: FieldCache | None = None
) -> EventFilter:
    """Compile `text`; raises FilterError (one line, with the column) if it is not valid.

    `cache` holds JSON field values between compiles; the default is shared by all filters.
    """
    return EventFilter(text, _parse(text, FIELD_CACHE if cache is None else cache), invert)


_STREAM_TERM = re.compile(r'(?<!\S)(-?stream:)([^\s"]+)(?!\S)')
_PLAIN_NAME = re.compile(r'[^\s",()]+')


def rename_stream(text: str, old: str, new: str) -> str:
    """The expression with `stream:` names equal to `old` made `new` (a renamed stream stays in
    the filter that named it). Unquoted name lists only; a quoted `stream:"..."` is left as
    written, and a new name that would need quotes is quoted when it stands alone."""

    def renamed(match: re.Match[str]) -> str:
        names = match.group(2).split(",")
        if old not in names:
            return match.group(0)
        names = [new if name == old else name for name in names]
        if all(_PLAIN_NAME.fullmatch(name) for name in names):
            return match.group(1) + ",".join(names)
        if len(names) == 1:
            return match.group(1) + '"' + new.replace('"', '\\"') + '"'
        return match.group(0)  # a list with a name that needs quotes: left for the person

    return _STREAM_TERM.sub(renamed, text)
