"""The live event log: Textual's `Log` (scrolling, selection, capped lines) plus what a reader
of a live stream needs: columns coloured by type, a line cursor, and pause/follow.

The app writes here once per refresh tick, never per event. While the reader is looking back
(scrolled up or moving the cursor) the view is paused: nothing is written, so pruning never
shifts the text under them, and the app counts what is waiting instead.

The log holds entries, not text: a line is formatted (JSON columns included) when it is first
drawn, so a tick at 50,000 events/s or a re-filter that shows 10,000 lines formats one screenful.
While following, the lines of entries the buffer has evicted go too: otherwise the log would
hold on to the very events the buffer's byte bound let go. Heartbeat lines are drawn dimmed.

Moving in time (core/timeline.py): a mark is a glyph in a one-cell gutter, there while any mark
is (so nothing moves for a reader who never marks) and gone with its event; `t` jumps to a time;
`D` adds the time since each stream's previous shown event before the data.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from typing import Self

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.selection import Selection
from textual.strip import Strip
from textual.widgets import Log

from streamdash.core.buffer import ID, RECEIVED_AT, SEQ, STREAM, TYPE, LogEntry
from streamdash.core.columns import Layouts
from streamdash.core.filter import EventFilter
from streamdash.core.highlight import match_spans
from streamdash.core.text import escape_controls
from streamdash.core.timeline import (
    DEFAULT_GAP_SECONDS,
    Marks,
    SinceTracker,
    first_at_or_after,
    format_since,
    next_gap,
    parse_seconds,
    parse_time,
    received_range,
)
from streamdash.ui import lines as cols
from streamdash.ui.safety import SafeDispatch

DEFAULT_MAX_LINES = 10_000  # scrollback on screen; the buffer and the filter reach all retained events
TEXT_CACHE = 4_096  # made lines kept; past this the cache starts again (a screenful is ~50)


class EventLog(SafeDispatch, Log):
    """Lines of events; `entries` holds the entry behind each line."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "top", "Top", show=False),
        Binding("end,G", "follow", "Follow"),
        Binding("enter", "open", "Open event"),
        Binding("n", "next_match", "Next match", show=False),
        Binding("N", "previous_match", "Previous match", show=False),
        Binding("f", "toggle_find", "Find/filter", show=False),
        Binding("c", "pick_column", "Pick a column", show=False),
        Binding("v", "plot", "Plot", show=False),
        Binding("m", "toggle_mark", "Mark", show=False),
        Binding("u", "next_mark", "Next mark", show=False),
        Binding("U", "previous_mark", "Previous mark", show=False),
        Binding("greater_than_sign", "next_gap", "Next gap", show=False),
        Binding("less_than_sign", "previous_gap", "Previous gap", show=False),
        Binding("t", "jump_to_time", "Jump to a time", show=False),
        Binding("D", "toggle_since", "Time since previous", show=False),
    ]

    COMPONENT_CLASSES = {
        "event-log--source",
        "event-log--cursor",
        "event-log--error",
        "event-log--warning",
        "event-log--info",
        "event-log--debug",
        "event-log--heartbeat",
        "event-log--match",
        "event-log--mark",
        "event-log--since",
        "event-log--gap",
        *(f"event-log--type-{i}" for i in range(cols.OTHER_TYPE_STYLES)),
    }

    following: reactive[bool] = reactive(True)
    cursor: reactive[int | None] = reactive(None)

    class Paused(Message):
        """The reader stopped following the tail."""

    class Resumed(Message):
        """The reader asked to follow the tail again: the app catches up from its buffer."""

    class ToggleFind(Message):
        """`f`: switch between find mode and filter mode (the events pane owns the view)."""

    class OpenEntry(Message):
        def __init__(self, entry: LogEntry) -> None:
            super().__init__()
            self.entry = entry

    class PickColumn(Message):
        """Pick a JSON field of this entry as a column of its stream (`c`)."""

        def __init__(self, entry: LogEntry) -> None:
            super().__init__()
            self.entry = entry

    class PlotEntry(Message):
        """Plot a number of this entry's data (v): the app asks which."""

        def __init__(self, entry: LogEntry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, max_lines: int = DEFAULT_MAX_LINES, **kwargs: object) -> None:
        super().__init__(max_lines=max_lines, auto_scroll=True, **kwargs)  # type: ignore[arg-type]
        self.entries: list[LogEntry] = []
        # Fitted to what the log shows (see lines.Columns), so the data starts as far left as it can.
        self.columns = cols.NARROWEST
        self._writing = False
        # Is this entry a heartbeat (dimmed)? The events pane gives its core LogView's answer.
        self.is_heartbeat: Callable[[LogEntry], bool] = lambda entry: False
        # What to highlight in the visible lines (set by the events pane; None: nothing).
        self.match_filter: EventFilter | None = None
        # Each stream's JSON columns or template (core/columns.py); the events pane sets it.
        self.layouts: Layouts | None = None
        # Marked entries by seq (core/timeline.py): they outlive a re-filter of these lines.
        self.marks = Marks()
        self.gap_seconds = DEFAULT_GAP_SECONDS  # a pause longer than this is a gap (> and <, D's highlight)
        # Seconds since the previous shown event of the same stream, by seq, while the since
        # column shows (D): measured over these lines, O(1) an entry as they come.
        self.since = SinceTracker()
        self.show_since = False
        # The session's clock ("5m ago" is before it) and the arrival of the oldest event the
        # buffer retains (for "jump to a time"); the events pane sets both.
        self.clock: Callable[[], float] = time.time
        self.oldest_retained: Callable[[], float | None] = lambda: None
        # Show the matching events that came while paused; False when none wait (the pane's).
        self.catch_up: Callable[[], bool] = lambda: False
        self._texts: dict[int, str] = {}  # lines drawn so far, by seq (see line_text): no entry kept alive
        self._lines = _Lines(self)  # type: ignore[assignment]  # Log's drawing and selection read it

    # -- writing ------------------------------------------------------------------------------

    def append(self, entries: Sequence[LogEntry]) -> None:
        """Add entries at the tail (the app calls this at most once per tick). Nothing is
        formatted here: a line's text is made when it is drawn (`line_text`), so a tick of
        2,500 events costs a list extend, and a re-filter of 10,000 lines no more."""
        if not entries:
            return
        limit = self.max_lines
        if limit is not None and len(entries) > limit:
            entries = entries[-limit:]
        if self.layouts is not None:  # known now, so the title names every stream's columns
            for stream in {entry[1] for entry in entries}:
                self.layouts.layout(stream)
        columns = self.columns.fitted(entries)
        if columns != self.columns:  # a longer name: every line is laid out again, aligned
            self.columns = columns
            self._texts.clear()
        if self.show_since:
            self.since.observe(entries)
        is_end = self.is_vertical_scroll_end
        self.entries.extend(entries)
        excess = len(self.entries) - limit if limit is not None else 0
        if excess > 0:
            self._drop_first(excess)
        self._set_height(len(self.entries))
        if self.following and not self.is_vertical_scrollbar_grabbed and is_end:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    def _set_height(self, lines: int) -> None:
        """The scrollable height, without the layout of the whole screen that setting
        `virtual_size` asks for (~5 ms at 160x48, on every tick while the log grows): a scroll
        view's virtual size moves only its own scrollbars and offsets (Widget._scroll_update,
        which is what the layout would end up calling for it)."""
        size = Size(0, lines)
        if size != self.virtual_size:
            self.set_reactive(EventLog.virtual_size, size)
            self._scroll_update(size)

    def _drop_first(self, count: int) -> None:
        del self.entries[:count]
        if self.entries:
            self.since.prune(self.entries[0][SEQ])
        self._clear_y -= count  # a selection keeps to its text
        if self.cursor is not None:
            self.cursor = max(0, self.cursor - count)
        if len(self._texts) > TEXT_CACHE:
            self._texts.clear()

    def forget_before(self, seq: int) -> None:
        """Drop the first lines, those of entries older than `seq` (the buffer evicted them).
        Only while following: a paused reader's text never moves (and holds at most what was
        retained when they paused)."""
        entries = self.entries
        if self.following and entries and entries[0][SEQ] < seq:
            self._drop_first(bisect_left(entries, seq, key=lambda entry: entry[SEQ]))
            self.since.prune(seq)
            self._set_height(len(entries))
            self.refresh()
        if self.marks:  # a mark goes with its entry: once neither the buffer nor a line here holds it
            self.marks.prune(min(seq, entries[0][SEQ]) if entries else seq)
            if not self.marks:
                self._show_extras()  # the last mark went: so does the gutter

    def replace(self, entries: Sequence[LogEntry]) -> None:
        """Show exactly these entries (after a filter change or a catch-up)."""
        self.clear()
        self.cursor = None
        # Fitted again to what shows now (the gutter while there are marks, the since column on D).
        self.columns = cols.NARROWEST.with_extras(gutter=bool(self.marks), since=self.show_since)
        if self.layouts is not None:
            self.layouts.reset()  # and the data columns' widths too
        self.append(entries)
        if self.following:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def clear(self) -> Self:
        self.entries = []
        self.since.clear()
        self._texts.clear()
        self._clear_y = 0
        self._set_height(0)
        self.refresh()
        return self

    def relayout(self) -> None:
        """The data columns or a template changed: every line's text is made again."""
        self._texts.clear()
        self.refresh()

    def line_text(self, y: int) -> str:
        """Line y as shown: made on first draw and kept (by entry) until the layout changes.
        A data column that widens lays out again what is on screen, on the next frame."""
        entry = self.entries[y]
        text = self._texts.get(entry[SEQ])
        if text is not None:
            return text
        layouts = self.layouts
        layout = layouts.layout(entry[1]) if layouts is not None else None
        columns = self.columns
        marked, since = False, ""
        if columns.gutter or columns.since:  # the mark's glyph, the time since the stream's last
            marked = entry[SEQ] in self.marks
            since = format_since(self.since.get(entry[SEQ])) if columns.since else ""
        if layout is None:
            text = cols.format_entry(entry, columns, marked=marked, since=since)
        else:
            widths = list(layout.widths)
            text = cols.format_entry(entry, columns, layout.text(entry[3]), marked=marked, since=since)
            if layout.widths != widths and self._texts:
                self._texts.clear()  # the lines made before are narrower: all again, aligned
                self.call_after_refresh(self.refresh)
        self._texts[entry[SEQ]] = text
        return text

    def _show_extras(self) -> None:
        """The gutter while there are marks, the since column while D shows it: when either comes
        or goes, every line is made again (on draw); the cursor and the scroll stay."""
        columns = self.columns.with_extras(gutter=bool(self.marks), since=self.show_since)
        if columns != self.columns:
            self.columns = columns
            self._texts.clear()
            self.refresh()

    @property
    def lines(self) -> Sequence[str]:
        return self._lines  # the view made once in __init__

    @property
    def line_count(self) -> int:
        return len(self.entries)

    def write_lines(self, lines: Iterable[str], scroll_end: bool | None = None) -> Self:
        raise TypeError("EventLog shows entries: use append()")

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        text = "\n".join(self.line_text(y) for y in range(len(self.entries)))
        return selection.extract(text), "\n"

    # -- following and pausing ----------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._writing or not self.following:
            return
        if new_value < old_value and new_value < self.max_scroll_y:
            self.pause()  # the reader scrolled up: stop moving the text under them

    def watch_following(self, following: bool) -> None:
        self.set_class(not following, "-paused")

    def on_resize(self) -> None:
        if self.following:  # a shorter view must still end at the newest line
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True, x_axis=False)

    def pause(self) -> None:
        if self.following:
            self.following = False
            self.post_message(self.Paused())

    def action_follow(self) -> None:
        self.cursor = None
        if not self.following:
            self.following = True
            self.post_message(self.Resumed())
        self.scroll_end(animate=False, immediate=True, x_axis=False)

    # -- the cursor ---------------------------------------------------------------------------

    def _move_cursor(self, delta: int) -> None:
        if not self.entries:
            return
        self.pause()
        if self.cursor is None:  # start from the last line on screen
            height = self.scrollable_content_region.height
            self.cursor = min(len(self.entries) - 1, int(self.scroll_y) + height - 1)
        else:
            self.cursor = max(0, min(len(self.entries) - 1, self.cursor + delta))
        self.scroll_to_region_of_cursor()

    def scroll_to_region_of_cursor(self) -> None:
        if self.cursor is None:
            return
        top = int(self.scroll_y)
        height = self.scrollable_content_region.height
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self._move_cursor(-1)

    def action_cursor_down(self) -> None:
        self._move_cursor(1)

    def action_page_up(self) -> None:
        self._move_cursor(-max(1, self.scrollable_content_region.height - 1))

    def action_page_down(self) -> None:
        self._move_cursor(max(1, self.scrollable_content_region.height - 1))

    def action_top(self) -> None:
        if self.entries:
            self.pause()
            self.cursor = 0
            self.scroll_home(animate=False, immediate=True)

    def action_open(self) -> None:
        if self.cursor is None:
            self._move_cursor(0)
        if self.cursor is not None and self.cursor < len(self.entries):
            self.post_message(self.OpenEntry(self.entries[self.cursor]))

    def action_pick_column(self) -> None:
        if self.cursor is None:
            self._move_cursor(0)
        if self.cursor is not None and self.cursor < len(self.entries):
            self.post_message(self.PickColumn(self.entries[self.cursor]))

    def action_plot(self) -> None:
        if self.cursor is None:
            self._move_cursor(0)
        if self.cursor is not None and self.cursor < len(self.entries):
            self.post_message(self.PlotEntry(self.entries[self.cursor]))
        else:
            self.app.notify("no event to plot: the log is empty", timeout=3)

    def on_click(self, event) -> None:
        y = int(self.scroll_y) + event.y
        if 0 <= y < len(self.entries):
            self.pause()
            if self.cursor == y and event.chain >= 2:
                self.action_open()
            self.cursor = y

    def watch_cursor(self, old: int | None, new: int | None) -> None:
        for y in (old, new):
            if y is not None:
                self.refresh_lines(y)

    def _step_to_match(self, step: int) -> None:
        """Cursor to the next (+1) or previous (-1) line whose event matches the filter."""
        find = find_match(self.entries, self.cursor, step, self.match_filter)
        if find is None:
            where = "after" if step > 0 else "before"
            self.notify(f"no match {where} this line", severity="warning", timeout=3)
            return
        self.pause()
        self.cursor = find
        self.scroll_to_region_of_cursor()

    def step_cursor(self, delta: int) -> LogEntry | None:
        """Cursor one line on (the detail screen's n/N): the entry there, None at either end."""
        if self.cursor is None or not 0 <= self.cursor + delta < len(self.entries):
            return None
        self.cursor += delta
        self.scroll_to_region_of_cursor()
        return self.entries[self.cursor]

    def action_toggle_find(self) -> None:
        self.post_message(self.ToggleFind())

    def action_next_match(self) -> None:
        self._step_to_match(1)

    def action_previous_match(self) -> None:
        self._step_to_match(-1)

    # -- marks --------------------------------------------------------------------------------

    def action_toggle_mark(self) -> None:
        if self.cursor is None:
            self._move_cursor(0)
        entry = self.current_entry
        if entry is None or self.cursor is None:
            return
        self.marks.toggle(entry[SEQ])
        self._texts.pop(entry[SEQ], None)  # its gutter: a glyph or a blank
        self._show_extras()  # the first mark brings the gutter, the last one takes it away
        self.refresh_lines(self.cursor)

    def _origin_seq(self, backward: bool) -> int:
        """Where a jump starts: the cursor's event, else the bottom line on screen."""
        here = self.current_entry
        if here is not None:
            return here[SEQ]
        height = self.scrollable_content_region.height
        start = min(len(self.entries) - 1, int(self.scroll_y) + height - 1)
        return self.entries[start][SEQ] + (1 if backward else 0)

    def _jump_to_gap(self, backward: bool) -> None:
        """The next (or previous) pause over the threshold, or skip in numeric ids, of one
        stream among the lines shown; a notice says which."""
        if not self.entries:
            self.notify("no events to look for a gap in", severity="warning", timeout=3)
            return
        gap = next_gap(self.entries, self._origin_seq(backward), self.gap_seconds, backward=backward)
        if gap is None:
            where = "before" if backward else "after"
            self.notify(f"no pause over {self.gap_seconds:g} s or missing id {where} this line", timeout=3)
            return
        self.pause()
        self.cursor = bisect_left(self.entries, gap.seq, key=lambda entry: entry[SEQ])
        self.scroll_to_region_of_cursor()
        self.notify(gap.describe(), timeout=4)

    def action_next_gap(self) -> None:
        self._jump_to_gap(backward=False)

    def action_previous_gap(self) -> None:
        self._jump_to_gap(backward=True)

    def _jump_to_mark(self, backward: bool) -> None:
        if not self.marks:
            self.notify("No marks: m marks the line under the cursor", severity="warning")
            return
        here = self.current_entry
        seqs = [entry[SEQ] for entry in self.entries]
        if here is None:  # from the bottom line on screen, like the cursor keys
            height = self.scrollable_content_region.height
            start = min(len(seqs) - 1, int(self.scroll_y) + height - 1)
            origin = seqs[start] + (1 if backward else 0) if seqs else 0
        else:
            origin = here[SEQ]
        found = (
            self.marks.previous_before(origin, shown=seqs)
            if backward
            else self.marks.next_after(origin, shown=seqs)
        )
        if found is None:
            self.notify(f"No {'earlier' if backward else 'later'} mark in these lines")
            return
        self.pause()
        self.cursor = bisect_left(self.entries, found, key=lambda entry: entry[SEQ])
        self.scroll_to_region_of_cursor()

    def action_next_mark(self) -> None:
        self._jump_to_mark(backward=False)

    def action_previous_mark(self) -> None:
        self._jump_to_mark(backward=True)

    # -- time: jump to a time, the since column, the gap threshold ---------------------------

    def action_jump_to_time(self) -> None:
        from streamdash.ui.screens.dialogs import CheckedPromptScreen  # the screens import widgets

        if not self.entries:
            self.notify("no events to jump among", severity="warning", timeout=3)
            return
        hint = "14:03:12   14:03   14:03:12.250   -5m   5m ago\nEnter: jump   Esc: cancel"
        self.app.push_screen(
            CheckedPromptScreen("Jump to the first event at or after:", self.jump_to_time, hint=hint)
        )

    def jump_to_time(self, text: str) -> str | None:
        """Cursor to the first shown event at or after the time `text` names (the log pauses, a
        notice says where it landed); else the reason, in one line, and nothing moves."""
        try:
            at = parse_time(text, self.clock())
        except ValueError as error:
            return str(error)
        landing = first_at_or_after(self.entries, at)
        if landing is None and self.catch_up():  # paused, and what came since may hold it
            landing = first_at_or_after(self.entries, at)
        entries = self.entries
        span = received_range(entries)
        if span is None or landing is None:
            newest = f": the newest event shown is {cols.clock(span[1])}" if span is not None else ""
            return f"no event at or after {cols.clock(at)}{newest}"
        self.pause()
        self.cursor = bisect_left(entries, landing[SEQ], key=lambda entry: entry[SEQ])
        self.scroll_to_region_of_cursor()
        ident = f" #{escape_controls(landing[ID])}" if landing[ID] else ""
        where = f"{cols.clock(landing[RECEIVED_AT])} \u00b7 {escape_controls(landing[STREAM])}{ident}"
        oldest = span[0]
        if at < oldest - 1.0:  # before every line shown (a typed second still reaches its own events)
            retained = self.oldest_retained()
            if retained is not None and retained < oldest - 1.0 and at >= retained - 1.0:
                said = f"{cols.clock(at)} is retained but not among the lines shown (the filter, or past the log's {self.max_lines or 0:,} lines)"
            else:
                first = oldest if retained is None else min(oldest, retained)
                said = f"{cols.clock(at)} is before the oldest retained event, {cols.clock(first)}"
            self.notify(f"{said}: at {where}", severity="warning", timeout=5)
        else:
            self.notify(where, timeout=4)
        return None

    def action_toggle_since(self) -> None:
        """D: the time since the previous shown event of the same stream, in a column before the
        data; a pause over the gap threshold stands out. Measured over the lines shown now (and
        again after every re-filter), so it agrees with what the reader sees and with > and <."""
        self.show_since = not self.show_since
        self.since.clear()
        if self.show_since:
            self.since.observe(self.entries)
        self._show_extras()
        if self.show_since:
            note = f"time since each stream's previous event shown; over {self.gap_seconds:g} s stands out (D hides it)"
        else:
            note = "time since the previous event hidden (D shows it)"
        self.notify(note, timeout=3)

    def set_gap_seconds(self, text: str) -> str | None:
        """A new gap threshold for > and < and the since column's highlight (this session); the
        reason, in one line, when `text` is not one."""
        try:
            self.gap_seconds = parse_seconds(text)
        except ValueError as error:
            return str(error)
        self.refresh()  # only the highlight changes: it is styled as lines are drawn
        self.notify(f"gap threshold: {self.gap_seconds:g} s (> and <, and the since column)", timeout=3)
        return None

    def ask_gap_threshold(self) -> None:
        from streamdash.ui.screens.dialogs import CheckedPromptScreen

        question = "Gap threshold in seconds (a longer pause is a gap):"
        hint = "2   0.5   500ms   1m  (this session)\nEnter: set   Esc: cancel"
        self.app.push_screen(
            CheckedPromptScreen(question, self.set_gap_seconds, f"{self.gap_seconds:g}", hint)
        )

    @property
    def current_entry(self) -> LogEntry | None:
        if self.cursor is None or self.cursor >= len(self.entries):
            return None
        return self.entries[self.cursor]

    # -- rendering ----------------------------------------------------------------------------

    def _lit(self, y: int) -> bool:
        wanted = self.match_filter
        if wanted is None or wanted.is_empty or y >= len(self.entries):
            return False
        return wanted.matches(self.entries[y])

    def _render_line_strip(self, y: int, rich_style: Style) -> Strip:
        line = self._process_line(self.line_text(y))
        text = Text(line, no_wrap=True, style=rich_style)
        if y < len(self.entries):
            # Each span runs up to the next column, spaces included: every change of style costs
            # an escape sequence on the wire, every frame, on every row.
            style = self.get_component_rich_style
            entry = self.entries[y]
            columns = self.columns
            heartbeat = self.is_heartbeat(entry)
            if heartbeat:  # dimmed, all of it: one span
                text.stylize(style("event-log--heartbeat"))
            else:
                type_at, id_at = columns.type_at, columns.id_at
                text.stylize(style("event-log--source"), 0, type_at)  # gutter, time and stream
                kind = cols.type_style(entry[TYPE])
                text.stylize(style(f"event-log--{kind}"), type_at, id_at)
            if columns.since and (since := self.since.get(entry[SEQ])) is not None:
                if since > self.gap_seconds:  # a pause stands out, before a heartbeat too
                    text.stylize(style("event-log--gap"), columns.since_at, columns.data_at - 1)
                elif not heartbeat:
                    text.stylize(style("event-log--since"), columns.since_at, columns.data_at - 1)
        if self._lit(y):  # only the lines of matching events: a highlight means "this matches"
            match_style = self.get_component_rich_style("event-log--match")
            columns = self.columns
            probe = line
            if columns.since:  # the since column holds no names: "id:12" must not light "+0.012s"
                probe = (
                    line[: columns.since_at]
                    + " " * (columns.data_at - columns.since_at)
                    + line[columns.data_at :]
                )
            for start, end in match_spans(self.match_filter, probe, columns.data_at):
                text.stylize(match_style, start, end)
        if self.columns.gutter and y < len(self.entries) and self.entries[y][SEQ] in self.marks:
            text.stylize(self.get_component_rich_style("event-log--mark"), 0, 1)  # the gutter's glyph
        if y == self.cursor:
            text.stylize(self.get_component_rich_style("event-log--cursor"))
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(y - self._clear_y)) is not None:
            start, end = span
            text.stylize(
                self.screen.get_component_rich_style("screen--selection"),
                start,
                len(text) if end == -1 else end,
            )
        return Strip(text.render(self.app.console), text.cell_len)


def find_match(
    entries: Sequence[LogEntry], cursor: int | None, step: int, wanted: EventFilter | None
) -> int | None:
    """Index of the next/previous entry from `cursor` that `wanted` matches (every entry when
    there is no filter); with no cursor, the newest. None when there is none."""
    if not entries:
        return None
    if cursor is None:  # following the tail: the newest match, whichever the direction
        cursor, step = len(entries), -1
    index = cursor + step
    matches = wanted.matches if wanted is not None and not wanted.is_empty else None
    while 0 <= index < len(entries):
        if matches is None or matches(entries[index]):
            return index
        index += step
    return None


class _Lines(Sequence[str]):
    """The log's lines as `Log` reads them (`_lines`, `lines`): made from the entries on demand."""

    __slots__ = ("_log",)

    def __init__(self, log: EventLog) -> None:
        self._log = log

    def __len__(self) -> int:
        return len(self._log.entries)

    def __getitem__(self, y):
        if isinstance(y, slice):
            return [self._log.line_text(i) for i in range(*y.indices(len(self)))]
        return self._log.line_text(y if y >= 0 else len(self) + y)

    def clear(self) -> None:
        """Log.clear calls this; the entries are the log's to clear."""
