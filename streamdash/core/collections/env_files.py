"""Writing environments and the collection's variables from the app: create, edit, rename and
delete `env/NAME.toml`, and the `[variables]` table of `collection.toml`.

The editor gives variables as lines (`name = value`, one per line, `#` comments). Decisions:

- A secret stays out of the files that go to git. A literal value under a secret-like name
  (`token`, `api_key`, `password`... see `is_secret_name`) goes to the git-ignored secrets file
  (`.secrets.toml`); an environment's file then names it (`token = "{{staging_token}}"`, a
  variable naming another), the collection's `[variables]` leaves it out (the secrets file
  overlays them). `{{env:NAME}}` and `{{other}}` are references, never secrets themselves.
- Only the `[variables]` table (and an environment's `production` line) is rewritten: the other
  keys, the comments and the layout of the file stay as they were.
- Every write is atomic; a name that is taken, or not a plain file name, is one-line refusal.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import tomli_w

from streamdash.core.collections import COLLECTION_FILE
from streamdash.core.collections.models import CollectionError, LoadError
from streamdash.core.collections.secret_values import save_secret_values
from streamdash.core.collections.storage import ENV_DIR, atomic_write, read_text_file
from streamdash.core.collections.template import is_placeholder
from streamdash.core.http.secrets import is_secret_name

__all__ = [
    "SavedVariables",
    "delete_environment",
    "environment_name_problem",
    "parse_variable_lines",
    "save_collection_variables",
    "save_environment",
    "variable_lines",
]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_TABLE = re.compile(r"^\s*\[")  # a table header line: where the top-level keys end


@dataclass(frozen=True)
class SavedVariables:
    path: Path
    moved: tuple[str, ...] = ()  # variables whose values went to the secrets file, by their new name


def environment_name_problem(name: str) -> str | None:
    if not _NAME.fullmatch(name) or name.endswith(".toml"):
        return (f"environment name {name!r}: letters, digits, '.', '_' and '-', starting with a "
                "letter or digit (it is the file name)")
    return None


def variable_lines(variables: Mapping[str, str]) -> str:
    """The editor's text for a set of variables."""
    return "".join(f"{name} = {value}\n" for name, value in variables.items())


def parse_variable_lines(text: str) -> list[tuple[str, str]]:
    """`name = value` lines (blank lines and `# comments` skipped; the value is the rest of the
    line, spaces around it trimmed). Raises ValueError naming the line."""
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, eq, value = stripped.partition("=")
        name = name.strip()
        if not eq:
            raise ValueError(f"line {number}: want name = value, got {stripped[:40]!r}")
        if not _VARIABLE.fullmatch(name):
            raise ValueError(f"line {number}: {name[:40]!r} is not a variable name (letters, digits, _ . -)")
        if name in found:
            raise ValueError(f"line {number}: {name!r} is given twice")
        found[name] = value.strip()
    return list(found.items())


def _secret_literal(name: str, value: str) -> bool:
    return bool(value) and is_secret_name(name) and not is_placeholder(value) and "{{" not in value


def save_environment(
    root: Path,
    name: str,
    variables: Sequence[tuple[str, str]],
    *,
    production: bool = False,
    old_name: str | None = None,
    secrets: Mapping[str, str] | None = None,
    secret_names: Collection[str] = (),
) -> SavedVariables:
    """Write `env/NAME.toml` (a new one, or the one named `old_name`, renamed to `name` when the
    names differ). `secret_names`: variables that are secrets whatever their names (an import
    knows). Raises CollectionError (one line) and OSError."""
    if (problem := environment_name_problem(name)) is not None:
        raise CollectionError(LoadError(root / ENV_DIR, None, problem))
    folder = root / ENV_DIR
    target = folder / f"{name}.toml"
    source = folder / f"{old_name}.toml" if old_name else None
    if (source is None or source != target) and target.exists():
        raise CollectionError(LoadError(target, None, f"an environment named {name!r} exists already"))
    text = read_text_file(source) if source is not None and source.exists() else ""
    kept, moved = _split_secrets(variables, secrets or {}, prefix=f"{name}_", secret_names=secret_names)
    new_secrets = {secret: value for _, secret, value in moved}
    pairs = [(n, v) for n, v in kept] + [(n, "{{" + secret + "}}") for n, secret, _ in moved]
    if new_secrets:
        save_secret_values(root, new_secrets)
    folder.mkdir(exist_ok=True)
    text = _set_production(text, production)
    atomic_write(target, _replace_variables(text, pairs))
    if source is not None and source != target:
        source.unlink(missing_ok=True)
    return SavedVariables(target, tuple(new_secrets))


