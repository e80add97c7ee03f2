"""The alerts screen (`!`): the collection's alerts.toml as a list to add to, edit, delete from,
and arm or disarm. Every change is saved at once (atomically, by the session's AlertWatch), so
what the screen shows is what the file holds; a change the file would refuse is one error line."""

from __future__ import annotations

import shlex

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from streamdash.core.alerts import AlertRule
from streamdash.core.collections.models import CollectionError
from streamdash.core.filter import FieldCache, FilterError, compile_filter
from streamdash.core.session.alert_watch import AlertWatch
from streamdash.ui.screens.dialog import Dialog
from streamdash.ui.screens.dialogs import ConfirmScreen
from streamdash.ui.widgets.text_inputs import Input


class AlertEditScreen(Dialog[AlertRule | None]):
    """Name, filter expression (checked by compiling it), optional command; Enter saves."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, rule: AlertRule | None = None, filter_text: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.rule = rule
        self.filter_text = rule.filter if rule else filter_text

    def compose(self) -> ComposeResult:
        rule = self.rule
        with Vertical(classes="dialog small", id="alert-edit"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static("Name", markup=False)
            yield Input(rule.name if rule else "", id="alert-name")
            yield Static("Filter (as typed after / in the log)", markup=False)
            yield Input(self.filter_text, id="alert-filter")
            yield Static("Command (optional; gets the event as JSON on stdin)", markup=False)
            yield Input(shlex.join(rule.command) if rule else "", id="alert-command")
            yield Static("", id="alert-error", markup=False)
            yield Static("Enter: save   Tab: next field   Esc: cancel", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#alert-name", Input).focus()

    def _error(self, text: str) -> None:
        self.query_one("#alert-error", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = self.query_one("#alert-name", Input).value.strip()
        expression = self.query_one("#alert-filter", Input).value.strip()
        command_text = self.query_one("#alert-command", Input).value.strip()
        if not name:
            self._error("name: missing (a short text)")
            return
        if not expression:
            self._error("filter: missing (an expression)")
            return
        try:
            compile_filter(expression, cache=FieldCache(paths=0))
        except FilterError as exc:
            self._error(f"filter: {exc}")
            return
        try:
            command = tuple(shlex.split(command_text))
        except ValueError as exc:
            self._error(f"command: {exc}")
            return
        old = self.rule
        self.dismiss(
            AlertRule(name, expression, old.bell if old else True, command, old.quiet)
            if old
            else AlertRule(name, expression, command=command)
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


class AlertsScreen(Dialog[None]):
    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("a", "add", "Add"),
        Binding("e,enter", "edit", "Edit"),
        Binding("d,delete", "delete", "Delete"),
        Binding("space", "toggle_armed", "Arm/disarm"),
    ]

    def __init__(self, alerts: AlertWatch) -> None:
        super().__init__()
        self.alerts = alerts

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="alerts"):
            yield Static(
                f"Alerts ({self.alerts.root.name}/alerts.toml)", classes="dialog-title", markup=False
            )
            yield DataTable(id="alerts-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="alerts-status", markup=False)
            yield Static(
                "a: add   e/Enter: edit   d: delete   Space: arm/disarm   Esc: close",
                classes="hint",
                markup=False,
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("name", "filter", "armed", "command", "fired")
        self.refresh_rows()
        table.focus()

    def refresh_rows(self, select: str | None = None) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for item in self.alerts.items:
            rule = item.rule
            table.add_row(
                rule.name,
                rule.filter,
                "yes" if item.armed else "no",
                shlex.join(rule.command) if rule.command else "-",
                str(item.fired),
                key=rule.name,
            )
        names = [item.rule.name for item in self.alerts.items]
        if select in names:
            row = names.index(select)
        if names:
            table.move_cursor(row=min(max(row, 0), len(names) - 1))
        if not names:
            self._status("no alerts yet: a adds one")

    def _status(self, text: str) -> None:
        self.query_one("#alerts-status", Static).update(text)

    def _selected(self) -> str | None:
        table = self.query_one(DataTable)
        items = self.alerts.items
        if not items or not 0 <= table.cursor_row < len(items):
            return None
        return items[table.cursor_row].rule.name

    def _put(self, rule: AlertRule | None, replace: str | None = None) -> None:
        if rule is None:
            return
        try:
            self.alerts.put(rule, replace)
        except CollectionError as exc:
            self._status(str(exc))
            return
        self._status(f"saved {rule.name!r}")
        self.refresh_rows(rule.name)

    def action_add(self) -> None:
        self.app.push_screen(AlertEditScreen("New alert"), self._put)

    def action_edit(self) -> None:
        name = self._selected()
        item = self.alerts.find(name) if name else None
        if item is None:
            return
        self.app.push_screen(
            AlertEditScreen(f"Edit alert {name!r}", item.rule), lambda rule: self._put(rule, name)
        )

    def action_delete(self) -> None:
        name = self._selected()
        if name is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.alerts.delete(name)
            except CollectionError as exc:
                self._status(str(exc))
                return
            self._status(f"deleted {name!r}")
            self.refresh_rows()

        self.app.push_screen(ConfirmScreen(f"Delete the alert {name!r}?"), answered)

    def action_toggle_armed(self) -> None:
        name = self._selected()
        item = self.alerts.find(name) if name else None
        if item is None:
            return
        item.armed = not item.armed
        self._status(f"{name!r} {'armed' if item.armed else 'disarmed'}")
        self.refresh_rows(name)

    def action_close(self) -> None:
        self.dismiss(None)
