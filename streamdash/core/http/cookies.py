"""The cookie jar of one collection session: what a server set, sent back where it belongs, and
always on view (the cookies screen, a response's note, copy as curl).

httpx keeps a jar on the client, and the one shared client serves every collection and `run`: a
cookie from one collection would go with the next collection's requests, and nothing would say so.
So the client's own jar refuses everything (`refusing_jar`), and each session's `CookieJar` is
applied by hand on every hop of a send (`redirects.send_following`), stream connections included.

Domain, path, expiry and `Secure` follow the standard library's `http.cookiejar` (RFC 6265 in
practice). A `Cookie` header written in the request wins for the names it sets; the jar adds the
others. `cookies = false` in a request or in `collection.toml` leaves the jar out: nothing sent
from it, nothing stored in it.

The jar is memory only. `streamdash run --cookies FILE` reads and writes a Netscape cookies file
(the format of curl's `-b FILE -c FILE`), the one place a jar touches the disk, and only when asked
(`load` here; `netscape_text` for the command to write).
"""

from __future__ import annotations

import http.cookiejar
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

__all__ = ["CookieEntry", "CookieFileError", "CookieJar", "cookies_note", "cookies_setting", "refusing_jar"]


class CookieFileError(ValueError):
    """A cookies file that cannot be read or written; `str()` is one line naming it."""


class _RefuseAll(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def refusing_jar() -> http.cookiejar.CookieJar:
    """For the shared client: it keeps no cookie, so none can cross from one session to another."""
    return http.cookiejar.CookieJar(policy=_RefuseAll())


@dataclass(frozen=True)
class CookieEntry:
    """One cookie as the cookies screen lists it."""

    domain: str
    path: str
    name: str
    value: str
    expires: float | None  # None: a session cookie (gone when the session ends)
    secure: bool

    @property
    def host(self) -> str:
        return self.domain.lstrip(".")

    def expiry_text(self, now: float | None = None) -> str:
        if self.expires is None:
            return "session"
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.expires))


def cookies_setting(value: object) -> str | None:
    """Why a `cookies = ...` value is wrong (it must be true or false); None when it is fine."""
    return None if isinstance(value, bool) else f"cookies must be true or false, not {value!r}"


