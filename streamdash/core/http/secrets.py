"""Masking secrets wherever they are shown (headers view, history, logs, screenshots).

Decisions:
- `mask(value)` keeps the last 4 characters only when the value is long (16+ characters, e.g. an
  API token, where the tail helps tell tokens apart and reveals little): `••••abcd`. Shorter values
  become just `••••`, and the empty string stays empty. The length is never shown.
- `Authorization` keeps its scheme (`Bearer ••••abcd`); Basic and Digest credentials are masked
  whole, since the tail of base64 `user:password` is the tail of the password.
- Cookies keep their names and (Set-Cookie) attributes; only the values are masked.
- Headers and query parameters are judged by name, case-insensitively (see `is_secret_name`).
- `mask_auth` shows a value that is only placeholders (`{{env:PW}}`) as is: it is a name, not a
  secret. Anything else in a secret field is masked.
- A secret known by value is masked in every form it travels in: as given, URL-encoded (a query
  value on the wire) and JSON-escaped (an echo server's answer). `credential_values` names the
  values a request carries that are credentials whatever their origin (Basic's base64 pair, a
  Bearer token typed into a header, a secret-named query value), so they join the known ones.
- `mask_secret_fields` masks the string values of JSON keys named like secrets (`access_token`,
  `refresh_token`, `password`...): a token endpoint's answer holds a secret nobody has seen yet.
- `mask_urls` masks each URL inside a longer text (an error message) with `mask_url`.
Callers show the unmasked values only when the user asks to reveal them.
"""

from __future__ import annotations

import json
import re
from base64 import b64encode
from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus

__all__ = [
    "MASK",
    "basic_credentials",
    "credential_values",
    "is_secret_name",
    "mask",
    "mask_auth",
    "mask_header",
    "mask_headers",
    "mask_secret_fields",
    "mask_secrets",
    "mask_url",
    "mask_urls",
    "secret_forms",
]

MASK = "••••"
KEEP_TAIL = 4
KEEP_TAIL_FROM_LENGTH = 16

_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_SECRET_EXACT = frozenset({"key", "sig", "auth", "pass", "pw", "pwd", "code_verifier"})
_SECRET_PARTS = re.compile(
    r"token|secret|passw|signature|credential|api[-_.]?key|access[-_.]?key|private[-_.]?key|auth[-_.]?key"
    r"|session[-_.]?id|sessionid"
)
_SECRET_SUFFIX = re.compile(r"[-_.]key$")
# Names that match the patterns but never carry one: CORS's "may the answer be read with
# credentials" flag is `true` on every answer of some servers (httpbin).
_NEVER_SECRET = frozenset({"access-control-allow-credentials"})
_SECRET_AUTH_FIELDS = ("password", "token", "client_secret", "refresh_token")
_ONLY_PLACEHOLDERS = re.compile(r"^(?:\s*\{\{\s*(?:env:)?[\w.\-]+\s*\}\}\s*)+$")
_NOT_SECRET_FIELDS = frozenset({"token_type", "expires_in", "scope"})
_JSON_PAIR = re.compile(r'"((?:[^"\\]|\\.){1,200})"(\s*:\s*)"((?:[^"\\]|\\.)*)"')
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>]+")
# A literal credential shorter than this is not masked wherever it appears (masking "ab" in every
# answer would hide more than it protects); the field that carried it is still masked by name.
MIN_LITERAL_SECRET = 8


def mask(value: str) -> str:
    """`••••` plus the last 4 characters of a long value; `••••` for a short one; `""` stays `""`."""
    if not value:
        return ""
    if len(value) >= KEEP_TAIL_FROM_LENGTH:
        return MASK + value[-KEEP_TAIL:]
    return MASK


