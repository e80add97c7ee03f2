"""Writing an import into a collection that already has requests."""

from __future__ import annotations

import json

from streamdash.core.collections import load_collection
from streamdash.core.importers.detect import read_import
from streamdash.core.importers.save import save_import


def test_a_second_import_comes_after_the_requests_already_ordered_in_its_folder(tmp_path):
    # Found in tmux: a .http file imported into a collection with an imported Bruno flow put its
    # one request between that flow's first and second (both numbered from 1).
    first = tmp_path / "flow.postman_collection.json"
    first.write_text(json.dumps({
        "info": {"name": "Flow", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "Place order", "request": {"method": "POST", "url": "https://x.test/o"}},
                 {"name": "Fetch order", "request": {"method": "GET", "url": "https://x.test/o/1"}}]}))
    second = tmp_path / "api.http"
    second.write_text("### Who am I\nGET https://x.test/me\n")
    root = tmp_path / "c"
    save_import(read_import(first), root)
    save_import(read_import(second), root)
    assert [r.name for r in load_collection(root).requests] == ["Place order", "Fetch order", "Who am I"]