def save_collection_variables(
    root: Path,
    variables: Sequence[tuple[str, str]],
    *,
    secrets: Mapping[str, str] | None = None,
    secret_names: Collection[str] = (),
) -> SavedVariables:
    """Rewrite the `[variables]` table of `collection.toml`; secret literals go to the secrets
    file under their own name (it overlays the collection's variables)."""
    path = root / COLLECTION_FILE
    text = read_text_file(path) if path.exists() else ""
    kept, moved = _split_secrets(variables, secrets or {}, prefix="", keep_name=True, secret_names=secret_names)
    new_secrets = {secret: value for _, secret, value in moved}
    if new_secrets:
        save_secret_values(root, new_secrets)
    atomic_write(path, _replace_variables(text, kept))
    return SavedVariables(path, tuple(new_secrets))


def delete_environment(root: Path, name: str) -> Path:
    path = root / ENV_DIR / f"{name}.toml"
    if environment_name_problem(name) is not None or not path.is_file():
        raise CollectionError(LoadError(path, None, "no such environment file"))
    path.unlink()
    return path


def _split_secrets(
    variables: Sequence[tuple[str, str]],
    secrets: Mapping[str, str],
    *,
    prefix: str,
    keep_name: bool = False,
    secret_names: Collection[str] = (),
) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """(the variables that stay, (name, secret name, value) for those the secrets file takes).
    A secret name already holding another value gets `_2`, `_3`... (an earlier request may
    use it)."""
    kept: list[tuple[str, str]] = []
    moved: list[tuple[str, str, str]] = []
    taken = dict(secrets)
    for name, value in variables:
        literal = bool(value) and not is_placeholder(value) and "{{" not in value
        if not (_secret_literal(name, value) or (name in secret_names and literal)):
            kept.append((name, value))
            continue
        base = name if keep_name else f"{prefix}{name}".replace("-", "_").replace(".", "_")
        secret, counter = base, 2
        while secret in taken and taken[secret] != value and not keep_name:
            secret, counter = f"{base}_{counter}", counter + 1
        taken[secret] = value
        moved.append((name, secret, value))
    return kept, moved


def _replace_variables(text: str, pairs: Sequence[tuple[str, str]]) -> str:
    """`text` with its `[variables]` table replaced by `pairs` (appended when it has none);
    every other line as it was."""
    table = tomli_w.dumps({"variables": dict(pairs)}) if pairs else ""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == "[variables]"), None)
    if start is None:
        body = "".join(lines)
        if body and not body.endswith("\n"):
            body += "\n"
        return body + ("\n" if body.strip() and table else "") + table
    end = next((i for i in range(start + 1, len(lines)) if _TABLE.match(lines[i])), len(lines))
    tail = "".join(lines[end:])
    head = "".join(lines[:start])
    return head + table + ("\n" if tail and table else "") + tail


def _set_production(text: str, production: bool) -> str:
    """The top-level `production = ...` line set (removed when false and absent before)."""
    lines = text.splitlines(keepends=True)
    end = next((i for i, line in enumerate(lines) if _TABLE.match(line)), len(lines))
    for i in range(end):
        if re.match(r"\s*production\s*=", lines[i]):
            lines[i] = f"production = {'true' if production else 'false'}\n"
            return "".join(lines)
    if production:
        gap = "\n" if lines and _TABLE.match(lines[0]) else ""
        lines.insert(0, "production = true\n" + gap)
    return "".join(lines)


