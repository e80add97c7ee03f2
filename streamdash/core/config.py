"""Where streamdash keeps its files, and the few user settings in `config.toml`.

Every location can be moved by an environment variable because SSH boxes often have read-only
or throwaway home directories. A bad settings file never stops the app: it falls back to defaults
and says why in one-line warnings.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import platformdirs

from streamdash.core.buffer import DEFAULT_BUFFER_SIZE
from streamdash.core.collections.models import CollectionError, find_key_line, parse_toml, show
from streamdash.core.files import read_regular_file

APP_NAME = "streamdash"
CONFIG_FILE = "config.toml"
ENV_CONFIG_DIR = "STREAMDASH_CONFIG_DIR"
ENV_DATA_DIR = "STREAMDASH_DATA_DIR"
ENV_STATE_DIR = "STREAMDASH_STATE_DIR"

REFRESH_HZ_RANGE = (0.5, 60.0)
BUFFER_SIZE_RANGE = (1_000, 10_000_000)


@dataclass(frozen=True)
class Locations:
    """The three folders streamdash uses: settings, collections (data), history (state)."""

    config_dir: Path
    data_dir: Path
    state_dir: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Locations:
        """Platform defaults, each replaced by its STREAMDASH_*_DIR variable when that is set."""

        def pick(variable: str, default: Callable[[], Path]) -> Path:
            value = environ.get(variable, "").strip()
            return Path(value).expanduser() if value else default()

        return cls(
            config_dir=pick(ENV_CONFIG_DIR, lambda: platformdirs.user_config_path(APP_NAME, appauthor=False)),
            data_dir=pick(ENV_DATA_DIR, lambda: platformdirs.user_data_path(APP_NAME, appauthor=False)),
            state_dir=pick(ENV_STATE_DIR, lambda: platformdirs.user_state_path(APP_NAME, appauthor=False)),
        )

    @property
    def config_file(self) -> Path:
        return self.config_dir / CONFIG_FILE

    @property
    def default_collection(self) -> Path:
        return self.data_dir / "collections" / "default"


@dataclass(frozen=True)
class Settings:
    """User settings. `refresh_hz` is the knob for slow SSH links: frames cost, events do not."""

    refresh_hz: float = 20.0
    buffer_size: int = DEFAULT_BUFFER_SIZE
    theme: str = "textual-dark"


def _number(value: Any, *, whole: bool) -> bool:
    if isinstance(value, bool):
        return False
    if whole:
        return isinstance(value, int)
    return isinstance(value, int | float) and math.isfinite(value)


def _check(key: str, value: Any) -> tuple[Any, str | None]:
    """The value to use, or an explanation of why it cannot be used."""
    if key == "refresh_hz":
        low, high = REFRESH_HZ_RANGE
        if not _number(value, whole=False) or not low <= value <= high:
            return None, f"must be a number from {low:g} to {high:g}, not {show(value)}"
        return float(value), None
    if key == "buffer_size":
        low, high = BUFFER_SIZE_RANGE
        if not _number(value, whole=True) or not low <= value <= high:
            return None, f"must be a whole number from {low:_} to {high:_}, not {show(value)}"
        return value, None
    if key == "theme":
        if not isinstance(value, str) or not value.strip():
            return None, f"must be a theme name, not {show(value)}"
        return value.strip(), None
    raise AssertionError(f"no check for {key}")


def load_settings(locations: Locations) -> tuple[Settings, list[str]]:
    """Settings from `config.toml`; a missing file is normal, a bad one only produces warnings.

    Each bad value falls back to its default on its own, so one typo does not reset the rest.
    """
    path = locations.config_file
    try:
        raw = read_regular_file(path)  # a FIFO or /dev/zero here must not hang every start
    except FileNotFoundError:
        return Settings(), []
    except OSError as exc:
        return Settings(), [f"{path}: cannot read: {exc.strerror or exc}; using default settings"]
    try:
        text = raw.decode("utf-8-sig")
        data = parse_toml(text, path)
    except UnicodeDecodeError:
        return Settings(), [f"{path}: not UTF-8 text; using default settings"]
    except CollectionError as exc:
        return Settings(), [f"{exc.error}; using default settings"]

    defaults = Settings()
    values: dict[str, Any] = {}
    warnings: list[str] = []
    known = {f.name for f in fields(Settings)}
    for key, value in data.items():
        line = find_key_line(text, key)
        where = f"{path}:{line}" if line else str(path)
        if key == "keys":
            continue  # the keymap: core/keymap.py reads and checks it
        if key not in known:
            warnings.append(f"{where}: unknown setting {key!r} (ignored)")
            continue
        usable, problem = _check(key, value)
        if problem is None:
            values[key] = usable
        else:
            warnings.append(f"{where}: {key} {problem}; using {getattr(defaults, key)!r}")
    return Settings(**values), warnings
