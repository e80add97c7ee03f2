"""The answer to a REST request: a status line, the headers, and the body (pretty JSON),
searchable with `/` and `n`. Sending starts here too (a worker awaits the session), so the
answer lands where it is shown. Secrets the request used are masked in the headers and the body
(an echo server sends a token straight back) until `v` reveals them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static
from textual.widgets.text_area import Selection

from streamdash.core.collections import SavedRequest
from streamdash.core.http.secrets import mask_headers, mask_secret_fields, mask_secrets
from streamdash.core.http.send import ResponseSummary
from streamdash.core.stats import format_bytes, format_duration
from streamdash.core.text import escape_controls
from streamdash.ui.safety import SafeDispatch
from streamdash.ui.widgets.text_inputs import Input, TextArea

if TYPE_CHECKING:
    from streamdash.core.session import SendResult, Session


def status_line(summary: ResponseSummary, name: str = "", note: str = "") -> str:
    target = f"{summary.method} {escape_controls(summary.url)}"
    label = f"{escape_controls(name)} \u00b7 " if name else ""
    if not summary.sent:
        return f"{label}not sent: {escape_controls(summary.error or '')}"
    if summary.status is None:
        return f"{label}failed: {escape_controls(summary.error or '')} \u00b7 {target}"
    size = format_bytes(summary.size) + (" (cut)" if summary.truncated else "")
    notes = [text for text in (note, summary.body_note) if text]  # the body's: why it is raw
    extra = "".join(f" \u00b7 {escape_controls(text)}" for text in notes)
    return (
        f"{label}{summary.status} {summary.reason} \u00b7 {format_duration(summary.elapsed_s)}"
        f" \u00b7 {size}{extra} \u00b7 {target}"
    )


def description_line(description: str) -> str:
    """The request's description on one line (its lines joined, controls escaped) for the header."""
    return escape_controls(" ".join(line.strip() for line in description.splitlines() if line.strip()))


def headers_text(summary: ResponseSummary, reveal: bool = False, secrets: frozenset[str] = frozenset()) -> str:
    """Secrets (Set-Cookie, tokens, the request's own) masked unless the user reveals them."""
    if reveal:
        headers = list(summary.headers)
    else:
        headers = [(k, mask_secrets(v, secrets)) for k, v in mask_headers(summary.headers)]
    return "\n".join(f"{k}: {escape_controls(v)}" for k, v in headers)


class ResponseView(SafeDispatch, Vertical):
    class Shown(Message):
        """An answer the user asked for arrived: a narrow layout switches to it."""

        def __init__(self, reveal: bool) -> None:
            super().__init__()
            self.reveal = reveal

    BINDINGS = [
        Binding("slash", "search", "Search body"),
        Binding("n", "search_next", "Next match", show=False),
        Binding("h", "toggle_headers", "Headers"),
        Binding("v", "toggle_reveal", "Reveal secrets", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Static("No response yet: pick a REST request and press Enter.", id="response-status", markup=False)
        yield Static("", id="response-description", markup=False)
        yield Static("", id="response-headers", markup=False)
        yield Input(placeholder="search the body (Enter: next, Esc: close)", id="response-search")
        yield TextArea("", id="response-body", read_only=True, soft_wrap=False, show_line_numbers=False)

    def __init__(self, session: Session, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.session = session
        self.summary: ResponseSummary | None = None
        self.secrets: frozenset[str] = frozenset()
        self._needle = ""
        self.revealed = False

    def on_mount(self) -> None:
        self.query_one("#response-search").display = False
        self.query_one("#response-headers").display = False
        self.query_one("#response-description").display = False
        self.border_title = "Response"

    def send(self, request: SavedRequest, *, reveal: bool = True) -> None:
        self._send(request, reveal)

    @work(group="rest", exit_on_error=False)
    async def _send(self, request: SavedRequest, reveal: bool) -> None:
        result = await self.session.send(request)
        self.show_result(result)
        self.post_message(self.Shown(reveal and result.sent))

    def show_result(self, result: SendResult) -> None:
        self.show(result.summary, result.request.name, result.note, result.secrets,
                  description=result.request.description)

    def _body(self) -> str:
        summary = self.summary
        if summary is None or summary.status is None:
            return ""
        text = summary.pretty_text()
        # A token endpoint's fresh `access_token` is no known secret yet: masked by its name.
        return text if self.revealed else mask_secret_fields(mask_secrets(text, self.secrets))

    def show(
        self,
        summary: ResponseSummary,
        name: str = "",
        note: str = "",
        secrets: frozenset[str] = frozenset(),
        *,
        description: str = "",
    ) -> None:
        self.summary = summary
        self.secrets = secrets
        self.revealed = False
        status = self.query_one("#response-status", Static)
        status.update(status_line(summary, name, note))
        kind = "none" if summary.status is None else f"{summary.status // 100}xx"
        for cls in ("-2xx", "-3xx", "-4xx", "-5xx", "-none"):
            status.remove_class(cls)
        status.add_class(f"-{kind}")
        shown = self.query_one("#response-description", Static)
        line = description_line(description)
        shown.update(line)
        shown.display = bool(line)
        self.query_one("#response-headers", Static).update(headers_text(summary, secrets=secrets))
        body = self.query_one("#response-body", TextArea)
        text = self._body()
        body.show_line_numbers = bool(text)  # no lone "1" in an empty pane
        body.load_text(text)
        body.scroll_home(animate=False)

    @property
    def body_text(self) -> str:
        return self.query_one("#response-body", TextArea).text

    def action_toggle_reveal(self) -> None:
        if self.summary is None:
            return
        self.revealed = not self.revealed
        self.query_one("#response-headers", Static).update(
            headers_text(self.summary, self.revealed, self.secrets)
        )
        self.query_one("#response-headers").display = True
        self.query_one("#response-body", TextArea).load_text(self._body())

    def action_toggle_headers(self) -> None:
        headers = self.query_one("#response-headers")
        headers.display = not headers.display

    def action_search(self) -> None:
        box = self.query_one("#response-search", Input)
        box.display = True
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "response-search":
            return
        event.stop()
        self._needle = event.value
        self.find_next()

    def on_key(self, event: events.Key) -> None:
        box = self.query_one("#response-search", Input)
        if event.key == "escape" and box.has_focus:
            box.display = False
            self.query_one("#response-body").focus()
            event.stop()

    def action_search_next(self) -> None:
        self.find_next()

    def find_next(self) -> bool:
        """Select the next match after the cursor (wrapping); False when there is none."""
        if not self._needle:
            return False
        area = self.query_one("#response-body", TextArea)
        text = area.text
        lowered, needle = text.lower(), self._needle.lower()
        row, col = area.selection.end
        lines = text.split("\n")
        offset = sum(len(line) + 1 for line in lines[:row]) + col
        found = lowered.find(needle, offset)
        if found < 0:
            found = lowered.find(needle)
        if found < 0:
            self.app.notify(f"not found: {self._needle}", severity="warning", timeout=2)
            return False

        def location(index: int) -> tuple[int, int]:
            before = text[:index]
            line = before.count("\n")
            return line, index - (before.rfind("\n") + 1)

        area.selection = Selection(location(found), location(found + len(needle)))
        area.scroll_cursor_visible()
        return True
