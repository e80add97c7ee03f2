"""What every importer returns, and the small pieces of reading they share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from streamdash.core.collections.models import SavedRequest

__all__ = ["ImportRefused", "Imported", "dynamic_variable_warning", "fill_path_params", "keep_order",
           "oauth2_auth", "table", "to_placeholders"]


class ImportRefused(ValueError):
    """A file no importer can read; `str()` is one line naming the file and why."""


@dataclass
class Imported:
    """A file's requests (each with its folder as `group`), its environments (name ->
    variables), the collection's own variables, and what was left behind, one line each."""

    format: str
    name: str = ""
    requests: list[SavedRequest] = field(default_factory=list)
    environments: dict[str, dict[str, str]] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Variables the tool marked secret (Postman's `type: secret`, Insomnia's private
    # environments): they go to the secrets file whatever their names.
    secret_names: set[str] = field(default_factory=set)

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)


def oauth2_auth(token_url: str, client_id: str, client_secret: str | None, *, scope: str = "",
                password_grant: tuple[str, str] | None = None) -> dict[str, Any]:
    """Our [auth] table for an OAuth2 grant a tool names: client credentials, or with
    `password_grant` (username, password) the password grant (a client secret optional)."""
    table: dict[str, Any] = {"type": "oauth2", "token_url": token_url, "client_id": client_id}
    if client_secret is not None:
        table["client_secret"] = client_secret
    if password_grant is not None:
        table.update(grant="password", username=password_grant[0], password=password_grant[1])
    if scope:
        table["scope"] = scope
    return table


def keep_order(imported: Imported) -> None:
    """Number each request within its folder in the order it has now (`order = N`): the tool
    ran them in that order (a login before the requests using its token), and the collection
    would otherwise sort them by name."""
    counts: dict[tuple[str, ...], int] = {}
    for index, request in enumerate(imported.requests):
        counts[request.group] = counts.get(request.group, 0) + 1
        imported.requests[index] = replace(request, extra={**request.extra, "order": counts[request.group]})


# `{{name}}` (Postman, Bruno, Insomnia's `{{ _.name }}`), with the dynamic ones (`{{$guid}}`)
# left as written: they mean nothing here.
_PLACEHOLDER = re.compile(r"\{\{\s*(?:_\.)?([\w.\-$]+)\s*\}\}")


def to_placeholders(text: str, imported: Imported, where: str) -> str:
    """A template in the tool's syntax as ours; a dynamic variable is kept as written with one
    warning (it would be sent as braces)."""

    def one(match: re.Match[str]) -> str:
        name = match[1]
        if name.startswith("$"):
            imported.warn(dynamic_variable_warning(name, where))
            return match[0]
        return "{{" + name + "}}"

    return _PLACEHOLDER.sub(one, text)


def dynamic_variable_warning(name: str, where: str) -> str:
    return f"{where}: {{{{{name}}}}} is a dynamic variable streamdash does not have: sent as written"


def table(value: object) -> dict[str, Any]:
    """`value` when it is a table (a JSON object, a YAML mapping), else an empty one: the
    files come from other tools, and a field of the wrong type reads as absent."""
    return value if isinstance(value, dict) else {}


def fill_path_params(url: str, params: list[tuple[str, str]]) -> str:
    """`/users/:id` with `id` from the tool's path parameters (Postman's `url.variable`, Bruno's
    `params:path`), as the tool sends it; a parameter with no value becomes `{{id}}`."""
    for name, value in params:
        if name:
            filled = "/" + (value or "{{" + name + "}}")
            url = re.sub(rf"/:{re.escape(name)}(?=[/?#]|$)", filled.replace("\\", "\\\\"), url)
    return url
