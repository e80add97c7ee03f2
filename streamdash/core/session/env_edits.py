"""Creating, editing and deleting environments and the collection's variables while the app
runs: the file is written (core/collections/env_files.py), the session reads the variables
again, and when the environment in use changed its running streams follow (as a switch does).

Each method returns None when done (with one notice saying what was written and where secrets
went) or the reason in one line, for the editor to show while it stays open.
"""

from __future__ import annotations

from typing import Protocol

from streamdash.core.collections.env_files import (
    delete_environment,
    parse_variable_lines,
    save_collection_variables,
    save_environment,
)
from streamdash.core.collections.environments import Environment, load_environments
from streamdash.core.collections.models import Collection, CollectionError, LoadError
from streamdash.core.collections.secret_values import SECRETS_FILE, load_secret_values
from streamdash.core.collections.storage import load_collection
from streamdash.core.session.events import Severity


class _Session(Protocol):
    """What of the session these edits use (a protocol: the session owns them, no cycle)."""

    collection: Collection
    environments: dict[str, Environment]
    secret_values: dict[str, str]
    env_errors: list[LoadError]
    env_name: str | None

    def notice(self, text: str, title: str = "", severity: Severity = "information",
               timeout: float | None = None) -> None: ...

    def use_environment(self, name: str | None) -> None: ...

__all__ = ["EnvironmentEdits"]


class EnvironmentEdits:
    def __init__(self, session: _Session) -> None:
        self.session = session

    def save(self, name: str, text: str, *, production: bool = False, old_name: str | None = None) -> str | None:
        """A new environment (`old_name` None) or an edit of `old_name`, renamed to `name`."""
        session = self.session
        name = name.strip()
        try:
            variables = parse_variable_lines(text)
            saved = save_environment(
                session.collection.root, name, variables, production=production,
                old_name=old_name, secrets=session.secret_values,
            )
        except ValueError as exc:  # CollectionError too
            return str(exc)
        except OSError as exc:
            return f"{session.collection.root}: not saved: {exc.strerror or exc}"
        self._reread()
        follows = old_name is not None and old_name == session.env_name
        what = "saved" if old_name == name else ("renamed to" if old_name else "created")
        note = f"environment {name!r} {what}" if what != "renamed to" else f"environment {old_name!r} renamed to {name!r}"
        session.notice(note + self._moved(saved.moved), "environments", timeout=6)
        if follows:
            session.use_environment(name)  # running streams follow the new values
        return None

    def delete(self, name: str) -> str | None:
        session = self.session
        try:
            delete_environment(session.collection.root, name)
        except CollectionError as exc:
            return str(exc)
        except OSError as exc:
            return f"{name}: not deleted: {exc.strerror or exc}"
        self._reread()
        session.notice(f"environment {name!r} deleted", "environments", timeout=5)
        if session.env_name == name:
            session.use_environment(None)
        return None

    def save_collection(self, text: str) -> str | None:
        """The collection's own `[variables]` (the defaults every environment overlays)."""
        session = self.session
        try:
            saved = save_collection_variables(
                session.collection.root, parse_variable_lines(text), secrets=session.secret_values
            )
        except ValueError as exc:
            return str(exc)
        except OSError as exc:
            return f"{session.collection.root}: not saved: {exc.strerror or exc}"
        self._reread(collection=True)
        session.notice("collection variables saved" + self._moved(saved.moved), "environments", timeout=6)
        session.use_environment(session.env_name)
        return None

    def reread(self) -> None:
        """The environments and the secrets file from disk again (the picker opens on what is
        there now, one added by hand or by git included)."""
        self._reread()

    def _reread(self, *, collection: bool = False) -> None:
        session = self.session
        root = session.collection.root
        session.env_errors = []
        session.environments = load_environments(root, session.env_errors)
        session.secret_values = load_secret_values(root, session.env_errors)
        if collection:
            session.collection.variables = load_collection(root).variables

    @staticmethod
    def _moved(names: tuple[str, ...]) -> str:
        if not names:
            return ""
        listed = ", ".join("{{" + name + "}}" for name in names)
        return f"; secrets moved to {SECRETS_FILE} (git-ignored) as {listed}"
