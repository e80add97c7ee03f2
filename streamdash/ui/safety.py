"""Every action safe in every state.

An exception inside an action, a message handler, a timer, a worker or a callback becomes one
notification, and the app keeps running. A crash that still escapes (the app could not even
start) exits non-zero with a short traceback and no local variables: Textual's own crash report
prints every frame's locals, and those hold the process environment, which holds secrets.

This leans on two private Textual hooks, `_dispatch_message` and `_handle_exception`, because
Textual has no public one: its message loop stops a widget for good after one exception in a
handler, and its exception handler always exits.
"""

from __future__ import annotations

import asyncio
import traceback
from typing import Any

from rich.text import Text
from textual.app import App
from textual.message import Message
from textual.worker import WorkerFailed

__all__ = ["SafeApp", "SafeDispatch", "report_error"]

TRACEBACK_FRAMES = 8


def report_error(app: App[Any], error: BaseException) -> None:
    """One notification for a bug, and a note of it for tests (`caught_errors`)."""
    if isinstance(error, WorkerFailed):
        error = error.error
    caught = getattr(app, "caught_errors", None)
    if caught is not None:
        caught.append(error)
    app.log.error("".join(traceback.format_exception(error, limit=-TRACEBACK_FRAMES)))
    reason = " ".join(str(error).split())[:300]
    app.notify(
        f"{type(error).__name__}: {reason}" if reason else type(error).__name__,
        title="internal error; the app keeps running",
        severity="error",
        timeout=10,
    )


class SafeDispatch:
    """For the app, its screens and widgets: an error in a handler is reported, and the widget
    goes on processing messages."""

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except asyncio.CancelledError:
            raise
        except Exception as error:
            app = getattr(self, "app", None)
            if app is None or not getattr(app, "ready", False):
                raise
            report_error(app, error)


class SafeApp(SafeDispatch, App[None]):
    """An app whose errors are notifications once it is up (`ready`), and whose crash before
    that is short, without locals, and exits 1."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ready = False  # set once mounted: from then on an error is a notification
        self.caught_errors: list[BaseException] = []

    def _handle_exception(self, error: Exception) -> None:
        if self.ready and not self._exit:
            report_error(self, error)
            return
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Textual's report with `show_locals=True` would print secrets; this prints the last
        frames and the error, nothing else."""
        self.bell()
        error = self._exception
        if error is None:
            text = "streamdash crashed\n"
        else:
            lines = traceback.format_exception(error, limit=-TRACEBACK_FRAMES)
            text = "streamdash crashed (please report this):\n" + "".join(lines)
        self._exit_renderables.append(Text(text.rstrip("\n")))
        self._close_messages_no_wait()
