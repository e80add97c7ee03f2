"""Edit a saved request: method, URL, description, auth, query, headers, body (and stream options
for SSE);
a REST request's effective timeout is shown, read-only.

Query and headers are edited as text, one pair per line, which is quick over SSH and diffs well;
a line that does not parse keeps the editor open with the reason. A password or token must be a
placeholder (`{{env:NAME}}`, or an environment's `{{variable}}`): the editor never writes a secret
to a collection file.
"""

from __future__ import annotations

import dataclasses
import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape as escape_markup
from textual.widgets import Button, Footer, Label, Select, Static

from streamdash.core.collections import Kind, SavedRequest
from streamdash.core.collections.models import json_path_problem
from streamdash.core.collections.template import is_placeholder
from streamdash.core.collections.timeouts import TimeoutSetting, timeout_setting
from streamdash.core.columns import Display, display_problem, template_problem
from streamdash.core.http.auth import AuthError, parse_auth
from streamdash.core.http.timeouts import resolve_timeouts
from streamdash.core.sse import RetryPolicy
from streamdash.core.text import escape_controls_multiline
from streamdash.ui.screens.dialog import Dialog
from streamdash.ui.widgets.text_inputs import Input, TextArea

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


# The auth types the form edits; oauth2 (five fields) is kept as the file has it.
AUTH_CHOICES = (
    ("auth: collection default", "default"),
    ("auth: none", "none"),
    ("auth: basic", "basic"),
    ("auth: digest", "digest"),
    ("auth: bearer", "bearer"),
)


class EditorError(ValueError):
    pass


def pairs_to_text(pairs: list[tuple[str, str]], sep: str) -> str:
    return "\n".join(f"{k}{sep}{v}" for k, v in pairs)


def parse_pairs(text: str, sep: str, what: str) -> list[tuple[str, str]]:
    pairs = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, found, value = line.partition(sep)
        key = key.strip()
        if not found or not key:
            raise EditorError(f"{what} line {number}: expected 'name{sep.strip() or sep} value'")
        if what == "headers" and not _TOKEN.match(key):
            raise EditorError(f"headers line {number}: {key!r} is not a valid header name")
        pairs.append((key, value.strip()))
    return pairs


