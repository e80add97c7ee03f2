"""An LLM stream's text as it grows, beside the raw events, with its time to first token and
tokens per second. Hidden until a stream that assembles text has produced some."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from streamdash.core.sse.assemble import Assembler
from streamdash.core.stats import format_duration
from streamdash.core.text import escape_controls, escape_controls_multiline
from streamdash.ui.safety import SafeDispatch


def assembled_title(name: str, assembler: Assembler) -> str:
    parts = [escape_controls(name), f"{assembler.tokens:,} tokens"]
    if (ttft := assembler.time_to_first_token) is not None:
        parts.append(f"first token {format_duration(ttft)}")
    if (rate := assembler.tokens_per_s) is not None:
        parts.append(f"{rate:,.1f} tokens/s")
    if assembler.done or assembler.finish_reason:
        parts.append(f"done ({assembler.finish_reason})" if assembler.finish_reason else "done")
    return " \u00b7 ".join(parts)


class AssembledText(SafeDispatch, VerticalScroll, can_focus=True):
    def compose(self) -> ComposeResult:
        yield Static("", id="assembled-text", markup=False)

    def on_mount(self) -> None:
        self._text = self.query_one("#assembled-text", Static)
        self.display = False

    def show(self, blocks: list[tuple[str, Assembler]]) -> None:
        """Rewrite the text; follows the end unless the user scrolled up to read."""
        text = Text()
        for index, (name, assembler) in enumerate(blocks):
            if index:
                text.append("\n\n")
            text.append(assembled_title(name, assembler) + "\n", style="bold")
            text.append(escape_controls_multiline(assembler.text))
        following = self.scroll_y >= self.max_scroll_y - 1
        self._text.update(text)
        self.display = bool(blocks)
        if following:
            self.call_after_refresh(self.scroll_end, animate=False)
