"""The collection's git-ignored secrets file: credentials an import took out of its requests.

    # .secrets.toml at the collection's root (mode 0600, listed in the root's .gitignore)
    [variables]
    authorization = "Bearer eyJhbGciOi..."
    api_key = "k-123"

Decisions:
- An import (a pasted curl command, a `.http` file) never writes a credential into a request
  file: each literal one becomes a `{{variable}}` whose value goes here. Credentials are the
  values of Authorization / Proxy-Authorization, Cookie and secret-named headers (X-API-Key,
  X-Auth-Token, *-Secret...), secret-named query parameters, the auth table's password, token
  and client_secret, a URL's userinfo password, a secret-named field of a JSON or form body
  (`"password": "..."`, taken as written so the body renders back byte for byte), and a `.http`
  file's secret-named `@variables`.
- A variable is named for where the credential was (`authorization`, `x_api_key`, `api_key`,
  `password`). The same value again reuses its name; another value under a taken name gets
  `_2`, `_3`... so no import ever changes what an earlier request sends.
- Precedence: the collection's `[variables]` < this file < the active environment < overrides.
  An environment can so point the same name elsewhere (`authorization = "{{env:PROD_AUTH}}"`).
- Its values are secrets by this project's rule: `SecretValue` marks them, so `prepare()` knows
  them by value and every sink masks them; copy as curl, on purpose, gives them as they are.
- The file is hidden (a leading dot), so a collection load never reads it as a request. Written
  atomically, 0600 whatever the umask; `.gitignore` gets its line once (created if absent).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import tomli_w

from streamdash.core.collections.models import (
    CollectionError,
    LoadError,
    SavedRequest,
    _Checker,
    parse_toml,
)
from streamdash.core.collections.storage import atomic_write, read_text_file
from streamdash.core.collections.template import SecretValue
from streamdash.core.http.secrets import is_secret_name

__all__ = [
    "GITIGNORE",
    "SECRETS_FILE",
    "SecretValue",
    "load_secret_values",
    "save_secret_values",
    "take_all_credentials",
    "take_credentials",
]

SECRETS_FILE = ".secrets.toml"
GITIGNORE = ".gitignore"
_HEADER = (
    "# Credentials streamdash kept out of the collection's files (imports, the environment\n"
    "# editor), used as {{variables}}.\n"
    "# Git-ignored (see .gitignore): keep this file to yourself.\n"
)
_AUTH_SECRETS = ("password", "token", "client_secret")
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


def load_secret_values(root: Path, errors: list[LoadError] | None = None) -> dict[str, str]:
    """The secrets file's variables (each a `SecretValue`); none when there is no file. A bad
    file raises CollectionError (one line, path:line), unless `errors` is given: then it is
    appended there and no secrets are used."""
    path = Path(root) / SECRETS_FILE
    if not path.is_file():
        return {}
    try:
        text = read_text_file(path)
        data = parse_toml(text, path)
        pairs = _Checker(path, text).pairs(data, "variables", repeat=False)
    except CollectionError as exc:
        if errors is None:
            raise
        errors.append(exc.error)
        return {}
    return {name: SecretValue(value) for name, value in pairs}


def save_secret_values(root: Path, values: Mapping[str, str]) -> Path:
    """Add `values` to the secrets file (created 0600 when absent) and make sure `.gitignore`
    ignores it. Raises OSError; CollectionError when the existing file cannot be read."""
    path = Path(root) / SECRETS_FILE
    current = {name: str(value) for name, value in load_secret_values(root).items()}
    current.update({name: str(value) for name, value in values.items()})
    _ignore(Path(root))
    atomic_write(path, _HEADER + tomli_w.dumps({"variables": current}))
    with contextlib.suppress(OSError):  # e.g. a file system without modes
        os.chmod(path, 0o600)
    return path


def _ignore(root: Path) -> None:
    """`.gitignore` lists the secrets file exactly once."""
    path = root / GITIGNORE
    text = path.read_bytes().decode("utf-8", "surrogateescape") if path.exists() else ""
    lines = [line.strip() for line in text.splitlines()]
    if SECRETS_FILE in lines or "/" + SECRETS_FILE in lines:
        return
    separator = "" if not text or text.endswith("\n") else "\n"
    with open(path, "a", encoding="utf-8", errors="surrogateescape") as file:
        file.write(f"{separator}{SECRETS_FILE}\n")  # an append: the user's lines stay as they are


# --- taking credentials out of a request ---------------------------------------------------------


def _name_for(where: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", where.strip().lower()).strip("_")
    return name or "secret"


class _Vault:
    """The names taken so far: the same value keeps its name, another value gets a new one."""

    def __init__(self, known: Mapping[str, str], taken: Mapping[str, str]) -> None:
        self.known = {name: str(value) for name, value in known.items()}
        self.taken: set[str] = set(taken)  # variable names in use elsewhere (collection, env)
        self.new: dict[str, str] = {}

    def name(self, where: str, value: str) -> str:
        base = _name_for(where)
        for name, held in self.known.items():
            if held == value and (name == base or re.fullmatch(rf"{re.escape(base)}_\d+", name)):
                return name
        name, counter = base, 2
        while name in self.known or name in self.taken:
            name, counter = f"{base}_{counter}", counter + 1
        self.known[name] = self.new[name] = value
        return name


def _literal(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and "{{" not in value


def take_credentials(
    request: SavedRequest,
    known: Mapping[str, str] | None = None,
    taken: Mapping[str, str] | None = None,
) -> tuple[SavedRequest, dict[str, str]]:
    """The request with each literal credential replaced by a `{{variable}}`, and the new
    variables (name -> value) for the secrets file. `known` is the secrets file's content
    (reused for the same value), `taken` names already used by other variables."""
    vault = _Vault(known or {}, taken or {})

    def hide(where: str, value: str) -> str:
        return "{{" + vault.name(where, value) + "}}"

    headers = []
    for name, value in request.headers:
        lowered = name.strip().lower()
        secret = lowered in _CREDENTIAL_HEADERS or (lowered != "set-cookie" and is_secret_name(lowered))
        headers.append((name, hide(name, value) if secret and _literal(value) else value))
    query = [
        (name, hide(name, value) if is_secret_name(name) and _literal(value) else value)
        for name, value in request.query
    ]
    url = _hide_userinfo(request.url, hide)
    body = _hide_in_body(request.body, request.headers, hide) if request.body else request.body
    extra = dict(request.extra)
    auth = extra.get("auth")
    if isinstance(auth, Mapping):
        auth = dict(auth)
        for field in _AUTH_SECRETS:
            if _literal(auth.get(field)):
                auth[field] = hide(field, auth[field])
        extra["auth"] = auth
    changed = replace(request, url=url, headers=headers, query=query, body=body, extra=extra)
    return changed, vault.new


def take_all_credentials(
    requests: Sequence[SavedRequest],
    known: Mapping[str, str] | None = None,
    taken: Mapping[str, str] | None = None,
) -> tuple[list[SavedRequest], dict[str, str]]:
    """`take_credentials` over several requests (an import, a paste): a value an earlier one
    gave up keeps its name in the later ones. Returns the requests and every new variable."""
    known = dict(known or {})
    moved: dict[str, str] = {}
    cleaned = []
    for request in requests:
        request, new = take_credentials(request, known, taken)
        known.update(new)
        moved.update(new)
        cleaned.append(request)
    return cleaned, moved


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_COLON = re.compile(r"\s*:\s*")


def _hide_in_body(body: str, headers: Sequence[tuple[str, str]], hide: Any) -> str:
    """A JSON body's `"password": "..."` (any secret-named key, at any depth) or a form body's
    `client_secret=...` with the value as a variable. The value is taken as written (still
    JSON-escaped or percent-encoded), so the body renders back to the same bytes."""
    stripped = body.strip()
    if stripped[:1] in ("{", "["):
        try:
            json.loads(body)
        except ValueError:
            return body
        # In valid JSON every `"` outside a string opens one, so these matches are its strings
        # in order: a string followed by `:` is a key and the next string its value.
        parts, last = [], 0
        for key, value in itertools.pairwise(_JSON_STRING.finditer(body)):
            if not _JSON_COLON.fullmatch(body, key.end(), value.start()):
                continue
            name, raw = json.loads(key.group()), value.group()[1:-1]
            if is_secret_name(name) and _literal(raw):
                parts += [body[last:value.start() + 1], hide(name, raw)]
                last = value.end() - 1
        return "".join(parts) + body[last:]
    content_type = next((v for n, v in headers if n.strip().lower() == "content-type"), "")
    if "x-www-form-urlencoded" not in content_type.lower():
        return body
    pairs = []
    for pair in body.split("&"):
        name, eq, raw = pair.partition("=")
        secret = eq and is_secret_name(unquote_plus(name)) and _literal(raw)
        pairs.append(f"{name}={hide(unquote_plus(name), raw)}" if secret else pair)
    return "&".join(pairs)


def _hide_userinfo(url: str, hide: Any) -> str:
    """`scheme://user:pw@host` with the password as a variable (the user name stays)."""
    scheme_end = url.find("://")
    if scheme_end < 0:
        return url
    start = scheme_end + 3
    end = min([i for i in (url.find(c, start) for c in "/?#") if i >= 0] or [len(url)])
    userinfo, at, host = url[start:end].rpartition("@")
    user, colon, password = userinfo.partition(":")
    if not (at and colon and _literal(password)):
        return url
    return f"{url[:start]}{user}:{hide('password', password)}@{host}{url[end:]}"
