"""curl command lines in and out: paste one to make a request, copy a request as one.

`parse_curl` reads the common request-shaping options of curl (method, headers, data, auth, TLS
verification, redirects, user agent, cookies, -G) and ignores the ones that only change what curl
prints (-s, -v, -i, -N, -o FILE, ...). Anything else is refused with a `CurlError` naming the
token, rather than silently building a different request.

Decisions worth knowing:

* Quoting follows a POSIX shell, never expanding anything: `$HOME` stays `$HOME`. Backslash-newline
  continuations are joined, double quotes honour bash's escapes (`\\$`, `\\"`, ...), and `$'...'`
  (bash ANSI-C strings, as "Copy as cURL" in browsers writes them) is decoded.
* Data read from files (`-d @file`, `--data-binary @file`, `--json @file`, `-H @file`, `-b file`,
  `-F`, `-T`) is refused: a request must not depend on a file on one machine. `--data-raw @x` is
  the literal `@x`, as in curl.
* As curl does, data without `-G` adds `Content-Type: application/x-www-form-urlencoded` unless a
  Content-Type was given (or removed with `-H 'Content-Type:'`), and `--json` adds JSON
  Content-Type and Accept headers unless given. They are stored as ordinary headers, so the saved
  request sends what curl would. `-H 'Name:'` (curl: "do not send Name") is not stored.
* `-u user` without a password stores an empty password (curl would prompt for one).
* Query parameters of the URL are split into `query` (decoded, order kept); the fragment is dropped.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import parse_qsl, quote

import httpx

from streamdash.core.collections.models import SavedRequest
from streamdash.core.collections.timeouts import timeout_problem

__all__ = ["CurlError", "derive_name", "join_url", "parse_curl", "quote_word", "split_url", "to_curl"]


class CurlError(ValueError):
    """A command line that cannot become a request; `str()` is one line naming the offending token."""


# --- options ------------------------------------------------------------------------------------

# Long option -> canonical name. Short letters map onto the same canonical names.
_WITH_ARG = {
    "--request": "request", "--header": "header", "--data": "data", "--data-ascii": "data",
    "--data-raw": "data-raw", "--data-binary": "data-binary", "--data-urlencode": "data-urlencode",
    "--json": "json", "--user": "user", "--user-agent": "user-agent", "--cookie": "cookie",
    "--url": "url", "--referer": "referer", "--oauth2-bearer": "oauth2-bearer",
    # accepted and ignored: they change what curl does with the answer, not the request
    "--output": "ignore", "--max-time": "max-time", "--connect-timeout": "connect-timeout",
    "--speed-time": "speed-time", "--speed-limit": "ignore",
    "--write-out": "ignore", "--retry": "ignore", "--retry-delay": "ignore",
    "--retry-max-time": "ignore", "--max-redirs": "ignore", "--dump-header": "ignore",
    "--trace": "ignore", "--trace-ascii": "ignore", "--stderr": "ignore",
    "--cookie-jar": "ignore", "--limit-rate": "ignore", "--expect100-timeout": "ignore",
}
_NO_ARG = {
    "--get": "get", "--head": "head", "--insecure": "insecure", "--location": "location",
    "--compressed": "ignore", "--silent": "ignore", "--show-error": "ignore", "--verbose": "ignore",
    "--include": "ignore", "--no-buffer": "ignore", "--fail": "ignore", "--fail-with-body": "ignore",
    "--progress-bar": "ignore", "--http1.0": "ignore", "--http1.1": "ignore", "--http2": "ignore",
    "--http2-prior-knowledge": "ignore", "--http3": "ignore", "--location-trusted": "location",
    "--globoff": "ignore", "--remote-name": "ignore", "--remote-header-name": "ignore",
    "--no-progress-meter": "ignore", "--raw": "ignore", "--tr-encoding": "ignore",
    "--ipv4": "ignore", "--ipv6": "ignore", "--no-keepalive": "ignore", "--path-as-is": "ignore",
}
_SHORT_WITH_ARG = {
    "X": "request", "H": "header", "d": "data", "u": "user", "A": "user-agent", "b": "cookie",
    "e": "referer", "o": "ignore", "m": "max-time", "y": "speed-time", "Y": "ignore", "w": "ignore", "D": "ignore", "c": "ignore",
}
_SHORT_NO_ARG = {
    "G": "get", "I": "head", "k": "insecure", "L": "location", "s": "ignore", "S": "ignore",
    "v": "ignore", "i": "ignore", "N": "ignore", "f": "ignore", "#": "ignore", "g": "ignore",
    "O": "ignore", "J": "ignore", "4": "ignore", "6": "ignore", "0": "ignore", "Z": "ignore",
}
_UNSUPPORTED = {
    "-F": "multipart forms", "--form": "multipart forms", "--form-string": "multipart forms",
    "-T": "file uploads", "--upload-file": "file uploads", "-K": "config files", "--config": "config files",
    "-E": "client certificates", "--cert": "client certificates", "-x": "proxies", "--proxy": "proxies",
    "--digest": "digest auth", "--ntlm": "NTLM auth", "--negotiate": "Negotiate auth",
    "--anyauth": "auth negotiation", "--unix-socket": "unix sockets", "--aws-sigv4": "AWS signing",
}

_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"


def _show(token: str) -> str:
    """A token in an error message: quoted, escapes visible (so the message stays one line), short."""
    text = repr(token)
    return text if len(text) <= 60 else text[:57] + "...'"


# --- shell words --------------------------------------------------------------------------------

_ANSI_SIMPLE = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
                "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def _ansi_c(text: str, start: int) -> tuple[str, int]:
    """Decode a bash `$'...'` string whose body starts at `start`; returns (value, index after ')."""
    out: list[str] = []
    i = start
    while i < len(text):
        char = text[i]
        if char == "'":
            return "".join(out), i + 1
        if char != "\\" or i + 1 >= len(text):
            out.append(char)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt in _ANSI_SIMPLE:
            out.append(_ANSI_SIMPLE[nxt])
            i += 2
        elif nxt in "01234567":
            digits = re.match(r"[0-7]{1,3}", text[i + 1:])[0]  # type: ignore[index]
            out.append(chr(int(digits, 8)))
            i += 1 + len(digits)
        elif nxt in "xuU" and (match := re.match(
                {"x": r"[0-9a-fA-F]{1,2}", "u": r"[0-9a-fA-F]{1,4}", "U": r"[0-9a-fA-F]{1,8}"}[nxt],
                text[i + 2:])):
            out.append(chr(min(int(match[0], 16), 0x10FFFF)))
            i += 2 + len(match[0])
        elif nxt == "c" and i + 2 < len(text):
            out.append(chr(ord(text[i + 2].upper()) ^ 0x40))
            i += 3
        else:
            out.append("\\" + nxt)
            i += 2
    raise CurlError("unbalanced quotes: no closing ' for $'...'")


def _normalise(command: str) -> str:
    """Rewrite what `shlex` reads differently from bash into plain single-quoted words.

    Joins backslash-newline continuations, decodes `$'...'`, applies bash's double-quote escapes.
    """
    out: list[str] = []
    i, n = 0, len(command)
    while i < n:
        char = command[i]
        if char == "\\":
            if command.startswith("\r\n", i + 1):
                i += 3
            elif command.startswith("\n", i + 1):
                i += 2
            else:
                out.append(command[i:i + 2])
                i += 2
        elif char == "'":
            end = command.find("'", i + 1)
            if end < 0:
                raise CurlError(f"unbalanced quotes: no closing ' after {_show(command[i:i + 30])}")
            out.append(command[i:end + 1])
            i = end + 1
        elif char == "$" and command.startswith("'", i + 1):
            value, i = _ansi_c(command, i + 2)
            out.append(_quote_word(value) if value else "''")
        elif char == '"':
            quoted: list[str] = []
            j = i + 1
            while j < n and command[j] != '"':
                if command[j] == "\\" and j + 1 < n:
                    nxt = command[j + 1]
                    if nxt == "\n":
                        j += 2
                        continue
                    if command.startswith("\r\n", j + 1):
                        j += 3
                        continue
                    quoted.append(nxt if nxt in '$`"\\' else "\\" + nxt)
                    j += 2
                else:
                    quoted.append(command[j])
                    j += 1
            if j >= n:
                raise CurlError(f"unbalanced quotes: no closing \" after {_show(command[i:i + 30])}")
            out.append("'" + "".join(quoted).replace("'", "'\\''") + "'")
            i = j + 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _words(command: str) -> list[str]:
    try:
        return shlex.split(_normalise(command), comments=False, posix=True)
    except ValueError as exc:
        raise CurlError(f"unbalanced quotes: {exc}") from None


# --- URLs and names -----------------------------------------------------------------------------


def split_url(url: str) -> tuple[str, list[tuple[str, str]]]:
    """`https://h/p?a=1&b=x+y#frag` -> (`https://h/p`, [("a", "1"), ("b", "x y")]); fragment dropped."""
    base = url.split("#", 1)[0]
    base, _, query = base.partition("?")
    return base, parse_qsl(query, keep_blank_values=True)


def join_url(url: str, query: Sequence[tuple[str, str | int | float | bool | None]]) -> str:
    """The URL with `query` appended, percent-encoded the way httpx sends it."""
    if not query:
        return url
    encoded = str(httpx.QueryParams(list(query)))
    return f"{url}{'&' if '?' in url else '?'}{encoded}"


def derive_name(method: str, url: str) -> str:
    """`GET /repos/octocat/hello` from the method and the URL's path (the host when there is none)."""
    rest = url.split("://", 1)[1] if "://" in url else url
    rest = rest.split("?", 1)[0].split("#", 1)[0]
    slash = rest.find("/")
    path = rest[slash:] if slash >= 0 else ""
    if path in ("", "/"):
        path = rest[:slash] if slash >= 0 else rest
        path = path or "/"
    name = f"{method} {path}"
    return name if len(name) <= 80 else name[:77] + "..."


def _kind(headers: list[tuple[str, str]]) -> str:
    accepts = (value for key, value in headers if key.lower() == "accept")
    return "sse" if any("text/event-stream" in value.lower() for value in accepts) else "rest"


# --- parsing --------------------------------------------------------------------------------------


def _header(raw: str) -> tuple[str, str | None]:
    """`Name: value` -> (Name, value); `Name;` -> (Name, ""); `Name:` -> (Name, None) = remove."""
    if raw.startswith("@"):
        raise CurlError(f"headers from a file are not supported: {_show(raw)}")
    colon, semi = raw.find(":"), raw.find(";")
    if colon < 0 and semi >= 0 and not raw[semi + 1:].strip():
        name, value = raw[:semi].strip(), ""
    elif colon < 0:
        raise CurlError(f"header without ':': {_show(raw)}")
    else:
        name, value = raw[:colon].strip(), raw[colon + 1:].strip()
        if not value:
            return name, None
    if not name or any(char.isspace() for char in name):
        raise CurlError(f"bad header name: {_show(raw)}")
    return name, value


def _urlencode(raw: str, token: str) -> str:
    """curl's --data-urlencode forms: `content`, `=content`, `name=content` (no @file forms)."""
    name, sep, content = raw.partition("=")
    if not sep:
        if "@" in raw:
            raise CurlError(f"data from a file is not supported: {token} {_show(raw)}")
        return quote(raw, safe="")
    if "@" in name:
        raise CurlError(f"data from a file is not supported: {token} {_show(raw)}")
    return f"{name}={quote(content, safe='')}" if name else quote(content, safe="")


def parse_curl(command: str) -> SavedRequest:
    """A curl command line as a request; raises CurlError (one line, naming the token) if it can't."""
    words = _words(command.strip())
    if not words:
        raise CurlError("empty command: expected a line starting with 'curl'")
    program = words[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
    if program not in ("curl", "curl.exe"):
        raise CurlError(f"not a curl command: starts with {_show(words[0])}")

    method: str | None = None
    urls: list[str] = []
    headers: list[tuple[str, str]] = []
    removed: set[str] = set()
    data: list[tuple[str, str]] = []  # (option, text)
    extra: dict[str, object] = {}
    get = head = False

    def apply(option: str, token: str, value: str | None) -> None:
        nonlocal method, get, head
        if option == "request":
            assert value is not None
            if not value.strip():
                raise CurlError(f"empty method for {token}")
            method = value.strip().upper()
        elif option == "header":
            assert value is not None
            name, text = _header(value)
            if text is None:
                removed.add(name.lower())
                headers[:] = [(k, v) for k, v in headers if k.lower() != name.lower()]
            else:
                headers.append((name, text))
        elif option in ("data", "data-binary", "json"):
            assert value is not None
            if value.startswith("@"):
                raise CurlError(f"data from a file is not supported: {token} {_show(value)}")
            data.append((option, value))
        elif option == "data-raw":
            assert value is not None
            data.append((option, value))
        elif option == "data-urlencode":
            assert value is not None
            data.append((option, _urlencode(value, token)))
        elif option == "user":
            assert value is not None
            username, _, password = value.partition(":")
            extra["auth"] = {"type": "basic", "username": username, "password": password}
        elif option == "user-agent":
            assert value is not None
            headers.append(("User-Agent", value))
        elif option == "referer":
            assert value is not None
            headers.append(("Referer", value.removesuffix(";auto")))
        elif option == "cookie":
            assert value is not None
            if "=" not in value:
                raise CurlError(f"cookie files are not supported: {token} {_show(value)}")
            headers.append(("Cookie", value))
        elif option == "oauth2-bearer":
            headers.append(("Authorization", f"Bearer {value}"))
        elif option == "url":
            assert value is not None
            urls.append(value)
        elif option == "get":
            get = True
        elif option == "head":
            head = True
        elif option == "insecure":
            extra["verify"] = False
        elif option == "location":
            extra["follow_redirects"] = True
        elif option in ("max-time", "speed-time", "connect-timeout"):
            # curl's --max-time bounds the whole transfer, ours each phase: the same number never
            # stops a send curl would finish. --speed-time is how copy as curl writes `timeout`.
            assert value is not None
            try:
                seconds = float(value)
            except ValueError:
                raise CurlError(f"{token} wants seconds, not {_show(value)}") from None
            if timeout_problem(seconds) is not None:
                raise CurlError(f"{token} wants seconds > 0, not {_show(value)}")
            key = "connect_timeout" if option == "connect-timeout" else "timeout"
            extra[key] = int(seconds) if seconds.is_integer() else seconds

    i = 1
    options_done = False
    while i < len(words):
        token = words[i]
        i += 1
        if options_done or not token.startswith("-") or token == "-":
            urls.append(token)
            continue
        if token == "--":
            options_done = True
            continue
        if token in _UNSUPPORTED:
            raise CurlError(f"unsupported option {token} ({_UNSUPPORTED[token]})")
        if token.startswith("--"):
            if token in _NO_ARG:
                apply(_NO_ARG[token], token, None)
            elif token in _WITH_ARG:
                if i >= len(words):
                    raise CurlError(f"option {token} needs an argument")
                apply(_WITH_ARG[token], token, words[i])
                i += 1
            else:
                raise CurlError(f"unknown option {_show(token)}")
            continue
        # one or more short options: -sSL, -XPOST, -H'...'
        j = 1
        while j < len(token):
            letter = token[j]
            flag = f"-{letter}"
            if flag in _UNSUPPORTED:
                raise CurlError(f"unsupported option {flag} ({_UNSUPPORTED[flag]})")
            if letter in _SHORT_NO_ARG:
                apply(_SHORT_NO_ARG[letter], flag, None)
                j += 1
            elif letter in _SHORT_WITH_ARG:
                value = token[j + 1:]
                if not value:
                    if i >= len(words):
                        raise CurlError(f"option {flag} needs an argument")
                    value = words[i]
                    i += 1
                apply(_SHORT_WITH_ARG[letter], flag, value)
                break
            else:
                where = f" in {_show(token)}" if len(token) > 2 else ""
                raise CurlError(f"unknown option {flag}{where}")

    if not urls:
        raise CurlError("no URL in the command")
    if len(urls) > 1:
        raise CurlError(f"more than one URL ({_show(urls[0])}, {_show(urls[1])}): one request per command")
    url = urls[0]
    if "://" not in url and not url.startswith("{{"):
        url = "http://" + url  # curl's default scheme
    url, query = split_url(url)

    body: str | None = None
    if data:
        text = data[0][1]
        for option, piece in data[1:]:
            text += ("" if option == "json" else "&") + piece
        if get:
            for piece in (piece for _, piece in data):
                query += parse_qsl(piece, keep_blank_values=True)
        else:
            body = text
            names = {key.lower() for key, _ in headers} | removed
            if any(option == "json" for option, _ in data):
                if "content-type" not in names:
                    headers.append(("Content-Type", _JSON))
                if "accept" not in names:
                    headers.append(("Accept", _JSON))
            elif "content-type" not in names:
                headers.append(("Content-Type", _FORM))

    if method is None:
        method = "HEAD" if head else ("POST" if body is not None else "GET")
    return SavedRequest(
        name=derive_name(method, url),
        kind=_kind(headers),  # type: ignore[arg-type]  # "rest" or "sse"
        method=method,
        url=url,
        query=query,
        headers=headers,
        body=body,
        extra=extra,
    )


# --- export ---------------------------------------------------------------------------------------

_SAFE_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")
_PLACEHOLDER = re.compile(r"\{\{\s*([\w.\-]+)\s*\}\}")


def quote_word(word: str) -> str:
    """One shell word: as is when safe, else single-quoted with `'` written as `'\\''`."""
    if _SAFE_WORD.fullmatch(word):
        return word
    return _quote_word(word)


def _quote_word(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"


def to_curl(req: SavedRequest, variables: Mapping[str, str] | None = None, *, multiline: bool = False) -> str:
    """A saved request as a curl command, its templates as written: the other half of the
    importer (what the app copies is `core.http.as_curl`, from the prepared request).

    With `variables`, known `{{name}}` placeholders are filled in; unknown ones (and `{{env:...}}`)
    stay as written. `multiline` puts each option on its own line with backslash continuations.
    """
    fill: Callable[[str], str]
    if variables:
        def fill(text: str) -> str:
            return _PLACEHOLDER.sub(lambda m: str(variables.get(m[1], m[0])), text)
    else:
        def fill(text: str) -> str:
            return text

    auth = req.extra.get("auth")
    user = None
    if isinstance(auth, Mapping) and auth.get("type", "basic") == "basic" and "username" in auth:
        user = f"{fill(str(auth['username']))}:{fill(str(auth.get('password', '')))}"
    options: list[list[str]] = []
    if req.extra.get("verify") is False:
        options.append(["-k"])
    if req.extra.get("follow_redirects") is True:
        options.append(["-L"])
    return format_curl(
        req.method,
        join_url(fill(req.url), [(key, fill(value)) for key, value in req.query]),
        [(key, fill(value)) for key, value in req.headers],
        None if req.body is None else fill(req.body),
        user=user,
        options=options,
        multiline=multiline,
    )


def format_curl(
    method: str,
    url: str,
    headers: Sequence[tuple[str, str]],
    body: str | None,
    *,
    user: str | None = None,
    digest: bool = False,
    options: Sequence[Sequence[str]] = (),
    first: Sequence[str] = (),
    quote_with: Callable[[str], str] = quote_word,
    multiline: bool = False,
) -> str:
    """The one curl formatter: method, URL, headers, `-u`, body, then the other `options`
    (`first` goes right after `curl`, e.g. `-N`). `quote_with` turns a word into shell text."""
    method = method.upper()
    parts: list[list[str]] = [["curl", *first]]
    default = "POST" if body is not None else "GET"
    if method == "HEAD" and body is None:
        parts[0].append("-I")
    elif method != default:
        parts[0] += ["-X", method]
    parts[0].append(url)

    names = set()
    for key, value in headers:
        names.add(key.lower())
        parts.append(["-H", f"{key}: {value}" if value else f"{key};"])
    if body is not None and "content-type" not in names:
        parts.append(["-H", "Content-Type:"])  # curl would send a form Content-Type; we don't
    if user is not None:
        parts.append(["--digest", "-u", user] if digest else ["-u", user])
    if body is not None:
        parts.append(["--data-raw", body])
    parts.extend(list(option) for option in options)

    lines = [" ".join(quote_with(word) for word in part) for part in parts]
    return " \\\n  ".join(lines) if multiline else " ".join(lines)
