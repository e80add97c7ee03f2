"""Environments (F6 or E): a list to choose from, not a cycle, so the next key press never lands
in production by accident. A production environment is marked, and choosing it asks first.
The same list creates (a), edits (e) and deletes (d) them; `e` on "no environment" edits the
collection's own variables, the defaults every environment overlays."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Static
from textual.widgets.option_list import Option

from streamdash.core.collections.env_files import variable_lines
from streamdash.core.collections.environments import Environment
from streamdash.core.session.env_edits import EnvironmentEdits
from streamdash.core.text import escape_controls
from streamdash.ui.screens.dialog import Dialog
from streamdash.ui.screens.dialogs import CarefulConfirmScreen, ConfirmScreen
from streamdash.ui.widgets.option_list import OptionList
from streamdash.ui.widgets.text_inputs import Input, TextArea

NONE = "\x00none"  # the option id of "no environment" (no file may be named so)


class EnvironmentScreen(Dialog[tuple[str | None] | None]):
    """Dismisses with `(name,)` (`(None,)`: no environment), or None when cancelled."""

    BINDINGS = [
        Binding("escape,q", "cancel", "Cancel"),
        Binding("a", "add", "Add"),
        Binding("e", "edit", "Edit"),
        Binding("d,delete", "delete", "Delete"),
    ]

    def __init__(
        self,
        environments: Mapping[str, Environment],
        current: str | None,
        edits: EnvironmentEdits | None = None,
    ) -> None:
        super().__init__()
        self.environments = environments
        self.current = current
        self.edits = edits

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small", id="environments"):
            yield Static("Environment (Enter: use it, Esc: keep the current one)", classes="dialog-title", markup=False)
            yield OptionList(*self._options(), id="environment-list")
            if self.edits is not None:
                yield Static("", id="environment-status", markup=False)
                yield Static("a: add   e: edit (on no environment: the collection's variables)   d: delete",
                             classes="hint", markup=False)

    def _options(self) -> list[Option]:
        options = [Option(self._label(None), id=NONE)]
        return options + [Option(self._label(name), id=name) for name in self.environments]

    def _label(self, name: str | None) -> Text:
        text = Text("\u25cf " if name == self.current else "  ")
        text.append(escape_controls(name) if name else "no environment")
        env = self.environments.get(name) if name else None
        if env is not None and env.production:
            text.append("  \u26a0 PRODUCTION", style="bold")
        return text

    def on_mount(self) -> None:
        self._highlight(self.current)
        self.query_one(OptionList).focus()

    def _highlight(self, name: str | None) -> None:
        listing = self.query_one(OptionList)
        names = [None, *self.environments]
        listing.highlighted = names.index(name) if name in names else 0

    def _refresh(self, select: str | None) -> None:
        if self.edits is not None:
            session = self.edits.session
            self.environments, self.current = session.environments, session.env_name
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options(self._options())
        self._highlight(select)

    def _status(self, text: str) -> None:
        if self.edits is not None:
            self.query_one("#environment-status", Static).update(text)

    def _selected(self) -> str | None:
        """The highlighted environment's name; None for "no environment"."""
        listing = self.query_one(OptionList)
        index = listing.highlighted
        if index is None or index == 0:
            return None
        names = list(self.environments)
        return names[index - 1] if 0 < index <= len(names) else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id
        name = None if option_id in (None, NONE) else option_id
        env = self.environments.get(name) if name else None
        if env is None or not env.production or name == self.current:
            self.dismiss((name,))
            return

        def confirmed(yes: bool | None) -> None:
            # No keeps the environment in use and closes the list: nothing half-chosen stays up.
            self.dismiss((name,) if yes else None)

        self.app.push_screen(
            CarefulConfirmScreen(f"Use the PRODUCTION environment {name!r}? Requests and running "
                          "streams will go to its servers."),
            confirmed,
        )

    def action_add(self) -> None:
        if self.edits is not None:
            self.app.push_screen(EnvironmentEditScreen(self.edits, None), self._edited)

    def action_edit(self) -> None:
        if self.edits is None:
            return
        name = self._selected()
        env = self.environments.get(name) if name else None
        if name is not None and env is None:
            return
        self.app.push_screen(EnvironmentEditScreen(self.edits, env, collection=name is None), self._edited)

    def _edited(self, name: str | None) -> None:
        if name is not None:
            self._refresh(name or None)
            self._status(f"saved {name!r}" if name else "saved the collection's variables")

    def action_delete(self) -> None:
        name = self._selected()
        if self.edits is None or name is None:
            return
        edits = self.edits
        in_use = " It is in use: streams go back to the collection's variables." if name == self.current else ""

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            problem = edits.delete(name)
            self._refresh(None)
            self._status(problem or f"deleted {name!r}")

        self.app.push_screen(ConfirmScreen(f"Delete the environment {name!r} (env/{name}.toml)?{in_use}"), answered)

    def action_cancel(self) -> None:
        self.dismiss(None)


class EnvironmentEditScreen(Dialog[str | None]):
    """One environment's name, production mark and variables (or the collection's variables).
    Ctrl+S saves and closes with the name ("" for the collection); a problem stays on screen."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),  # not priority: after what was typed before it
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, edits: EnvironmentEdits, env: Environment | None, *, collection: bool = False) -> None:
        super().__init__()
        self.edits = edits
        self.env = env
        self.collection = collection

    def compose(self) -> ComposeResult:
        env = self.env
        if self.collection:
            title = "The collection's variables (collection.toml; every environment overlays them)"
            variables = self.edits.session.collection.variables
        else:
            title = f"Environment {env.name!r} (env/{env.name}.toml)" if env else "New environment"
            variables = env.variables if env else {}
        with Vertical(classes="dialog paste", id="environment-edit"):
            yield Static(escape_controls(title), classes="dialog-title", markup=False)
            if not self.collection:
                with Horizontal(id="environment-head"):
                    yield Input(env.name if env else "", placeholder="name (the file name: staging...)",
                                id="environment-name")
                    yield Checkbox("production (asks first)", env.production if env else False,
                                   id="environment-production")
            yield Static("name = value per line; a secret (token, api_key, password...) goes to "
                         ".secrets.toml (git-ignored); {{env:NAME}} reads your shell", classes="hint",
                         markup=False)
            yield TextArea(variable_lines(variables), id="environment-variables", show_line_numbers=True)
            yield Static("", id="environment-error", markup=False)
            with Horizontal(classes="editor-buttons"):
                yield Button("Save (ctrl+s)", id="environment-save", variant="primary")
                yield Button("Cancel (Esc)", id="environment-cancel")

    def on_mount(self) -> None:
        first = "#environment-variables" if self.collection or self.env else "#environment-name"
        self.query_one(first).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "environment-save":
            self.action_save()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#environment-variables").focus()

    def action_save(self) -> None:
        text = self.query_one("#environment-variables", TextArea).text
        save: Callable[[], str | None]
        if self.collection:
            name = ""
            save = lambda: self.edits.save_collection(text)  # noqa: E731
        else:
            name = self.query_one("#environment-name", Input).value.strip()
            production = self.query_one("#environment-production", Checkbox).value
            old = self.env.name if self.env else None
            save = lambda: self.edits.save(name, text, production=production, old_name=old)  # noqa: E731
        problem = save()
        if problem is not None:
            self.query_one("#environment-error", Static).update(escape_controls(problem))
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
