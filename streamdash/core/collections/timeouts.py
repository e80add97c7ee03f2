"""What a request file or `collection.toml` says about a REST request's timeouts:

    timeout = 5            # seconds for each phase: connect, send, wait for and read the answer
    connect_timeout = 2    # the connect phase on its own (else 10 s, or `timeout` if shorter)

A request's own values win over the collection's. Streams keep their `[stream] read_timeout`:
these apply to REST requests only. Checked here, beside the models, so a request file and
`collection.toml` reject the same values with the same words; the effective values and what a
timeout says when it fires are in `streamdash.core.http.timeouts`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["TIMEOUT_KEYS", "TimeoutSetting", "timeout_problem", "timeout_setting"]

TIMEOUT_KEYS = ("timeout", "connect_timeout")


@dataclass(frozen=True)
class TimeoutSetting:
    """The keys one file sets; None: not set there."""

    timeout: float | None = None
    connect_timeout: float | None = None


def timeout_problem(value: Any) -> str | None:
    """Why `value` is no timeout (a number of seconds > 0); None when it is one."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
        math.isfinite(value) and value > 0
    ):
        shown = f'"{value}"' if isinstance(value, str) else repr(value)
        if isinstance(value, bool):
            shown = "true" if value else "false"
        elif isinstance(value, dict | list):
            shown = "a table" if isinstance(value, dict) else "an array"
        return f"must be a number of seconds > 0, such as 5 or 0.5, not {shown}"
    return None


def timeout_setting(data: Mapping[str, Any]) -> TimeoutSetting:
    """The timeout keys of a request file or `collection.toml`; raises ValueError
    (`"timeout: must be ..."`) for a bad value."""
    values: dict[str, float] = {}
    for key in TIMEOUT_KEYS:
        if key in data:
            if (problem := timeout_problem(data[key])) is not None:
                raise ValueError(f"{key}: {problem}")
            values[key] = float(data[key])
    return TimeoutSetting(**values)
