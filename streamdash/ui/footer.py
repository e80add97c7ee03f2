"""The footer, ordered for a small terminal: the keys that matter for the focused pane first.

At 80x24 the footer has room for about six keys, and Textual's lists the focused widget's own
keys and then the app's in the order they were declared: in the event log, Filter and Pause
were cut off behind Quit, Keys and every pane. Here the focused pane's keys come first (in the
events pane: filter, pause, follow), then the pane keys, then the rest; F1 lists them all.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

__all__ = ["PaneFooter", "footer_rank"]

EVENTS_FIRST = ("focus_filter", "toggle_pause", "follow")


def _in_events(widget: Widget | None) -> bool:
    node = widget
    while isinstance(node, Widget):
        if node.id == "events":
            return True
        node = node.parent  # type: ignore[assignment]
    return False


def _own_actions(focused: Widget | None) -> set[str]:
    """The actions bound on the focused widget and the widgets it sits in (not the screen's or
    the app's): the response body's search key is its view's."""
    actions: set[str] = set()
    node = focused
    while isinstance(node, Widget) and not isinstance(node, Screen):
        actions.update(b.action for keyed in node._bindings.key_to_bindings.values() for b in keyed)
        node = node.parent  # type: ignore[assignment]
    return actions


def footer_rank(action: str, focused: Widget | None, own: set[str]) -> float:
    """0: the events pane's filter, pause and follow while it has the focus, in that order;
    1: the focused pane's own keys; 2: the pane keys; 3: the rest (a stable sort keeps their
    declared order within each rank)."""
    if action in EVENTS_FIRST and _in_events(focused):
        return EVENTS_FIRST.index(action) / len(EVENTS_FIRST)
    if action in own:
        return 1
    if action.startswith("show_pane"):
        return 2
    return 3


class PaneFooter(Footer):
    def compose(self) -> ComposeResult:
        """Textual's Footer.compose (8.2.8), with the bindings sorted by `footer_rank`."""
        if not self._bindings_ready:
            return
        active_bindings = self.screen.active_bindings
        action_to_bindings: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
        for _, binding, enabled, tooltip in active_bindings.values():
            if binding.show:
                action_to_bindings[binding.action].append((binding, enabled, tooltip))
        focused = self.screen.focused
        own = _own_actions(focused)
        ordered = sorted(action_to_bindings.values(), key=lambda multi: footer_rank(multi[0][0].action, focused, own))
        self.styles.grid_size_columns = len(ordered)
        for group, grouped in groupby(ordered, lambda multi: multi[0][0].group):
            members = list(grouped)
            if group is not None and len(members) > 1:
                with KeyGroup(classes="-compact" if group.compact else ""):
                    for binding, enabled, tooltip in (multi[0] for multi in members):
                        yield FooterKey(
                            binding.key,
                            self.app.get_key_display(binding),
                            "",
                            binding.action,
                            disabled=not enabled,
                            tooltip=tooltip or binding.description,
                            classes="-grouped",
                        ).data_bind(compact=Footer.compact)
                yield FooterLabel(group.description)
            else:
                for binding, enabled, tooltip in (multi[0] for multi in members):
                    yield FooterKey(
                        binding.key,
                        self.app.get_key_display(binding),
                        binding.description,
                        binding.action,
                        disabled=not enabled,
                        tooltip=tooltip,
                    ).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            try:
                _node, binding, enabled, tooltip = active_bindings[self.app.COMMAND_PALETTE_BINDING]
            except KeyError:
                return
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )
