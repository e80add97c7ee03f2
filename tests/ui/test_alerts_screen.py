"""The alerts screen (`!`) and firings, driven as a person does; and its SVG snapshot."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable

import streamdash.demo
from streamdash.core.alerts import load_alerts
from streamdash.core.collections import load_collection
from streamdash.core.sse import Event
from streamdash.ui.launch import build_app
from streamdash.ui.screens.alerts import AlertEditScreen, AlertsScreen
from streamdash.ui.screens.dialogs import ConfirmScreen
from tests.ui.pilot import palette, wait_for

DEMO_COLLECTION = Path(streamdash.demo.__file__).parent / "collection"
SIZES = pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
ALERTS = """\
[[alert]]
name = "errors"
filter = "level=error"
command = ["notify-send", "streamdash"]

[[alert]]
name = "slow"
filter = "latency_ms>500"
"""


@pytest.fixture
def collection_dir(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO_COLLECTION, root)
    (root / "alerts.toml").write_text(ALERTS)
    return root


def make_app(root: Path):
    return build_app(
        load_collection(root), variables={"base_url": "http://127.0.0.1:8000"}, clock=lambda: 0.0
    )


@SIZES
async def test_add_edit_arm_and_delete_an_alert(collection_dir, size):
    app = make_app(collection_dir)
    async with app.run_test(size=size) as pilot:
        await pilot.press("!")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), what="the alerts screen")
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertEditScreen))
        await pilot.press(*"gone", "tab", *"status=", "enter")  # does not compile: one line, stays
        await pilot.pause()
        assert isinstance(app.screen, AlertEditScreen)
        error = str(app.screen.query_one("#alert-error").render())
        assert error.startswith("filter:") and "\n" not in error
        await pilot.press("backspace", "backspace", *"=down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen))
        assert [r.name for r in load_alerts(collection_dir).rules] == ["errors", "slow", "gone"]
        await pilot.press("space")  # disarm the selected (the new one)
        assert app.session.alerts.find("gone").armed is False
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertEditScreen))
        await pilot.press("end", *"-now", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen))
        assert [r.name for r in load_alerts(collection_dir).rules] == ["errors", "slow", "gone-now"]
        assert app.session.alerts.find("gone-now").armed is False  # an edit keeps the arming
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen))
        assert [r.name for r in load_alerts(collection_dir).rules] == ["errors", "slow"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, AlertsScreen))


async def test_a_burst_rings_once_and_notifies_once(collection_dir):
    (collection_dir / "alerts.toml").write_text('[[alert]]\nname = "errors"\nfilter = "level=error"\n')
    app = make_app(collection_dir)
    bells: list[int] = []
    async with app.run_test(size=(160, 48)) as pilot:
        app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
        await pilot.pause(0.2)
        for _ in range(3):
            app.session.buffer.extend("logs", [Event("log", '{"level": "error", "msg": "disk full"}')] * 5)
            await pilot.pause(0.15)
        alerts = [n for n in app._notifications if n.message.startswith("alert errors:")]
        assert len(alerts) == 1 and bells == [1]
        assert "5 matches" in alerts[0].message and "disk full" in alerts[0].message


async def test_the_palette_makes_the_filter_an_alert(collection_dir):
    app = make_app(collection_dir)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("slash", *"level=warning", "enter")
        await pilot.pause(0.3)
        await palette(pilot, "Make the filter an alert")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertEditScreen))
        await pilot.press(*"warnings", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, AlertEditScreen))
        rules = load_alerts(collection_dir).rules
        assert [(r.name, r.filter) for r in rules][-1] == ("warnings", "level=warning")


@SIZES
def test_alerts_screen_snapshot(snap_compare, collection_dir, size):
    async def run_before(pilot):
        await pilot.press("!")
        await pilot.pause(0.2)

    assert snap_compare(make_app(collection_dir), terminal_size=size, run_before=run_before)
