"""The installed `streamdash demo` at 80x24 in a real terminal (tmux): the log shows at least 40
cells of each event's data, while the chat answer streams (its text under the log) and after it
has finished (its text gone). Read off the captured screen, as a person sees it."""

from __future__ import annotations

import re

from tests.ui.test_terminal_session import SCRIPT, Terminal, terminal  # noqa: F401 (the fixture)

# One log line: time, stream, type, id, then the data up to the pane's right border.
LOG_LINE = re.compile(r"\d\d:\d\d:\d\d\.\d\d\d \S+\s+\S+\s+\S+ ([^\u2502]*)")
WAIT = 20.0


def data_cells(screen: str) -> int:
    """The most cells of data drawn on one log line of the screen."""
    return max((len(m.group(1).rstrip()) for m in LOG_LINE.finditer(screen)), default=0)


def answer_shown(screen: str) -> bool:
    """The assembled text's title line (`chat · N tokens · ...`) is on the screen."""
    return re.search(r"chat \u00b7 [\d,]+ tokens", screen) is not None


def test_demo_at_80x24_shows_forty_cells_of_data(terminal):  # noqa: F811
    term: Terminal = terminal(80, 24)
    term.run(f"{SCRIPT} demo")
    streaming = term.wait(
        lambda t: answer_shown(t) and "done" not in t and data_cells(t) >= 40,
        "the answer streaming under the log and 40 cells of data",
        timeout=WAIT,
    )
    assert all(len(line) <= 80 for line in streaming.splitlines())
    finished = term.wait(
        lambda t: not answer_shown(t) and data_cells(t) >= 40,
        "the finished answer gone and 40 cells of data",
        timeout=WAIT,
    )
    assert "Traceback" not in finished
    term.quit_app()
