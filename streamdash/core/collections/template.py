"""`{{name}}` substitution, deliberately tiny.

Only `{{name}}` and `{{env:NAME}}` are special. There is no `$var` syntax and no escaping, so a
JSON body full of `$` and regexes goes out exactly as written. Substitution is one pass: a value
that itself contains `{{...}}` is sent as is, never expanded again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import replace

from streamdash.core.collections.models import SavedRequest

_PLACEHOLDER = re.compile(r"\{\{\s*((?:env:)?[\w.\-]+)\s*\}\}")
ENV_PREFIX = "env:"


class MissingVariable(KeyError):
    """A `{{name}}` with no value. `str()` is one line naming the variable (and where it was used)."""

    def __init__(self, name: str, source: str | None = None) -> None:
        super().__init__(name)
        self.name = name
        self.source = source

    def __str__(self) -> str:
        message = f"unknown variable '{self.name}'"
        if self.name.startswith(ENV_PREFIX):
            message += f" ({self.name.removeprefix(ENV_PREFIX)} is not set in the environment)"
        return f"{self.source}: {message}" if self.source else message


def render(
    template: str,
    variables: Mapping[str, str],
    *,
    environ: Mapping[str, str] | None = None,
    source: str | None = None,
) -> str:
    """Replace each `{{name}}`; `{{env:NAME}}` reads `environ` (default `os.environ`).

    Secrets stay out of the collection files this way: only their names are saved.
    """
    env = os.environ if environ is None else environ

    def value(match: re.Match[str]) -> str:
        name = match[1]
        if name.startswith(ENV_PREFIX):
            found = env.get(name.removeprefix(ENV_PREFIX))
        else:
            found = variables.get(name)
        if found is None:
            raise MissingVariable(name, source)
        return str(found)

    return _PLACEHOLDER.sub(value, template)


def placeholders(template: str) -> list[str]:
    """The names a template uses, in order of first use (for "which variables are missing?")."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(template)))


def render_request(
    req: SavedRequest, variables: Mapping[str, str], *, environ: Mapping[str, str] | None = None
) -> SavedRequest:
    """A copy ready to send: url, query values, header values and body rendered."""
    source = str(req.path) if req.path else req.name

    def fill(text: str) -> str:
        return render(text, variables, environ=environ, source=source)

    return replace(
        req,
        url=fill(req.url),
        query=[(key, fill(value)) for key, value in req.query],
        headers=[(key, fill(value)) for key, value in req.headers],
        body=None if req.body is None else fill(req.body),
    )


def is_placeholder(text: str) -> bool:
    """The whole text is one `{{name}}` or `{{env:NAME}}`: what a secret field may hold in a
    file, so that only the secret's name is ever saved."""
    return _PLACEHOLDER.fullmatch(text.strip()) is not None
