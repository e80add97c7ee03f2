"""A request's [capture] in the app: a single send sets the values for the requests after it,
as a run does (the same core function) and as Postman and Bruno do (real httpbin)."""

from __future__ import annotations

import json

import pytest

from tests.helpers.sessions import noting_session


@pytest.fixture
async def session(tmp_path, httpbin):
    root = tmp_path / "c"
    (root / "env").mkdir(parents=True)
    (root / "collection.toml").write_text(f'name = "c"\n[variables]\nbase = "{httpbin.url}"\n')
    (root / "env" / "other.toml").write_text(f'[variables]\nbase = "{httpbin.url}"\n')
    (root / "create.toml").write_text(
        'name = "Create"\nmethod = "POST"\nurl = "{{base}}/anything"\n'
        "body = '''{\"id\": \"ord-5\", \"access_token\": \"captured-token-0123456789\"}'''\n"
        '[headers]\nContent-Type = "application/json"\n'
        '[capture]\norder_id = { json = "json.id" }\naccess_token = { json = "json.access_token" }\n'
        'missing = { json = "json.nope" }\n')
    (root / "read.toml").write_text(
        'name = "Read"\nurl = "{{base}}/anything/{{order_id}}"\n[headers]\nAuthorization = "Bearer {{access_token}}"\n')
    async with noting_session(root, tmp_path / "state") as s:
        yield s


async def test_a_send_captures_for_the_requests_after_it(session):
    first = await session.send(session.find("Create"))
    assert first.summary.status == 200
    (said,) = [n for n in session.notices if n.title == "captured"]
    assert "order_id, access_token" in said.text and "captured-token" not in said.text
    (failed,) = [n for n in session.notices if n.title == "capture failed"]
    assert "missing: json json.nope missing" in failed.text
    second = await session.send(session.find("Read"))
    assert second.summary.status == 200
    echoed = json.loads(second.summary.text())
    assert echoed["url"].endswith("/anything/ord-5")
    assert echoed["headers"]["Authorization"] == "Bearer captured-token-0123456789"
    assert "captured-token-0123456789" in second.secrets  # masked wherever it shows


async def test_an_environment_switch_forgets_what_was_captured(session):
    await session.send(session.find("Create"))
    session.use_environment("other")  # another server's ids mean nothing there
    again = await session.send(session.find("Read"))
    assert again.summary.sent is False and "unknown variable 'order_id'" in (again.summary.error or "")
    assert "captured by Create: send it first or run the collection" in again.summary.error
