"""A session's armed alerts, checked once per tick on the events that are new since the last tick.

Checking in batches (one compiled-filter `apply` per alert per tick) instead of per event in the
stream worker keeps an armed alert off the hot path: at 50,000 events/s a 20 Hz tick hands each
alert ~2,500 entries in one call. Running an alert's command is here too, because it must never
block the loop (an asyncio subprocess with a timeout) and never fork-bomb (at most one running
per alert: a firing while the last command still runs is skipped)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from streamdash.core.alerts import Alert, AlertRule, Firing, command_input, load_alerts, save_alerts
from streamdash.core.buffer import LogEntry
from streamdash.core.collections.models import LoadError

__all__ = ["COMMAND_TIMEOUT", "AlertWatch", "WatchedAlert"]

COMMAND_TIMEOUT = 10.0


@dataclass(slots=True)
class WatchedAlert:
    """One rule with what the screen shows: armed or not, and how many bursts it has fired."""

    alert: Alert
    armed: bool = True
    fired: int = 0

    @property
    def rule(self) -> AlertRule:
        return self.alert.rule


class AlertWatch:
    """The collection's alerts: loaded from alerts.toml, checked per batch, saved on each edit."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.items: list[WatchedAlert] = []
        self.errors: list[LoadError] = []
        self._running: dict[str, asyncio.Task[None]] = {}
        self.load()

    def load(self) -> None:
        loaded = load_alerts(self.root)
        self.errors = list(loaded.errors)
        self.items = [WatchedAlert(Alert(rule)) for rule in loaded.rules]

    def find(self, name: str) -> WatchedAlert | None:
        return next((item for item in self.items if item.rule.name == name), None)

    # -- editing: every change is saved at once (atomically) or not made at all ------------

    def _save(self, items: list[WatchedAlert]) -> None:
        save_alerts(self.root, [item.rule for item in items])  # raises CollectionError, one line
        self.items = items

    def put(self, rule: AlertRule, replace: str | None = None) -> None:
        """Add `rule`, or replace the alert named `replace` with it (keeping its place)."""
        new = WatchedAlert(Alert(rule))
        items = list(self.items)
        index = next((i for i, it in enumerate(items) if it.rule.name == replace), None)
        if replace is not None and index is not None:
            new.armed, new.fired = items[index].armed, items[index].fired
            items[index] = new
        else:
            items.append(new)
        self._save(items)

    def delete(self, name: str) -> None:
        self._save([item for item in self.items if item.rule.name != name])

    # -- checking -------------------------------------------------------------------------

    def offer(self, entries: list[LogEntry], now: float) -> list[Firing]:
        """The firings of one tick's new events (the session reads them from the buffer once)."""
        if not entries:
            return []
        firings = []
        for item in self.items:
            if not item.armed:
                continue
            firing = item.alert.offer(entries, now)
            if firing is not None:
                item.fired += 1
                firings.append(firing)
        return firings

    # -- commands -------------------------------------------------------------------------

    def run_command(
        self, firing: Firing, report: Callable[[str], None], timeout: float = COMMAND_TIMEOUT
    ) -> bool:
        """Start the alert's command with the event on stdin; False when none or one still runs.
        `report` gets one line when the command cannot start, fails or times out."""
        rule = firing.rule
        if not rule.command:
            return False
        running = self._running.get(rule.name)
        if running is not None and not running.done():
            return False
        task = asyncio.get_running_loop().create_task(
            _run(rule, command_input(firing.entry), report, timeout)
        )
        self._running[rule.name] = task
        return True

    async def aclose(self) -> None:
        tasks = [task for task in self._running.values() if not task.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._running.clear()


async def _run(rule: AlertRule, stdin: bytes, report: Callable[[str], None], timeout: float) -> None:
    label = f"alert {rule.name}: command"
    try:
        process = await asyncio.create_subprocess_exec(
            *rule.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as exc:
        report(f"{label} cannot start: {exc.strerror or exc}")
        return
    try:
        _, err = await asyncio.wait_for(process.communicate(stdin), timeout)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        report(f"{label} timed out after {timeout:g} s (killed)")
        return
    except asyncio.CancelledError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise
    if process.returncode:
        lines = err.decode("utf-8", "replace").strip().splitlines()
        first = f": {lines[0][:200]}" if lines else ""
        report(f"{label} exited {process.returncode}{first}")
