"""The collection as a tree: groups are folders, leaves are saved requests, and a stream's leaf
shows whether it is running."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from streamdash.core.collections import Collection, SavedRequest
from streamdash.core.sse.events import StreamState

STATE_MARKS = {
    None: ("\u25cb", "stopped"),
    StreamState.CONNECTING: ("\u25cc", "connecting"),
    StreamState.OPEN: ("\u25cf", "open"),
    StreamState.BACKOFF: ("\u21bb", "reconnecting"),
    StreamState.CLOSED: ("\u25cb", "closed"),
    StreamState.FAILED: ("\u2717", "failed"),
}


def request_key(request: SavedRequest) -> str:
    """Unique within a collection: the group path and the name."""
    return "/".join((*request.group, request.name))


class RequestsTree(Tree[SavedRequest]):
    BINDINGS = [
        Binding("enter", "run", "Run", priority=True),
        Binding("e", "edit", "Edit"),
        Binding("n", "new", "New"),
        Binding("c", "duplicate", "Copy", show=False),
        Binding("r", "rename", "Rename", show=False),
        Binding("delete,x", "delete", "Delete", show=False),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__("collection", **kwargs)  # type: ignore[arg-type]
        self.show_root = False
        self.guide_depth = 2
        self._leaves: dict[str, TreeNode[SavedRequest]] = {}
        self._states: dict[str, StreamState | None] = {}
        self._pending: TreeNode[SavedRequest] | None = None

    def load(self, collection: Collection, select: str | None = None) -> None:
        self.clear()
        self._leaves = {}
        groups: dict[tuple[str, ...], TreeNode[SavedRequest]] = {(): self.root}
        for request in collection.requests:
            parent = self.root
            for depth in range(1, len(request.group) + 1):
                path = request.group[:depth]
                if path not in groups:
                    groups[path] = groups[path[:-1]].add(Text(path[-1], style="bold"), expand=True)
                parent = groups[path]
            key = request_key(request)
            self._leaves[key] = parent.add_leaf(self._styled(request), data=request)
        self.root.expand_all()
        if select and select in self._leaves:
            target = self._leaves[select]
        elif self._leaves:
            target = next(iter(self._leaves.values()))
        else:
            return
        self._select(target)

    def select_key(self, key: str) -> bool:
        """Put the cursor on the request with this key (see `request_key`)."""
        node = self._leaves.get(key)
        if node is None:
            return False
        self._select(node)
        return True

    def _select(self, node: TreeNode[SavedRequest]) -> None:
        # The tree's lines are built on the next refresh, and a cursor moved before then lands on
        # line 0: move now and again after the refresh; the latest request wins.
        self._pending = node
        self.move_cursor(node)
        self.call_after_refresh(self._select_pending)

    def _select_pending(self) -> None:
        if self._pending is not None:
            self.move_cursor(self._pending)
            self._pending = None

    def _label(self, request: SavedRequest) -> Text:
        key = request_key(request)
        if request.kind == "sse":
            mark, _ = STATE_MARKS.get(self._states.get(key), STATE_MARKS[None])
            label = Text.assemble(f"{mark} ", ("SSE  ", "bold"), request.name)
        else:
            label = Text.assemble(("  ", ""), (f"{request.method:<5}", "bold"), request.name)
        return label

    def set_state(self, key: str, state: StreamState | None) -> None:
        self._states[key] = state
        node = self._leaves.get(key)
        if node is not None and node.data is not None:
            node.set_label(self._styled(node.data))

    def _styled(self, request: SavedRequest) -> Text:
        """The label with the state mark coloured through the theme."""
        label = self._label(request)
        state = self._states.get(request_key(request))
        if request.kind == "sse":
            style = self.get_component_rich_style(f"requests-tree--{_state_class(state)}", partial=True)
            label.stylize(style, 0, 1)
        return label

    COMPONENT_CLASSES = Tree.COMPONENT_CLASSES | {
        "requests-tree--stopped",
        "requests-tree--open",
        "requests-tree--connecting",
        "requests-tree--failed",
    }

    @property
    def selected(self) -> SavedRequest | None:
        node = self.cursor_node
        return node.data if node is not None else None

    def _app_action(self, name: str) -> None:
        """Request actions belong to the app, which owns the collection and the workers."""
        getattr(self.app, f"action_{name}")()

    def action_run(self) -> None:
        if self.selected is not None:
            self._app_action("run_selected")
        elif self.cursor_node is not None:
            self.cursor_node.toggle()

    def action_edit(self) -> None:
        self._app_action("edit_request")

    def action_new(self) -> None:
        self._app_action("new_request")

    def action_duplicate(self) -> None:
        self._app_action("duplicate_request")

    def action_rename(self) -> None:
        self._app_action("rename_request")

    def action_delete(self) -> None:
        self._app_action("delete_request")


def _state_class(state: StreamState | None) -> str:
    if state in (StreamState.OPEN,):
        return "open"
    if state in (StreamState.CONNECTING, StreamState.BACKOFF):
        return "connecting"
    if state is StreamState.FAILED:
        return "failed"
    return "stopped"
