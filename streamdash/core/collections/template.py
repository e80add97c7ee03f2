"""`{{name}}` substitution, deliberately tiny.

Only `{{name}}` and `{{env:NAME}}` are special. There is no `$var` syntax and no escaping, so a
JSON body full of `$` and regexes goes out exactly as written. Substitution is one pass: a value
that itself contains `{{name}}` is sent as is, never expanded again. The one exception is a
secret's name: a variable may hold `{{env:NAME}}` (an environment file's `token =
"{{env:STAGING_TOKEN}}"`), read from the process environment, or the name of a variable of the
collection's secrets file (`token = "{{staging_token}}"`, as the app writes a secret typed into
an environment), one level deep.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import replace

from streamdash.core.collections.models import SavedRequest

_PLACEHOLDER = re.compile(r"\{\{\s*((?:env:)?[\w.\-]+)\s*\}\}")
ENV_PREFIX = "env:"


class SecretValue(str):
    """A variable's value that is a secret (one from the collection's secrets file): the
    `Renderer` remembers it by value, like an `{{env:NAME}}`, so it is masked wherever shown."""

    __slots__ = ()


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


class Renderer:
    """Fills the templates of one request and remembers the secrets it put in.

    `secrets` maps each `env:NAME` used to its value: values read from the process environment
    are secrets by this project's rule (they are the ones kept out of files), so whoever shows
    the request can mask them wherever they appear. A `SecretValue` variable joins them. `environ` may map a name to any stand-in
    (copy as curl puts a shell reference there).
    """

    def __init__(
        self,
        variables: Mapping[str, str],
        *,
        environ: Mapping[str, str] | None = None,
        source: str | None = None,
    ) -> None:
        self.variables = variables
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.source = source
        self.secrets: dict[str, str] = {}

    def __call__(self, template: str) -> str:
        return _PLACEHOLDER.sub(self._value, template)

    def _value(self, match: re.Match[str]) -> str:
        name = match[1]
        if name.startswith(ENV_PREFIX):
            return self._env(name)
        found = self.variables.get(name)
        if found is None:
            raise MissingVariable(name, self.source)
        text = str(found)
        if isinstance(found, SecretValue) and text:
            self.secrets[name] = text
        if "{{" in text:  # a variable naming a secret: token = "{{env:TOKEN}}" or "{{staging_token}}"
            text = _PLACEHOLDER.sub(self._secret, text)
        return text

    def _secret(self, match: re.Match[str]) -> str:
        """Inside a variable's value: `{{env:NAME}}`, or a secrets-file variable; anything else
        stays as written (one pass)."""
        name = match[1]
        if name.startswith(ENV_PREFIX):
            return self._env(name)
        found = self.variables.get(name)
        if not isinstance(found, SecretValue):
            return match[0]
        if found:
            self.secrets[name] = str(found)
        return str(found)

    def _env(self, name: str) -> str:
        value = self.environ.get(name.removeprefix(ENV_PREFIX))
        if value is None:
            raise MissingVariable(name, self.source)
        if value:
            self.secrets[name] = value
        return value


class AsWritten(Renderer):
    """A request typed on the command line (`tail URL -d ...`): its text has no templates and
    goes out exactly as written, braces and all."""

    def __init__(self) -> None:
        super().__init__({})

    def __call__(self, template: str) -> str:
        return template


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
    return Renderer(variables, environ=environ, source=source)(template)


def placeholders(template: str) -> list[str]:
    """The names a template uses, in order of first use (for "which variables are missing?")."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(template)))


def render_request(
    req: SavedRequest, variables: Mapping[str, str], *, environ: Mapping[str, str] | None = None
) -> SavedRequest:
    """A copy with url, query values, header values and body rendered (auth is not: see
    `core.http.prepare`, the one path from a saved request to what is sent)."""
    fill = Renderer(variables, environ=environ, source=str(req.path) if req.path else req.name)
    return render_fields(req, fill)


def render_fields(req: SavedRequest, fill: Renderer) -> SavedRequest:
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
