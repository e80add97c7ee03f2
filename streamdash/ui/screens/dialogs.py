"""Small modal questions: confirm, one line of text, and a paste of any length."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from streamdash.ui.screens.dialog import Dialog
from streamdash.ui.widgets.text_inputs import Input, TextArea


class ConfirmScreen(Dialog[bool]):
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield Static(self.question, markup=False)
            yield Static("y: yes   n / Esc: no", classes="hint", markup=False)

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class CarefulConfirmScreen(ConfirmScreen):
    """For what must not happen by accident (production): only `y` says yes; Enter says no."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape,enter", "answer(False)", "No"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield Static(self.question, markup=False)
            yield Static("y: yes   n / Enter / Esc: no", classes="hint", markup=False)


class PromptScreen(Dialog[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield Static(self.question, markup=False)
            yield Input(self.value, id="prompt-input")
            yield Static("Enter: ok   Esc: cancel", classes="hint", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        self.dismiss(value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CheckedPromptScreen(Dialog[str | None]):
    """One line of text, checked on Enter: `check` acts on it and returns None, or the reason
    it cannot in one line, shown under the box (the dialog stays, so the person can retype)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, question: str, check: Callable[[str], str | None], value: str = "", hint: str = ""
    ) -> None:
        super().__init__()
        self.question = question
        self.check = check
        self.value = value
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog small"):
            yield Static(self.question, markup=False)
            yield Input(self.value, id="checked-input")
            yield Static("", id="checked-problem", markup=False)
            yield Static(self.hint or "Enter: ok   Esc: cancel", classes="hint", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = self.check(event.value)
        if problem is None:
            self.dismiss(event.value)
        else:
            self.query_one("#checked-problem", Static).update(problem.splitlines()[0] if problem else "")

    def action_cancel(self) -> None:
        self.dismiss(None)


class PasteScreen(Dialog[str | None]):
    """A text box that takes a paste of any length, newlines kept: a curl command as a browser
    copies it runs over many lines joined by backslashes, and a one-line input keeps the first."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Import"),  # not priority: after what was typed or pasted before it
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog paste"):
            yield Static(self.question, markup=False)
            yield TextArea("", id="paste-text", soft_wrap=True, show_line_numbers=False)
            with Horizontal(classes="editor-buttons"):
                yield Button("Import (ctrl+s)", id="paste-ok", variant="primary")
                yield Button("Cancel (Esc)", id="paste-cancel")

    def on_mount(self) -> None:
        self.query_one("#paste-text").focus()

    @property
    def text(self) -> str:
        return self.query_one("#paste-text", TextArea).text

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "paste-ok":
            self.action_submit()
        else:
            self.action_cancel()

    def action_submit(self) -> None:
        self.dismiss(self.text if self.text.strip() else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
