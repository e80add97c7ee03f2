"""`.http` files (JetBrains HTTP Client / VS Code REST Client) as saved requests.

The subset read:

* requests separated by lines starting with `###`; text after `###` names the next request, and
  `# @name foo` (or `// @name foo`) inside a request names it too (and wins);
* `@name = value` file variables outside request bodies; they are returned as a dict (a value's
  `{{earlier}}` references are resolved against earlier variables) and the requests keep their
  `{{name}}` placeholders;
* a request line `METHOD URL [HTTP/x]` (the method is optional: GET), followed by optional
  continuation lines starting with `?` or `&` that extend the query, header lines `Name: value`
  up to a blank line, then the body up to the next `###` (trailing blank lines dropped);
* `#` and `//` comment lines outside bodies are skipped; other `# @directives` are ignored.

The body is kept as written: `< ./file.json` (a body from a file) and response handlers stay
literal text. Bad input raises `HttpFileError` with the line number in a one-line message.
"""

from __future__ import annotations

import re
from pathlib import Path

from streamdash.core.collections.curl import derive_name, split_url
from streamdash.core.collections.models import Kind, SavedRequest

__all__ = ["HttpFileError", "parse_http_file"]

_VARIABLE = re.compile(r"@([\w.\-]+)\s*=\s?(.*)$")
_NAME_DIRECTIVE = re.compile(r"(?:#|//)\s*@name(?:\s*=\s*|\s+)(.+?)\s*$")
_VERSION = re.compile(r"HTTP/\d(?:\.\d)?", re.IGNORECASE)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_PLACEHOLDER = re.compile(r"\{\{\s*([\w.\-]+)\s*\}\}")
KNOWN_METHODS = frozenset(
    "GET POST PUT PATCH DELETE HEAD OPTIONS TRACE CONNECT LOCK UNLOCK PROPFIND PROPPATCH COPY MOVE "
    "MKCOL QUERY".split()
)


class HttpFileError(ValueError):
    """Bad `.http` input; `str()` is one line: `path:line: reason` (or `line N: reason`)."""

    def __init__(self, line: int, reason: str, path: Path | None = None) -> None:
        reason = " ".join(reason.split())
        where = f"{path}:{line}" if path is not None else f"line {line}"
        super().__init__(f"{where}: {reason}")
        self.line = line
        self.reason = reason
        self.path = path


def _is_separator(line: str) -> bool:
    return line.lstrip().startswith("###")


def _is_comment(line: str) -> bool:
    stripped = line.lstrip()
    return stripped.startswith(("#", "//"))


def _show(text: str) -> str:
    text = repr(text)
    return text if len(text) <= 60 else text[:57] + "...'"


def _request_line(line: str, number: int, path: Path | None) -> tuple[str, str]:
    words = line.split()
    if words and _VERSION.fullmatch(words[-1]) and len(words) > 1:
        words = words[:-1]
    if len(words) == 1:
        return "GET", words[0]
    if len(words) == 2:
        method, url = words
        if method.upper() in KNOWN_METHODS:
            return method.upper(), url
        if _TOKEN.fullmatch(method) and method.isupper():
            return method, url
        raise HttpFileError(number, f"expected 'METHOD URL', not a method: {_show(method)}", path)
    raise HttpFileError(number, f"expected 'METHOD URL [HTTP/1.1]', got {_show(line.strip())}", path)


def _kind(headers: list[tuple[str, str]]) -> Kind:
    accepts = (value for key, value in headers if key.lower() == "accept")
    return "sse" if any("text/event-stream" in value.lower() for value in accepts) else "rest"


def _auth_from_headers(headers: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], dict[str, str] | None]:
    """Both clients take `Authorization: Basic user password` (or `user:password`) and `Digest
    user password` unencoded and do the scheme themselves: that is an [auth] table here. An
    encoded `Basic dXNlcjpwdw==` (base64 has no space or colon) stays the header it is."""
    for index, (key, value) in enumerate(headers):
        scheme, _, rest = value.strip().partition(" ")
        if key.lower() != "authorization" or scheme.lower() not in ("basic", "digest"):
            continue
        user, sep, password = rest.strip().partition(" ")
        if not sep:
            user, sep, password = rest.strip().partition(":")
        if sep and user:
            auth = {"type": scheme.lower(), "username": user, "password": password.strip()}
            return headers[:index] + headers[index + 1:], auth
    return headers, None


def parse_http_file(text: str, path: Path | None = None) -> tuple[list[SavedRequest], dict[str, str]]:
    """The requests of an `.http` file, in order, and its file variables."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    variables: dict[str, str] = {}
    requests: list[SavedRequest] = []

    def resolve(value: str) -> str:
        return _PLACEHOLDER.sub(lambda m: variables.get(m[1], m[0]), value)

    i, n = 0, len(lines)
    while i < n:
        # one block: from here up to the next separator
        title = ""
        if _is_separator(lines[i]):
            title = lines[i].lstrip()[3:].strip().lstrip("#").strip()
            i += 1
        name = title
        # preamble: blank lines, comments, variables, directives
        request_at: int | None = None
        while i < n and not _is_separator(lines[i]):
            line = lines[i].strip()
            if not line:
                pass
            elif match := _NAME_DIRECTIVE.match(line):
                name = match[1]
            elif _is_comment(line):
                pass
            elif line.startswith("@"):
                match = _VARIABLE.match(line)
                if not match:
                    raise HttpFileError(i + 1, f"expected '@name = value', got {_show(line)}", path)
                variables[match[1]] = resolve(match[2].strip())
            else:
                request_at = i
                break
            i += 1
        if request_at is None:
            continue  # a block with no request (a header comment, variables only, or the end)

        method, url = _request_line(lines[i], i + 1, path)
        i += 1
        # continuation lines of the query: `  ?a=1` / `  &b=2`
        while i < n and lines[i].strip()[:1] in ("?", "&") and not _is_separator(lines[i]):
            url += lines[i].strip()
            i += 1

        headers: list[tuple[str, str]] = []
        while i < n and lines[i].strip() and not _is_separator(lines[i]):
            line = lines[i].strip()
            if match := _NAME_DIRECTIVE.match(line):
                name = match[1]
            elif not _is_comment(line):
                key, colon, value = line.partition(":")
                key = key.strip()
                if not colon or not key or not _TOKEN.fullmatch(key):
                    raise HttpFileError(i + 1, f"expected a header 'Name: value', got {_show(line)}", path)
                headers.append((key, value.strip()))
            i += 1

        body_lines: list[str] = []
        if i < n and not _is_separator(lines[i]):
            i += 1  # the blank line
            while i < n and not _is_separator(lines[i]):
                body_lines.append(lines[i])
                i += 1
        while body_lines and not body_lines[-1].strip():
            body_lines.pop()
        while body_lines and not body_lines[0].strip():
            body_lines.pop(0)
        body = "\n".join(body_lines) if body_lines else None

        base, query = split_url(url)
        headers, auth = _auth_from_headers(headers)
        requests.append(SavedRequest(
            name=name or derive_name(method, base),
            kind=_kind(headers),
            method=method,
            url=base,
            query=query,
            headers=headers,
            body=body,
            extra={"auth": auth} if auth else {},
        ))
    return requests, variables
