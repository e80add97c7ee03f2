"""Making untrusted text safe to show on one terminal line."""

from __future__ import annotations

import re

# C0 and C1 controls (ESC, CSI, ...) must never reach a terminal raw, and nothing may break the
# line: that includes U+2028 and U+2029, which str.splitlines() and some terminals treat as breaks.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\x1b": "\\e"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`text` as one safe line: controls and line separators become visible escapes; tab stays."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def escape_controls_multiline(text: str) -> str:
    """Like `escape_controls`, but line breaks (\n) stay: for text meant to wrap, such as an LLM's
    answer."""
    return "\n".join(escape_controls(line) for line in text.split("\n"))
