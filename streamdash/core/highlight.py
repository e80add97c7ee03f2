"""Where a compiled filter matches inside one rendered log line: the spans the log highlights.

Run at render time for the few visible lines only, never over the buffer, so it may be plain and
slow-ish. It reads the compiled terms of an `EventFilter` (it does not change core/filter.py) and
follows the filter's case rules: text terms and `~` ignore case, regexes keep their own flags,
`type:`/`stream:`/`id:` names and `=` values are exact. Negated terms and inverted filters match
by an absence, so they highlight nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from streamdash.core.filter import EventFilter, _Contains, _Field, _OneOf, _Regex, _Term

__all__ = ["Span", "match_spans"]

Span = tuple[int, int]  # [start, end) offsets into the line


def _exact(needle: str, *, ignore_case: bool = False, word: bool = False) -> re.Pattern[str]:
    body = re.escape(needle)
    if word:  # a name must not light up inside a longer name ("error" in "errors")
        body = rf"(?<![\w.-]){body}(?![\w.-])"
    return re.compile(body, re.IGNORECASE if ignore_case else 0)


def _patterns(term: _Term) -> Iterable[re.Pattern[str]]:
    if isinstance(term, _Contains):
        yield _exact(term.needle, ignore_case=True)
    elif isinstance(term, _Regex):
        yield term.pattern
    elif isinstance(term, _OneOf):
        for name in sorted(term.names):
            if name:
                yield _exact(name, word=True)
    elif isinstance(term, _Field):
        keys = [key for key, index in term.path if index is None]
        if keys:
            yield _exact(keys[-1], word=True)
        if term.op == "~" and term.literal:
            yield _exact(term.literal, ignore_case=True)
        elif term.op == "=" and term.literal:
            yield _exact(term.literal, word=True)


def _terms(event_filter: EventFilter) -> list[_Term]:
    if event_filter.invert:
        return []
    groups: list[list[_Term]] = event_filter._groups  # read-only use
    return [term for group in groups for term in group if not term.negated]


def match_spans(event_filter: EventFilter | None, line: str, data_at: int = 0) -> list[Span]:
    """Sorted, non-overlapping, non-empty spans of `line` that the filter's terms match.

    `data_at` is where the data column starts: `type:`/`stream:`/`id:` names are looked for
    before it (in their columns), the data's terms from it on ("type:price" does not light a
    "price" key). 0: the whole line is searched for every term."""
    if event_filter is None or not line:
        return []
    found: list[Span] = []
    for term in _terms(event_filter):
        columns = isinstance(term, _OneOf)
        start, end = (0, data_at or len(line)) if columns else (data_at, len(line))
        for pattern in _patterns(term):
            found.extend(m.span() for m in pattern.finditer(line, start, end) if m.end() > m.start())
    if not found:
        return []
    found.sort()
    merged = [found[0]]
    for start, end in found[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    return merged
