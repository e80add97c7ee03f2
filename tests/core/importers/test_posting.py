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


# Posting 2.x as it saves a request (posting/collection.py: RequestModel): path parameters fill
# `:name` in the path, `options` carries the timeout and whether to attach cookies, and `$$` is
# string.Template's escape for a literal `$`.
POSTING_2 = """name: Get user
method: GET
url: ${BASE_URL}/users/:id/posts/:post
path_params:
- name: id
  value: ${USER_ID}
- name: post
  value: '7'
headers:
- name: X-Price
  value: $$5
options:
  follow_redirects: true
  verify_ssl: true
  attach_cookies: false
  proxy_url: ''
  timeout: 12.5
"""


def test_posting_2_path_params_timeout_and_cookies(tmp_path):
    path = tmp_path / "get-user.posting.yaml"
    path.write_text(POSTING_2)
    request = read_import(path).requests[0]
    assert request.url == "{{BASE_URL}}/users/{{USER_ID}}/posts/7"
    assert request.headers == [("X-Price", "$5")]
    assert request.extra == {"timeout": 12.5, "cookies": False}
    save_import(read_import(path), tmp_path / "c")
    assert load_collection(tmp_path / "c").errors == []


def test_an_older_posting_file_whose_body_is_the_text(tmp_path):
    # Posting before 1.0 wrote `body: |-` with the text itself (its sample-collections still do).
    path = tmp_path / "create.posting.yaml"
    path.write_text('name: Create user\nmethod: POST\nurl: https://example.test/users\nbody: |-\n  {"a": 1}\n')
    assert read_import(path).requests[0].body == '{"a": 1}'


def test_a_proxy_is_named_as_left_out(tmp_path):
    path = tmp_path / "p.posting.yaml"
    path.write_text("name: P\nmethod: GET\nurl: https://example.test/\noptions:\n  proxy_url: http://proxy:3128\n")
    assert any("proxy" in w for w in read_import(path).warnings)