class RequestEditorScreen(Dialog[SavedRequest | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),  # not priority: it must come after the keys typed before it
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        request: SavedRequest,
        *,
        title: str = "Edit request",
        collection_timeouts: TimeoutSetting | None = None,
    ) -> None:
        super().__init__()
        self.request = request
        self.title_text = title
        self.collection_timeouts = collection_timeouts or TimeoutSetting()

    @property
    def shown_description(self) -> str:
        """The file's description with controls escaped (ESC never reaches the terminal)."""
        return escape_controls_multiline(self.request.description)

    def timeout_line(self) -> str:
        """The REST request's effective timeouts and where they come from (read-only here:
        `timeout` and `connect_timeout` are set in the file or collection.toml)."""
        try:
            own = timeout_setting(self.request.extra)
        except ValueError as exc:
            return f"Timeout: {exc}"
        return f"Timeout: {resolve_timeouts(own, self.collection_timeouts).describe()}"

    def compose(self) -> ComposeResult:
        r = self.request
        with Vertical(id="editor", classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            with VerticalScroll():
                with Horizontal(classes="editor-row"):
                    yield Select([("REST", "rest"), ("SSE stream", "sse")], value=r.kind,
                                 allow_blank=False, id="editor-kind")
                    yield Select([(m, m) for m in METHODS] + ([] if r.method in METHODS else [(r.method, r.method)]),
                                 value=r.method, allow_blank=False, id="editor-method")
                    yield Input(r.name, placeholder="name", id="editor-name")
                yield Input(r.url, placeholder="https://host/path  ({{variables}} allowed)",
                            id="editor-url", select_on_focus=False)
                yield Static(self.timeout_line(), id="editor-timeout", markup=False)
                yield Label("Description (the tree's tooltip; empty: none)")
                yield TextArea(self.shown_description, id="editor-description")
                table = r.extra.get("auth")
                auth: dict[str, object] = table if isinstance(table, dict) else {}
                kind = str(auth.get("type", "default")).lower()
                choices = list(AUTH_CHOICES)
                if kind not in {value for _, value in choices}:
                    choices.append((f"auth: {escape_markup(kind)} (as in the file)", kind))
                with Horizontal(classes="editor-row"):
                    yield Select(choices, value=kind, allow_blank=False, id="editor-auth")
                    yield Input(str(auth.get("username", "")), placeholder="username",
                                id="editor-auth-user")
                    yield Input(str(auth.get("password", auth.get("token", ""))), password=True,
                                placeholder="{{env:NAME}}", id="editor-auth-secret")
                with Horizontal(classes="editor-row", id="editor-stream"):
                    yield Label("Stream: retry policy", classes="editor-label")
                    yield Select([("resilient", "resilient"), ("strict", "strict")],
                                 value=str(r.stream.retry_policy), allow_blank=False, id="editor-policy")
                    yield Label("read timeout (s, 0 = never)", classes="editor-label")
                    yield Input(f"{r.stream.read_timeout:g}", id="editor-read-timeout")
                with Horizontal(classes="editor-row", id="editor-measures"):
                    yield Label("latency from", classes="editor-label")
                    yield Input(r.stream.latency_field, placeholder="JSON path of the send time",
                                id="editor-latency-field")
                    yield Label("assemble", classes="editor-label")
                    yield Input(r.stream.assemble, placeholder="e.g. choices.0.delta.content",
                                id="editor-assemble")
                    yield Label("silence alarm (s, 0 = off)", classes="editor-label")
                    yield Input(f"{r.stream.silence_alarm:g}", id="editor-silence")
                with Horizontal(classes="editor-row", id="editor-display"):  # how the log shows the data
                    yield Label("columns", classes="editor-label")
                    yield Input(" ".join(r.stream.columns), placeholder="JSON paths: level service msg",
                                id="editor-columns")
                    yield Label("or template", classes="editor-label")
                    yield Input(r.stream.template, placeholder="{level} {service}: {msg}", id="editor-template")
                yield Label("Query (one name=value per line)")
                yield TextArea(pairs_to_text(list(r.query), "="), id="editor-query", classes="pairs")
                yield Label("Headers (one Name: value per line)")
                yield TextArea(pairs_to_text(list(r.headers), ": "), id="editor-headers", classes="pairs")
                yield Label("Body")
                yield TextArea(r.body or "", id="editor-body")
            yield Static("", id="editor-error", markup=False)
            with Horizontal(classes="editor-buttons"):
                yield Button("Save (ctrl+s)", id="editor-save", variant="primary")
                yield Button("Cancel (Esc)", id="editor-cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#editor-url").focus()
        self._show_stream_options(self.request.kind)
        self._show_auth_fields(str(self.query_one("#editor-auth", Select).value))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "editor-kind":
            self._show_stream_options(str(event.value))
        elif event.select.id == "editor-auth":
            self._show_auth_fields(str(event.value))

    def _show_auth_fields(self, kind: str) -> None:
        self.query_one("#editor-auth-user").display = kind in ("basic", "digest")
        secret = self.query_one("#editor-auth-secret", Input)
        secret.display = kind in ("basic", "digest", "bearer")
        secret.placeholder = "token: {{env:NAME}}" if kind == "bearer" else "password: {{env:NAME}}"

    def _show_stream_options(self, kind: str) -> None:
        self.query_one("#editor-stream").display = kind == "sse"
        self.query_one("#editor-measures").display = kind == "sse"
        self.query_one("#editor-display").display = kind == "sse"
        self.query_one("#editor-timeout").display = kind != "sse"  # a stream has its read timeout

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "editor-save":
            self.action_save()
        else:
            self.action_cancel()

    def build(self) -> SavedRequest:
        name = self.query_one("#editor-name", Input).value.strip()
        if not name:
            raise EditorError("the request needs a name")
        url = self.query_one("#editor-url", Input).value.strip()
        if not url:
            raise EditorError("the request needs a URL")
        method = str(self.query_one("#editor-method", Select).value).upper()
        kind: Kind = "sse" if self.query_one("#editor-kind", Select).value == "sse" else "rest"
        query = parse_pairs(self.query_one("#editor-query", TextArea).text, "=", "query")
        headers = parse_pairs(self.query_one("#editor-headers", TextArea).text, ":", "headers")
        body = self.query_one("#editor-body", TextArea).text
        description = self.query_one("#editor-description", TextArea).text.strip()
        if description == self.shown_description.strip():  # untouched: the file's, controls and all
            description = self.request.description
        stream = self.request.stream
        if kind == "sse":
            read_timeout = self._seconds("#editor-read-timeout", "read timeout", "never")
            policy = RetryPolicy(str(self.query_one("#editor-policy", Select).value))
            paths: dict[str, str] = {}
            for key, label in (("latency_field", "latency from"), ("assemble", "assemble")):
                path = self.query_one(f"#editor-{key.replace('_', '-')}", Input).value.strip()
                if (problem := json_path_problem(path)) is not None:
                    raise EditorError(f"{label}: {problem}")
                paths[key] = path
            silence = self._seconds("#editor-silence", "silence alarm", "off")
            display = Display(
                tuple(dict.fromkeys(self.query_one("#editor-columns", Input).value.replace(",", " ").split())),
                self.query_one("#editor-template", Input).value.strip(),
            )
            if (problem := display_problem(Display(display.columns))) is not None:
                raise EditorError(problem)
            if (problem := template_problem(display.template)) is not None:
                raise EditorError(f"template: {problem}")
            stream = dataclasses.replace(
                stream,
                retry_policy=policy,
                read_timeout=read_timeout,
                silence_alarm=silence,
                latency_field=paths["latency_field"],
                assemble=paths["assemble"],
                columns=display.columns,
                template=display.template,
            )
        return dataclasses.replace(
            self.request,
            extra=self._extra_with_auth(),
            name=name,
            kind=kind,
            method=method,
            url=url,
            query=query,
            headers=headers,
            body=body or None,
            description=description,
            stream=stream,
        )

    def _extra_with_auth(self) -> dict:
        """The request's other keys, with `[auth]` as the form says."""
        extra = dict(self.request.extra)
        kind = str(self.query_one("#editor-auth", Select).value)
        if kind == "default":
            extra.pop("auth", None)
            return extra
        if kind not in ("none", "basic", "digest", "bearer"):
            return extra  # oauth2 and anything newer: kept exactly as the file has it
        table: dict[str, str] = {"type": kind}
        if kind != "none":
            field = "token" if kind == "bearer" else "password"
            secret = self.query_one("#editor-auth-secret", Input).value.strip()
            if not is_placeholder(secret):
                raise EditorError(
                    f"auth {field}: give a placeholder such as {{{{env:API_TOKEN}}}} or an "
                    "environment's {{variable}}; a secret is never written to the file"
                )
            if kind != "bearer":
                table["username"] = self.query_one("#editor-auth-user", Input).value.strip()
            table[field] = secret
        try:
            parse_auth(table, "")
        except AuthError as exc:
            raise EditorError(str(exc)) from None
        extra["auth"] = table
        return extra

    def _seconds(self, selector: str, label: str, zero: str) -> float:
        raw = self.query_one(selector, Input).value.strip() or "0"
        try:
            value = float(raw)
        except ValueError:
            raise EditorError(f"{label}: not a number of seconds: {raw!r}") from None
        if not 0 <= value < float("inf"):
            raise EditorError(f"{label}: must be 0 ({zero}) or more seconds")
        return value

    def action_save(self) -> None:
        try:
            request = self.build()
        except EditorError as exc:
            self.query_one("#editor-error", Static).update(str(exc))
            return
        self.dismiss(request)

    def action_cancel(self) -> None:
        self.dismiss(None)
