"""Posting collection folders (`*.posting.yaml`, `*.env`), written here."""

from __future__ import annotations

from streamdash.core.collections import load_collection
from streamdash.core.importers.detect import read_import
from streamdash.core.importers.save import save_import

REQUEST = """name: Create todo
description: Adds one.
method: POST
url: ${BASE_URL}/todos
body:
  content: |-
    {"title": "$TITLE"}
headers:
- name: Content-Type
  value: application/json
- name: X-Off
  value: '1'
  enabled: false
params:
- name: notify
  value: 'yes'
auth:
  type: bearer_token
  bearer_token:
    token: $API_TOKEN
scripts:
  on_request: scripts/sign.py
options:
  follow_redirects: false
"""


def test_a_posting_folder_with_its_dotenv_environments(tmp_path):
    root = tmp_path / "posting"
    (root / "todos").mkdir(parents=True)
    (root / "todos" / "create.posting.yaml").write_text(REQUEST)
    (root / "todos" / "list.posting.yaml").write_text("name: List todos\nmethod: GET\nurl: $BASE_URL/todos\n")
    (root / "dev.env").write_text("# local\nBASE_URL=http://localhost:8000\nTITLE='first'\n")
    imported = read_import(root)
    assert imported.format == "Posting collection"
    create = next(r for r in imported.requests if r.name == "Create todo")
    assert (create.group, create.method, create.url) == (("todos",), "POST", "{{BASE_URL}}/todos")
    assert create.body == '{"title": "{{TITLE}}"}' and create.query == [("notify", "yes")]
    assert create.headers == [("Content-Type", "application/json")]
    assert create.extra == {"auth": {"type": "bearer", "token": "{{API_TOKEN}}"}, "follow_redirects": False}
    assert imported.environments == {"dev": {"BASE_URL": "http://localhost:8000", "TITLE": "first"}}
    assert any("scripts are not run" in w for w in imported.warnings)
    save_import(imported, tmp_path / "c")
    assert load_collection(tmp_path / "c").errors == []


def test_one_posting_file(tmp_path):
    path = tmp_path / "one.posting.yaml"
    path.write_text(REQUEST)
    assert [r.name for r in read_import(path).requests] == ["Create todo"]