class CookieJar:
    """A session's cookies. Not thread-safe; used from the event loop only."""

    def __init__(self) -> None:
        self._jar = http.cookiejar.CookieJar()
        self._cookies = httpx.Cookies(self._jar)

    def __len__(self) -> int:
        return len(self._jar)

    def __repr__(self) -> str:  # never show values
        return f"<CookieJar {len(self)} cookies>"

    def store(self, response: httpx.Response) -> None:
        """Keep what the response's `Set-Cookie` headers say (httpx's reading of them)."""
        self._cookies.extract_cookies(response)

    def header_for(self, url: httpx.URL | str) -> str:
        """The `Cookie` header value the jar would send to `url` ("" when none)."""
        probe = httpx.Request("GET", url)
        self._cookies.set_cookie_header(probe)
        return str(probe.headers.get("cookie", ""))

    def names_for(self, url: httpx.URL | str) -> tuple[str, ...]:
        return tuple(name for name, _ in _pairs(self.header_for(url)))

    def merged(self, url: httpx.URL | str, written: str = "") -> tuple[str, tuple[str, ...]]:
        """The `Cookie` header for `url` given the one the request wrote: a name the request
        sets keeps its value, the jar adds the rest. Returns the header and the names added."""
        mine = _pairs(self.header_for(url))
        taken = {name for name, _ in _pairs(written)}
        added = [(name, value) for name, value in mine if name not in taken]
        if not added:
            return written, ()
        joined = "; ".join(f"{name}={value}" for name, value in added)
        return (f"{written}; {joined}" if written.strip() else joined), tuple(name for name, _ in added)

    def apply(self, request: httpx.Request) -> tuple[str, ...]:
        """Add the jar's cookies for the request's URL to its `Cookie` header (see `merged`).
        Returns the names the jar added."""
        header, added = self.merged(request.url, request.headers.get("cookie", ""))
        if added:
            request.headers["Cookie"] = header
        return added

    def entries(self) -> list[CookieEntry]:
        """Every cookie kept, by host, path and name; expired ones are dropped first."""
        self._jar.clear_expired_cookies()
        found = [
            CookieEntry(c.domain, c.path, c.name, c.value or "", float(c.expires) if c.expires else None, c.secure)
            for c in self._jar
        ]
        return sorted(found, key=lambda e: (e.host, e.path, e.name))

    def values(self) -> frozenset[str]:
        """Every value in the jar: what a display of a request or an answer must mask."""
        return frozenset(c.value for c in self._jar if c.value)

    def delete(self, entry: CookieEntry) -> bool:
        try:
            self._jar.clear(entry.domain, entry.path, entry.name)
        except KeyError:
            return False
        return True

    def clear(self) -> None:
        self._jar.clear()

    # --- a Netscape cookies file (curl's -b FILE / -c FILE) ------------------------------------

    def load(self, path: Path) -> int:
        """Add the cookies of a Netscape cookies file; returns how many. Raises CookieFileError.
        Read here, not by `http.cookiejar.MozillaCookieJar`: Python 3.11's drops every session
        cookie curl writes (expiry 0 reads as expired in 1970) and refuses a file whose magic
        line is missing, which curl itself accepts."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CookieFileError(f"{path}: no such cookies file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CookieFileError(f"{path}: cookies file not read: {_one_line(exc)}") from None
        now = time.time()
        count = 0
        for number, line in enumerate(text.splitlines(), 1):
            http_only = line.startswith("#HttpOnly_")
            if http_only:
                line = line[len("#HttpOnly_"):]
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 7 or not fields[4].strip().isdigit():
                raise CookieFileError(
                    f"{path}:{number}: not a Netscape cookies file (want 7 tab-separated fields: "
                    "domain, subdomains, path, secure, expiry, name, value)"
                )
            domain, _sub, cookie_path, secure, expiry, name, value = fields
            expires = int(expiry) or None
            if expires is not None and expires < now:
                continue
            self._jar.set_cookie(_cookie(domain, cookie_path or "/", name, value, expires,
                                         secure.upper() == "TRUE", http_only))
            count += 1
        return count

    def netscape_text(self) -> str:
        """The jar (session cookies too) as a Netscape cookies file; the caller writes it
        (atomically, mode 0600: it holds credentials)."""
        lines = ["# Netscape HTTP Cookie File", "# Written by streamdash run --cookies; it holds credentials.", ""]
        lines += [_netscape_line(cookie) for cookie in self._jar]
        return "\n".join(lines) + "\n"


def _pairs(header: str) -> list[tuple[str, str]]:
    pairs = []
    for part in header.split(";"):
        name, eq, value = part.strip().partition("=")
        if name and eq:
            pairs.append((name.strip(), value.strip()))
    return pairs


def _netscape_line(cookie: http.cookiejar.Cookie) -> str:
    """One line of curl's format: domain, include-subdomains, path, secure, expiry, name, value.
    A session cookie has expiry 0, as curl writes it."""
    sub = "TRUE" if cookie.domain.startswith(".") else "FALSE"
    secure = "TRUE" if cookie.secure else "FALSE"
    expires = str(int(cookie.expires)) if cookie.expires else "0"
    prefix = "#HttpOnly_" if cookie.has_nonstandard_attr("HttpOnly") else ""
    fields = (cookie.domain, sub, cookie.path, secure, expires, cookie.name, cookie.value or "")
    return prefix + "\t".join(fields)


def _cookie(
    domain: str, path: str, name: str, value: str, expires: int | None, secure: bool, http_only: bool
) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        version=0, name=name, value=value, port=None, port_specified=False,
        domain=domain, domain_specified=domain.startswith("."), domain_initial_dot=domain.startswith("."),
        path=path, path_specified=True, secure=secure, expires=expires, discard=expires is None,
        comment=None, comment_url=None, rest={"HttpOnly": ""} if http_only else {}, rfc2109=False,
    )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def cookies_note(names: Iterable[str]) -> str:
    """"sent 2 cookies from the jar (session, theme)": a response's note."""
    names = list(names)
    return f"sent {len(names)} cookie{'s' if len(names) != 1 else ''} from the jar ({', '.join(names)})"