def secret_forms(secret: str) -> set[str]:
    """The secret as given and as it travels: URL-encoded (both ways) and JSON-escaped."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), quote(secret, safe="/:@")}
    forms.add(json.dumps(secret)[1:-1])
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    return {form for form in forms if form}


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    """`text` with each of these secret values masked wherever it appears, in any of its
    `secret_forms` (longest first, so a secret that contains another is masked whole)."""
    if not text:
        return text
    forms = {form for secret in secrets if secret for form in secret_forms(secret)}
    for form in sorted(forms, key=len, reverse=True):
        if form in text:
            text = text.replace(form, mask(form))
    return text


def mask_secret_fields(text: str) -> str:
    """JSON text with the string value of each secret-named key masked (`"access_token": "••••"`);
    anything else, JSON or not, is left exactly as it was."""
    if '"' not in text:
        return text

    def hide(match: re.Match[str]) -> str:
        name = match[1]
        if name.lower() in _NOT_SECRET_FIELDS or not is_secret_name(name) or not match[3]:
            return match[0]
        return f'"{name}"{match[2]}"{mask(match[3])}"'

    return _JSON_PAIR.sub(hide, text)


def mask_urls(text: str) -> str:
    """Each URL inside `text` (an error message) with its password and secret parameters masked."""
    if "://" not in text:
        return text
    return _URL_IN_TEXT.sub(lambda match: mask_url(match[0]), text)


def basic_credentials(username: str, password: str) -> str:
    """What HTTP Basic sends for this pair (what an echo of the header shows)."""
    return b64encode(f"{username}:{password}".encode()).decode("ascii")


def credential_values(
    headers: Iterable[tuple[str, str]], query: Iterable[tuple[str, str]] = ()
) -> set[str]:
    """The values in these headers and query parameters that are credentials by their name,
    typed literally or not: an Authorization's credentials (without the scheme), each cookie's
    value, a secret-named header's or parameter's value."""
    found: set[str] = set()
    for name, value in headers:
        lowered = name.strip().lower()
        if lowered in ("authorization", "proxy-authorization"):
            scheme, space, credentials = value.strip().partition(" ")
            found.add(credentials.strip() if space else scheme)
        elif lowered == "cookie":
            found.update(val.strip() for _, _, val in (p.partition("=") for p in value.split(";")))
        elif lowered != "set-cookie" and is_secret_name(lowered):
            found.add(value.strip())
    found.update(value for name, value in query if is_secret_name(name))
    return {value for value in found if len(value) >= MIN_LITERAL_SECRET}


def is_secret_name(name: str) -> bool:
    """Whether a header or query parameter name looks like it carries a secret."""
    lowered = name.strip().lower()
    if lowered in _NEVER_SECRET:
        return False
    return (
        lowered in _SECRET_HEADERS
        or lowered in _SECRET_EXACT
        or bool(_SECRET_PARTS.search(lowered))
        or bool(_SECRET_SUFFIX.search(lowered))
    )


def _mask_cookie_pairs(value: str) -> str:
    parts = []
    for pair in value.split(";"):
        name, eq, val = pair.partition("=")
        parts.append(f"{name}={mask(val.strip())}" if eq else pair)
    return ";".join(parts)


def mask_header(name: str, value: str) -> str:
    """The value of one header as it should be shown."""
    lowered = name.strip().lower()
    if lowered in ("authorization", "proxy-authorization"):
        scheme, space, credentials = value.strip().partition(" ")
        if not space:
            return mask(value)
        if scheme.lower() in ("basic", "digest"):
            return f"{scheme} {MASK}"
        return f"{scheme} {mask(credentials.strip())}"
    if lowered == "cookie":
        return _mask_cookie_pairs(value)
    if lowered == "set-cookie":
        first, sep, attributes = value.partition(";")
        return _mask_cookie_pairs(first) + sep + attributes
    if is_secret_name(lowered):
        return mask(value)
    return value


def mask_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers with secret values masked; names, order and other values unchanged."""
    return [(name, mask_header(name, value)) for name, value in headers]


def mask_url(url: str) -> str:
    """The URL with a userinfo password and secret-looking query values masked.

    Plain string surgery (no parsing/normalising), so everything else is shown exactly as given,
    and a malformed URL is masked as well as it can be rather than rejected.
    """
    scheme_end = url.find("://")
    if scheme_end >= 0:
        start = scheme_end + 3
        end = len(url)
        for stop in "/?#":
            found = url.find(stop, start)
            if found >= 0:
                end = min(end, found)
        netloc = url[start:end]
        userinfo, at, host = netloc.rpartition("@")
        if at:
            user, colon, password = userinfo.partition(":")
            if colon and password:
                url = url[:start] + f"{user}:{MASK}@{host}" + url[end:]
    query_start = url.find("?")
    if query_start < 0:
        return url
    fragment_start = url.find("#", query_start)
    query_end = len(url) if fragment_start < 0 else fragment_start
    pairs = []
    for pair in url[query_start + 1 : query_end].split("&"):
        name, eq, value = pair.partition("=")
        if eq and value and is_secret_name(unquote_plus(name)):
            pair = f"{name}={mask(unquote_plus(value))}"
        pairs.append(pair)
    return url[: query_start + 1] + "&".join(pairs) + url[query_end:]


def mask_auth(config: Any) -> dict[str, str]:
    """An auth config (an `auth.AuthConfig`, or its TOML table) as a table safe to show.

    Secret fields (password, token, client_secret) are masked unless they are only placeholders;
    `where` is left out and unset optional fields are dropped.
    """
    if isinstance(config, Mapping):
        items = [(str(key), value) for key, value in config.items()]
    else:
        items = [(f.name, getattr(config, f.name)) for f in fields(config) if f.name != "where"]
        items.sort(key=lambda item: item[0] != "type")  # type first, then declaration order
    shown: dict[str, str] = {}
    for name, value in items:
        if value is None or value == "":  # unset optional fields
            continue
        text = " ".join(map(str, value)) if isinstance(value, tuple | list) else str(value)
        if name in _SECRET_AUTH_FIELDS and not _ONLY_PLACEHOLDERS.match(text):
            text = mask(text)
        elif name == "token_url":
            text = mask_url(text)
        shown[name] = text
    return shown
