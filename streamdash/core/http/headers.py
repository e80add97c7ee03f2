"""Header names and values, methods and URLs as they may go on the wire.

A name must be an RFC 9110 token and a value must not break the line; a URL must be http(s)
with a host and a port a socket can take: all usage errors, found before anything connects. A value that is not ASCII goes out as UTF-8 bytes, as curl
sends it (httpx refuses a non-ASCII `str` value).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import httpx

__all__ = ["header_problem", "method_problem", "url_problem", "wire_headers"]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def header_problem(name: str, value: str) -> str | None:
    """Why this header cannot be sent, in a few words; None when it can."""
    if not _TOKEN.fullmatch(name):
        return f"{name!r} is not a valid header name"
    if any(char in value for char in "\r\n\0"):
        return f"the value of header {name!r} holds a line break or NUL"
    return None


def method_problem(method: str) -> str | None:
    if not _TOKEN.fullmatch(method):
        return f"{method!r} is not an HTTP method"
    return None


def url_problem(url: httpx.URL) -> str | None:
    """Why a parsed URL cannot be requested, in a few words; None when it can. (httpx takes a
    port over 65535, and the socket then fails with a traceback.)"""
    if url.scheme not in ("http", "https"):
        return "it must start with http:// or https://"
    if not url.host:
        return "no host"
    if url.port is not None and not 0 < url.port < 65536:
        return f"port {url.port} is out of range (1-65535)"
    return None


def wire_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """As bytes: names are ASCII tokens (see `header_problem`), values UTF-8."""
    return [(name.encode("ascii"), value.encode("utf-8")) for name, value in headers]
