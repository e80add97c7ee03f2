"""Dotted paths into parsed JSON (`meta.sent_at`, `choices.0.delta.content`), shared by paging,
replay checks and captures, latency and LLM assembly. The filter language has its own parsed
paths (`core.filter.lookup`), built for its bulk loop."""

from __future__ import annotations

from typing import Any

__all__ = ["json_path"]


def json_path(document: Any, path: str, default: Any = None) -> Any:
    """The value at `path`, or `default` when a step is missing; "" is the document itself.

    A step into a list is an integer index (negative counts from the end)."""
    value = document
    for step in path.split(".") if path else ():
        if isinstance(value, dict):
            if step not in value:
                return default
            value = value[step]
        elif isinstance(value, list) and step.lstrip("-").isdigit():
            index = int(step)
            if not -len(value) <= index < len(value):
                return default
            value = value[index]
        else:
            return default
    return value
