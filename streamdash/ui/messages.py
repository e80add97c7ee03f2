"""Textual's own messages as plain text. Notifications carry paths, reasons and servers' words,
so markup is off by default; the quit hint and the screenshot notice are said again without it,
and a screenshot goes to the data folder (a server may have no ~/Downloads)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.notifications import Notification, Notify, SeverityLevel

from streamdash.core.config import Locations
from streamdash.ui.message_log import MessageLog, remember


class PlainMessages(App[None]):
    screenshots_dir: Path | None = None

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Plain text by default: messages carry paths, reasons and servers' words, and a "[" in
        any of them must show as itself, not be read as markup. Each is kept for the messages
        screen (Ctrl+N), whole."""
        remember(self, message, title=title, severity=severity)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def notify_keyed(self, key: str, message: str, *, title: str = "", severity: SeverityLevel = "information",
                     timeout: float | None = None) -> None:
        """A notice that takes down the one shown before it under `key` (an empty message only
        takes it down). Textual has no public way to withdraw one toast, so this keeps the
        Notification it posts and removes it with `_unnotify`."""
        shown: dict[str, Notification] = self.__dict__.setdefault("keyed_notices", {})
        earlier = shown.pop(key, None)
        if earlier is not None and earlier in self._notifications:
            self._unnotify(earlier)
        if not message:
            return
        remember(self, message, title=title, severity=severity)
        notification = Notification(message, title, severity, self.NOTIFICATION_TIMEOUT if timeout is None else timeout,
                                    markup=False)
        shown[key] = notification
        self.post_message(Notify(notification))

    def action_show_messages(self) -> None:
        from streamdash.ui.screens.messages import MessagesScreen

        if isinstance(self.screen, MessagesScreen):
            return
        log: MessageLog = self.__dict__.setdefault("message_log", MessageLog())
        self.push_screen(MessagesScreen(log.newest_first()))

    def action_help_quit(self) -> None:
        self.notify("Press ctrl+q to quit the app", title="Do you want to quit?")

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """Into the data folder's screenshots/ (a server may have no ~/Downloads), and say where."""
        folder = Path(path) if path else self.screenshots_dir or Locations.from_env().data_dir / "screenshots"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            saved = self.save_screenshot(filename, str(folder), time_format)
        except OSError as exc:
            self.notify(f"{folder}: {exc.strerror or exc}", title="screenshot not saved", severity="error")
            return None
        self.notify(f"saved {saved}", title="screenshot", timeout=6)
        return saved

