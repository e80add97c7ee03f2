"""The collection as a tree: groups are folders, leaves are saved requests, a stream's leaf shows
whether it runs, and what a person does to a request (run, edit, new, copy, rename, delete,
copy as curl, import) starts here and goes to the session."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from streamdash.core.collections import Collection, SavedRequest
from streamdash.core.collections.storage import slugify
from streamdash.core.session import request_id
from streamdash.core.sse.events import StreamState
from streamdash.core.text import escape_controls_multiline
from streamdash.ui.safety import SafeDispatch
from streamdash.ui.screens.dialogs import ConfirmScreen, PasteScreen, PromptScreen
from streamdash.ui.screens.request_editor import RequestEditorScreen
from streamdash.ui.widgets.response_view import ResponseView

if TYPE_CHECKING:
    from streamdash.core.session import Session

STATE_MARKS = {
    None: "\u25cb",
    StreamState.CONNECTING: "\u25cc",
    StreamState.OPEN: "\u25cf",
    StreamState.BACKOFF: "\u21bb",
    StreamState.CLOSED: "\u25cb",
    StreamState.FAILED: "\u2717",
}


class RequestsTree(SafeDispatch, Tree[SavedRequest]):
    # No priority bindings: a priority key runs when the app reads it, before the keys typed
    # ahead of it reach the tree (Down then Enter in a burst would run the request above).
    BINDINGS = [
        Binding("enter", "run", "Run"),
        Binding("e", "edit", "Edit"),
        Binding("n", "new", "New"),
        Binding("c", "duplicate", "Copy", show=False),
        Binding("r", "rename", "Rename", show=False),
        Binding("delete,x", "delete", "Delete", show=False),
    ]

    COMPONENT_CLASSES = Tree.COMPONENT_CLASSES | {
        "requests-tree--stopped",
        "requests-tree--open",
        "requests-tree--connecting",
        "requests-tree--failed",
    }

    def __init__(self, session: Session, **kwargs: object) -> None:
        super().__init__("collection", **kwargs)  # type: ignore[arg-type]
        self.session = session
        self.show_root = False
        self.guide_depth = 2
        self._leaves: dict[str, TreeNode[SavedRequest]] = {}
        self._pending: TreeNode[SavedRequest] | None = None

    def on_mount(self) -> None:
        self.border_title = "Requests"

    # -- showing the collection ---------------------------------------------------------------

    def load(self, collection: Collection, select: str | None = None) -> None:
        """Rebuild; the cursor goes to `select` (a request's key), else stays on the request it
        was on, else the first."""
        current = self.selected
        select = select or (request_id(current) if current is not None else None)
        self.clear()
        self._leaves = {}
        groups: dict[tuple[str, ...], TreeNode[SavedRequest]] = {(): self.root}
        for request in collection.requests:
            for depth in range(1, len(request.group) + 1):
                path = request.group[:depth]
                if path not in groups:
                    groups[path] = groups[path[:-1]].add(Text(path[-1], style="bold"), expand=True)
            parent = groups[request.group]
            self._leaves[request_id(request)] = parent.add_leaf(self._styled(request), data=request)
        self.root.expand_all()
        target = self._leaves.get(select) if select else None
        if target is None and self._leaves:
            target = next(iter(self._leaves.values()))
        if target is not None:
            self._select(target)

    def select_key(self, key: str) -> bool:
        """Put the cursor on the request with this key (its file), or group/name."""
        node = self._leaves.get(key)
        if node is None:
            request = self.session.find(key)
            node = self._leaves.get(request_id(request)) if request is not None else None
        if node is None:
            return False
        self._select(node)
        return True

    def _select(self, node: TreeNode[SavedRequest]) -> None:
        # The tree's lines are built on the next refresh, and a cursor moved before then lands on
        # line 0: move now and again after the refresh; the latest request wins, unless the user
        # moved the cursor in between (keys typed as the app opens): their choice stands.
        self._pending = node
        self.move_cursor(node)
        self.call_after_refresh(self._select_pending)

    def _select_pending(self) -> None:
        if self._pending is not None:
            self.move_cursor(self._pending)
            self._pending = None

    def _user_moves(self) -> None:
        self._pending = None  # a key moved the cursor: the re-select after refresh stands down

    def action_cursor_up(self) -> None:
        self._user_moves()
        super().action_cursor_up()

    def action_cursor_down(self) -> None:
        self._user_moves()
        super().action_cursor_down()

    def action_page_up(self) -> None:
        self._user_moves()
        super().action_page_up()

    def action_page_down(self) -> None:
        self._user_moves()
        super().action_page_down()

    def watch_hover_line(self, previous_hover_line: int, hover_line: int) -> None:
        """The request under the mouse says what it is for: its description is the tooltip."""
        super().watch_hover_line(previous_hover_line, hover_line)
        node = self._get_node(hover_line)
        request = node.data if node is not None else None
        self.tooltip = description_tooltip(request) if request is not None else None

    def refresh_state(self, key: str) -> None:
        node = self._leaves.get(key)
        if node is not None and node.data is not None:
            node.set_label(self._styled(node.data))

    def _styled(self, request: SavedRequest) -> Text:
        if request.kind != "sse":
            return Text.assemble(("  ", ""), (f"{request.method:<5}", "bold"), request.name)
        live = self.session.live(request)
        state = live.state if live is not None else None
        label = Text.assemble(f"{STATE_MARKS.get(state, STATE_MARKS[None])} ", ("SSE  ", "bold"), request.name)
        style = self.get_component_rich_style(f"requests-tree--{_state_class(state)}", partial=True)
        label.stylize(style, 0, 1)
        return label

    @property
    def selected(self) -> SavedRequest | None:
        node = self.cursor_node
        return node.data if node is not None else None

    def _require(self) -> SavedRequest | None:
        request = self.selected
        if request is None:
            self.app.notify("select a request first", severity="warning", timeout=3)
        return request

    # -- what a person does to a request ------------------------------------------------------

    def action_run(self) -> None:
        """Enter: send a REST request, start or stop a stream (a group folds)."""
        if self.selected is None and self.cursor_node is not None and self.cursor_node.children:
            self.cursor_node.toggle()
            return
        request = self._require()
        if request is None:
            return
        if request.kind == "sse":
            self.session.toggle(request)
        else:
            self.app.query_one(ResponseView).send(request)

    def action_edit(self) -> None:
        request = self._require()
        if request is None:
            return

        def done(edited: SavedRequest | None) -> None:
            if edited is not None:
                self.session.save(edited)

        timeouts = self.session.executor.settings.timeouts
        self.app.push_screen(RequestEditorScreen(request, collection_timeouts=timeouts), done)

    def action_new(self) -> None:
        selected = self.selected
        group = selected.group if selected is not None and selected.path is not None else ()
        url = "{{base_url}}/" if "base_url" in self.session.variables else "https://"
        blank = SavedRequest(name="New request", url=url, group=group)

        def done(created: SavedRequest | None) -> None:
            if created is not None:
                self.session.save(dataclasses.replace(created, path=None))

        timeouts = self.session.executor.settings.timeouts
        self.app.push_screen(
            RequestEditorScreen(blank, title="New request", collection_timeouts=timeouts), done
        )

    def action_duplicate(self) -> None:
        request = self._require()
        if request is not None:
            self.session.duplicate(request)

    def action_rename(self) -> None:
        request = self._require()
        if request is None:
            return

        def done(name: str | None) -> None:
            if name:
                self.session.rename(request, name)

        self.app.push_screen(PromptScreen(f"Rename {request.name!r} to:", request.name), done)

    def action_delete(self) -> None:
        request = self._require()
        if request is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.session.delete(request)

        where = f" ({request.path})" if request.path else ""
        self.app.push_screen(ConfirmScreen(f"Delete {request.name!r}{where}?"), done)

    def action_copy_curl(self) -> None:
        request = self._require()
        if request is None:
            return
        command = self.session.curl(request)
        if command is None:
            return
        self.app.copy_to_clipboard(command.text)
        notes = [command.note] if command.note else []
        if command.unset:
            names = ", ".join(command.unset)
            notes.append(f"it reads {names} from the shell (not set here)")
        note = "; " + "; ".join(notes) if notes else ""
        self.app.notify(f"copied {request.name} as curl (OSC 52){note}", timeout=6)

    def action_import_curl(self) -> None:
        selected = self.selected
        group = selected.group if selected is not None and selected.path is not None else ()

        def done(command: str | None) -> None:
            if command and command.strip():
                self.session.import_curl(command, group)

        self.app.push_screen(PasteScreen("Paste a curl command (any length; Ctrl+S imports):"), done)

    def action_import_http_file(self) -> None:
        def done(path: str | None) -> None:
            if path:
                self.session.import_http_file(Path(path))

        self.app.push_screen(PromptScreen("Path of a .http or .rest file:"), done)

    def action_import_collection(self) -> None:
        def done(path: str | None) -> None:
            if path and path.strip():
                self.session.transfers.import_file(Path(path.strip()))

        self.app.push_screen(PromptScreen(
            "Path of a Postman, Insomnia, OpenAPI or HAR file, or a Bruno or Posting folder:"), done)

    def export_collection(self, fmt: str) -> None:
        suffix = ".postman_collection.json" if fmt == "postman" else ".http"
        name = (self.session.collection.name or self.session.collection.root.name).replace("/", "-")

        def done(path: str | None) -> None:
            if path and path.strip():
                self.session.transfers.export(fmt, Path(path.strip()))

        self.app.push_screen(PromptScreen("Write the collection to:", f"./{slugify(name)}{suffix}"), done)


def description_tooltip(request: SavedRequest) -> Content | None:
    """The description as plain content (never markup; controls escaped), None when it has none."""
    text = request.description.strip()
    return Content(escape_controls_multiline(text)) if text else None


def _state_class(state: StreamState | None) -> str:
    if state is StreamState.OPEN:
        return "open"
    if state in (StreamState.CONNECTING, StreamState.BACKOFF):
        return "connecting"
    if state is StreamState.FAILED:
        return "failed"
    return "stopped"
