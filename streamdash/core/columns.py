"""A stream's JSON data shown as aligned columns (`[stream] columns`) or through a display
template (`[stream] template = "{level} {service}: {msg}"`), instead of the raw text.

Built for the log's hot path (every new event, up to 50k/s): the paths and the template are
split once, when the layout is made; the data is parsed at most once per entry, and only when
it can be a JSON object (`{` first), so plain text costs one character test. Data that is not a
JSON object shows unchanged: the log never hides what a stream said. Each column is as wide as
its widest value so far (capped), so `widths` only grows and the caller can re-lay out what it
showed when it did.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from streamdash.core.jsondoc import is_rounded, load_document, stdlib_document

if TYPE_CHECKING:
    from streamdash.core.buffer import LogEntry


class DisplaySettings(Protocol):
    """A stream's display settings (StreamSettings has them; the models import this module to
    validate them, so it names no model)."""

    @property
    def columns(self) -> tuple[str, ...]: ...
    @property
    def template(self) -> str: ...

__all__ = [
    "COLUMN_MAX",
    "MISSING",
    "DataLayout",
    "Display",
    "Layouts",
    "display_problem",
    "field_paths",
    "parse_template",
    "path_problem",
    "template_problem",
    "value_text",
]

COLUMN_MAX = 24  # the widest a column grows; the last one is never padded or cut
MISSING = "-"
SEP = "  "
_FIELD = re.compile(r"\{([^{}]*)\}")  # compiled once, used when a template is parsed


@dataclass(frozen=True, slots=True)
class Display:
    """How one stream's data shows: columns win over a template; neither is the raw text."""

    columns: tuple[str, ...] = ()
    template: str = ""

    @property
    def is_raw(self) -> bool:
        return not self.columns and not self.template

    @classmethod
    def of(cls, settings: DisplaySettings) -> Display:
        return cls(settings.columns, settings.template)


def path_problem(path: str) -> str | None:
    """Why `path` is not a dotted JSON path (an empty step, or nothing at all)."""
    if not path or "" in path.split("."):
        return "must be a dotted JSON path such as meta.sent_at"
    return None


def template_problem(template: str) -> str | None:
    """Why a template is not usable (a bad `{path}`, a stray brace); None when it is."""
    rest = _FIELD.sub("", template.replace("{{", "").replace("}}", ""))
    if "{" in rest or "}" in rest:
        return "has an unmatched brace (write {{ or }} for a literal one)"
    for path in _FIELD.findall(template.replace("{{", "").replace("}}", "")):
        if not path.strip():
            return "has an empty {} (name a field: {msg})"
        if path_problem(path.strip()) is not None:
            return f"has a bad field path {{{path}}} (dotted, like meta.sent_at)"
    return None


def display_problem(display: Display) -> str | None:
    for path in display.columns:
        if path_problem(path.strip()) is not None:
            return f"column {path!r} must be a dotted JSON path such as meta.sent_at"
    if display.template:
        return template_problem(display.template)
    return None


def parse_template(template: str) -> list[str | tuple[str, ...]]:
    """Literal text (str) and field paths (split steps), in order; `{{` and `}}` are braces."""
    parts: list[str | tuple[str, ...]] = []
    for i, chunk in enumerate(template.split("{{")):
        for j, piece in enumerate(chunk.split("}}")):
            if i and not j:
                parts.append("{")
            if j:
                parts.append("}")
            at = 0
            for match in _FIELD.finditer(piece):
                if match.start() > at:
                    parts.append(piece[at : match.start()])
                parts.append(tuple(match.group(1).strip().split(".")))
                at = match.end()
            if at < len(piece):
                parts.append(piece[at:])
    return parts


