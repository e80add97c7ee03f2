"""Environments: one TOML file per environment in the collection's `env/` folder.

    # env/staging.toml
    production = false          # optional; true marks an environment to be careful with

    [variables]
    base_url = "https://staging.example.com"
    token = "{{env:STAGING_TOKEN}}"   # secrets stay out of the file

The environment's name is the file name without `.toml`. Its variables overlay the collection's
defaults (`[variables]` in `collection.toml`). Unknown top-level keys are ignored, so a newer
streamdash's settings do not break an older one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from streamdash.core.collections.models import (
    Collection,
    CollectionError,
    LoadError,
    _Checker,
    find_key_line,
    parse_toml,
    show,
)
from streamdash.core.collections.storage import ENV_DIR, read_text_file

__all__ = ["Environment", "UnknownEnvironment", "load_environments", "missing_hint", "variables_for"]

SUFFIX = ".toml"


@dataclass(frozen=True)
class Environment:
    name: str
    variables: dict[str, str] = field(default_factory=dict)
    production: bool = False
    path: Path | None = None


class UnknownEnvironment(ValueError):
    """`--env NAME` names no file in `env/`; the message lists the ones there are."""

    def __init__(self, name: str, known: list[str]) -> None:
        listed = ", ".join(sorted(known)) if known else "none"
        super().__init__(f"unknown environment '{name}' (known: {listed})")
        self.name = name
        self.known = sorted(known)


def environment_from_toml(text: str, path: Path) -> Environment:
    """Parse and validate one environment file; raises CollectionError (one line, path:line)."""
    data = parse_toml(text, path)
    check = _Checker(path, text)
    variables = dict(check.pairs(data, "variables", repeat=False))
    production = data.get("production", False)
    if not isinstance(production, bool):
        line = find_key_line(text, "production")
        raise CollectionError(
            LoadError(path, line, f"production: must be true or false, not {show(production)}")
        )
    return Environment(path.stem, variables, production, path)


def load_environments(
    root: Path, errors: list[LoadError] | None = None
) -> dict[str, Environment]:
    """Every `env/*.toml` of the collection at `root`, by name (sorted).

    A bad file raises CollectionError, unless `errors` is given: then it is appended there and
    skipped. No `env/` folder means no environments.
    """
    folder = Path(root) / ENV_DIR
    found: dict[str, Environment] = {}
    if not folder.is_dir():
        return found
    try:
        paths = sorted(p for p in folder.iterdir() if p.name.endswith(SUFFIX) and not p.name.startswith("."))
    except OSError as exc:
        error = LoadError(folder, None, f"cannot read folder: {exc.strerror or exc}")
        if errors is None:
            raise CollectionError(error) from None
        errors.append(error)
        return found
    for path in paths:  # not only regular files: a FIFO or a device is named, not skipped silently
        try:
            env = environment_from_toml(read_text_file(path), path)
        except CollectionError as exc:
            if errors is None:
                raise
            errors.append(exc.error)
            continue
        found[env.name] = env
    return found


def variables_for(
    collection: Collection,
    env_name: str | None,
    environments: Mapping[str, Environment],
    secret_values: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The collection's default variables, overlaid by its secrets file's (`secret_values`),
    overlaid by those of environment `env_name` (if any)."""
    variables = {**collection.variables, **(secret_values or {})}
    if env_name is None:
        return variables
    env = environments.get(env_name)
    if env is None:
        raise UnknownEnvironment(env_name, list(environments))
    variables.update(env.variables)
    return variables


def missing_hint(name: str, root: Path, current: str | None) -> str:
    """For "unknown variable 'name'": which environments define it, read from disk now (one
    added while the app runs counts), e.g. "(defined in environment staging; in use: none)".
    "" when none does, or when the name is an `{{env:NAME}}`."""
    if name.startswith("env:"):
        return ""
    defining = [env.name for env in load_environments(root, []).values() if name in env.variables]
    if not defining:
        return ""
    which = f"environment {defining[0]}" if len(defining) == 1 else "environments " + ", ".join(defining)
    return f"(defined in {which}; in use: {current or 'none'})"
