"""Run the collection's REST requests in order, as `streamdash run` does, with a progress bar
and a pass/fail line per request as each answer arrives."""

from __future__ import annotations

from contextlib import aclosing

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, ProgressBar, Static

from streamdash.core.collections import SavedRequest
from streamdash.core.http.execute import Executor
from streamdash.core.run import StepResult, run_requests
from streamdash.core.stats import format_bytes, format_duration
from streamdash.core.text import escape_controls
from streamdash.ui.screens.dialog import Dialog


class RunScreen(Dialog[None]):
    BINDINGS = [Binding("escape,q", "dismiss(None)", "Close")]

    def __init__(self, executor: Executor, requests: list[SavedRequest], variables: dict[str, str]) -> None:
        super().__init__()
        self.executor = executor
        self.requests = requests
        self.variables = variables
        self.results: list[StepResult] = []
        self.finished = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="run"):
            yield Static(f"Running {len(self.requests)} requests", id="run-title", classes="dialog-title", markup=False)
            yield ProgressBar(total=len(self.requests), show_eta=False, id="run-progress")
            yield DataTable(id="run-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in (("", 4), ("Request", 28), ("Status", 6), ("Time", 8), ("Size", 9), ("Why", 60)):
            table.add_column(label, width=width)
        self._run()

    @work(exclusive=True, exit_on_error=False)
    async def _run(self) -> None:
        table = self.query_one(DataTable)
        progress = self.query_one(ProgressBar)
        async with aclosing(
            run_requests(self.executor, self.requests, self.variables)
        ) as steps:
            async for step in steps:
                self.results.append(step)
                verdict = "SKIP" if step.skipped else ("PASS" if step.passed else "FAIL")
                table.add_row(
                    Text(verdict, style="bold" if verdict == "FAIL" else ""),
                    Text(escape_controls(step.label)),
                    Text(str(step.status) if step.status is not None else "-"),
                    Text(format_duration(step.elapsed_s) if step.status is not None else "-"),
                    Text(format_bytes(step.size) if step.status is not None else "-"),
                    Text(escape_controls(step.reason() or step.note or "")),
                )
                progress.advance(1)
        passed = sum(1 for r in self.results if r.passed and not r.skipped)
        failed = sum(1 for r in self.results if not r.passed and not r.skipped)
        self.query_one("#run-title", Static).update(
            f"Ran {len(self.results)} requests: {passed} passed, {failed} failed"
        )
        self.finished = True
