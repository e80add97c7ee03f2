"""Importing and exporting from the app, as a person does it: the palette, a path, Enter; the
tree shows the imported requests at once, the notice says what came and what was left out."""

from __future__ import annotations

import json
from pathlib import Path

from streamdash.core.collections import load_collection
from streamdash.ui.launch import build_app
from streamdash.ui.screens.dialogs import PromptScreen
from tests.core.importers.test_postman import COLLECTION
from tests.ui.pilot import notes, palette, wait_for


async def test_import_a_postman_file_then_export_the_collection(tmp_path: Path):
    root = tmp_path / "c"
    root.mkdir()
    (root / "collection.toml").write_text('name = "mine"\n')
    source = tmp_path / "shop.json"
    source.write_text(json.dumps(COLLECTION))
    app = build_app(load_collection(root))
    async with app.run_test(size=(120, 36)) as pilot:
        await palette(pilot, "Import a collection file")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), what="the path prompt")
        await pilot.press(*str(source), "enter")
        await wait_for(pilot, lambda: any(n.startswith("imported 6 requests") for n in notes(app)), what="imported")
        assert {r.name for r in app.session.collection.requests} >= {"List items", "Login (basic)", "Hawk"}
        assert any("Hawk: hawk auth is not imported" in n for n in notes(app, "left out by the import (4)"))

        await palette(pilot, "Export the collection to Postman")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), what="the path prompt")
        prompt = app.screen.query_one("#prompt-input")
        prompt.value = str(tmp_path / "out.json")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "out.json").exists(), what="the export")
        exported = json.loads((tmp_path / "out.json").read_text())
        assert exported["info"]["name"] == "mine"
        assert "hunter2-literal" not in (tmp_path / "out.json").read_text()

        await palette(pilot, "Import a collection file")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen), what="the path prompt")
        await pilot.press(*str(tmp_path / "nope.json"), "enter")
        await wait_for(pilot, lambda: any("nope.json: no such file" in n for n in notes(app, "not imported")),
                       what="a one-line refusal")