def value_text(value: Any) -> str:
    """A JSON value as one line: strings bare, true/false/null as JSON writes them, objects and
    arrays compact JSON; control characters are the caller's to escape."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _lookup(document: Any, steps: tuple[str, ...]) -> Any:
    """The value at these steps, or MISSING (the string itself, as a sentinel by identity)."""
    value = document
    for step in steps:
        if isinstance(value, dict):
            if step not in value:
                return MISSING_VALUE
            value = value[step]
        elif isinstance(value, list) and step.lstrip("-").isdigit():
            index = int(step)
            if not -len(value) <= index < len(value):
                return MISSING_VALUE
            value = value[index]
        else:
            return MISSING_VALUE
    return value


MISSING_VALUE = object()


def _object(data: str) -> dict[str, Any] | None:
    """The data as a JSON object, or None: tested by its first character before parsing. Parsed
    as the filter parses it (core/jsondoc.py), so a column and a field test read one value."""
    if not data or (data[0] != "{" and data.lstrip()[:1] != "{"):
        return None
    document = load_document(data)
    return document if type(document) is dict else None


def _value(document: dict[str, Any], steps: tuple[str, ...], data: str) -> Any:
    found = _lookup(document, steps)
    if is_rounded(found):  # maybe an integer past 64 bits that orjson rounded
        found = _lookup(stdlib_document(data), steps)
    return found


class DataLayout:
    """One stream's display, with the column widths seen so far."""

    __slots__ = ("display", "widths", "_paths", "_parts")

    def __init__(self, display: Display) -> None:
        self.display = display
        self._paths = [tuple(path.split(".")) for path in display.columns]
        self.widths = [1] * len(self._paths)
        self._parts = parse_template(display.template) if not display.columns else []

    @property
    def is_columns(self) -> bool:
        return bool(self._paths)

    def values(self, data: str) -> list[str] | None:
        """The data's column values (widening the columns), or None: not a JSON object."""
        document = _object(data)
        if document is None:
            return None
        values = []
        widths = self.widths
        for i, steps in enumerate(self._paths):
            found = _value(document, steps, data)
            text = MISSING if found is MISSING_VALUE else value_text(found)
            values.append(text)
            if len(text) > widths[i] and widths[i] < COLUMN_MAX:
                widths[i] = min(len(text), COLUMN_MAX)
        return values

    def join(self, values: list[str]) -> str:
        """Values padded (or cut with an ellipsis) to the widths; the last one as it is."""
        last = len(values) - 1
        out = []
        for i, text in enumerate(values):
            if i == last:
                out.append(text)
                break
            width = self.widths[i]
            if len(text) > width:
                text = text[: width - 1] + "\u2026"
            out.append(text.ljust(width))
        return SEP.join(out)

    def fill(self, data: str) -> str | None:
        """The template filled from the data, or None: not a JSON object."""
        document = _object(data)
        if document is None:
            return None
        out = []
        for part in self._parts:
            if isinstance(part, str):
                out.append(part)
            else:
                found = _value(document, part, data)
                out.append(MISSING if found is MISSING_VALUE else value_text(found))
        return "".join(out)

    def text(self, data: str) -> str:
        """What the log shows for this data (with the widths as they are after it)."""
        if self._paths:
            values = self.values(data)
            return data if values is None else self.join(values)
        if self._parts:
            filled = self.fill(data)
            return data if filled is None else filled
        return data

    def header(self) -> str:
        """The column names (or the template) for a title: what the values are."""
        if self.display.columns:
            return " \u2502 ".join(self.display.columns)
        return self.display.template


class Layouts:
    """The layouts of every stream the log shows, by label; `display` says each label's
    Display (the session's answer). Looked up once per batch, not once per line."""

    def __init__(self, display: Callable[[str], Display]) -> None:
        self.display = display
        self._by_stream: dict[str, DataLayout | None] = {}

    def reset(self) -> None:
        """Forget widths and displays (the log is laid out again from scratch)."""
        self._by_stream.clear()

    def current(self) -> Mapping[str, DataLayout | None]:
        return self._by_stream

    def texts(self, entries: Sequence[LogEntry]) -> tuple[list[str | None] | None, bool]:
        """Each entry's data as shown (None: the raw data), or None for the lot when no stream
        of these has a display; and whether a column widened past what earlier lines were laid
        out with (the caller lays those out again). Two passes, so one batch aligns in itself."""
        known = self._by_stream
        before = {id(layout): list(layout.widths) for layout in known.values() if layout is not None}
        if all((known[s] if s in known else self.layout(s)) is None for s in {e[1] for e in entries}):
            return None, False  # every stream of these shows its raw data: the common case
        layouts: list[DataLayout | None] = []
        values: list[list[str] | None] = []
        for entry in entries:
            stream = entry[1]
            layout = known[stream] if stream in known else self.layout(stream)
            layouts.append(layout)
            if layout is None:
                values.append(None)
                continue
            values.append(layout.values(entry[3]) if layout.is_columns else None)
        grew = any(
            layout is not None and layout.widths != before.get(id(layout), layout.widths)
            for layout in known.values()
        )
        out: list[str | None] = []
        for entry, layout, row in zip(entries, layouts, values, strict=True):
            if layout is None:
                out.append(None)
            elif row is not None:
                out.append(layout.join(row))
            else:
                out.append(None if layout.is_columns else layout.fill(entry[3]))
        return out, grew

    def layout(self, stream: str) -> DataLayout | None:
        """The stream's layout, None when it shows raw text."""
        try:
            return self._by_stream[stream]
        except KeyError:
            display = self.display(stream)
            found = self._by_stream[stream] = None if display.is_raw else DataLayout(display)
            return found


def field_paths(data: str, limit: int = 200) -> list[tuple[str, str]]:
    """Every leaf's dotted path in a JSON object with its value's text (objects and arrays are
    walked, not listed): what a person picks a column from. Empty for anything else."""
    document = _object(data)
    if document is None:
        return []
    found: list[tuple[str, str]] = []

    def walk(value: Any, path: str) -> None:
        if len(found) >= limit:
            return
        if isinstance(value, dict) and value:
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list) and value and path:
            for index, item in enumerate(value[:20]):
                walk(item, f"{path}.{index}")
        elif path:
            found.append((path, value_text(value)))

    walk(document, "")
    return found
