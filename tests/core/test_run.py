from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest

from streamdash.core.collections.storage import request_from_toml
from streamdash.core.http.execute import Executor
from streamdash.core.http.transport import ClientPool
from streamdash.core.run import run_requests, run_step
from streamdash.demo import DemoServer


@pytest.fixture(scope="module")
def demo():
    with DemoServer(seed=3) as server:
        yield server


def req(text: str, name: str = "r"):
    return request_from_toml(text, Path(f"{name}.toml"))


async def run(demo, *requests, variables=None):
    variables = {"base_url": demo.url} if variables is None else variables
    executor = Executor(ClientPool())
    try:
        return [step async for step in run_requests(executor, list(requests), variables)]
    finally:
        await executor.aclose()


async def test_checks_pass_on_a_good_answer(demo):
    r = req('''
url = "{{base_url}}/api/items"
expect_status = 200
[query]
per_page = "3"
[[check]]
json = "items.0.id"
equals = 1
[[check]]
json = "total"
exists = true
[[check]]
json = "nope"
exists = false
[[check]]
json = "items.-1.id"
equals = 3
[[check]]
header = "content-type"
contains = "json"
[[check]]
body_contains = "items"
''')
    (step,) = await run(demo, r)
    assert step.error is None, step.error
    assert [c.passed for c in step.checks] == [True] * 7
    assert step.passed and step.status == 200 and step.size > 0 and step.elapsed_s > 0
    assert step.checks[0].name == "status 200"
    assert step.checks[1].name == "json items.0.id == 1"


async def test_failed_check_is_named_with_what_came(demo):
    r = req('''
url = "{{base_url}}/api/items/1"
[[check]]
json = "id"
equals = 2
[[check]]
json = "missing.path"
equals = 1
''')
    (step,) = await run(demo, r)
    assert not step.passed
    assert [c.passed for c in step.checks] == [True, False, False]
    assert step.checks[1].detail == "got 1"
    assert step.checks[2].detail == "missing"
    assert "json id == 2: got 1" in step.reason()


async def test_no_expect_status_means_below_400(demo):
    ok = req('url = "{{base_url}}/api/health"')
    missing = req('url = "{{base_url}}/api/items/9999"')
    steps = await run(demo, ok, missing)
    assert steps[0].passed and steps[0].checks[0].name == "status < 400"
    assert not steps[1].passed and steps[1].checks[0].detail == "got 404"


async def test_expect_status_list_and_flaky_500(demo):
    r500 = req('url = "{{base_url}}/api/flaky?fail=500"\nexpect_status = 500')
    rlist = req('url = "{{base_url}}/api/flaky?fail=429"\nexpect_status = [200, 429]')
    wrong = req('url = "{{base_url}}/api/flaky?fail=500"\nexpect_status = 200')
    steps = await run(demo, r500, rlist, wrong)
    assert [s.passed for s in steps] == [True, True, False]
    assert steps[2].reason() == "status 200: got 500"


async def test_capture_feeds_later_requests(demo):
    create = req('''
method = "POST"
url = "{{base_url}}/api/items"
body = '{"name": "Replay widget", "price": 1.5}'
expect_status = 201
[headers]
Content-Type = "application/json"
[capture]
item_id = { json = "id" }
location = { header = "location" }
''', "create")
    get = req('''
url = "{{base_url}}/api/items/{{item_id}}"
[[check]]
json = "name"
equals = "Replay widget"
[capture]
etag = { header = "ETag" }
''', "get")
    cond = req('''
url = "{{base_url}}/api/items/{{item_id}}"
expect_status = 304
[headers]
If-None-Match = "{{etag}}"
''', "cond")
    variables = {"base_url": demo.url}
    steps = await run(demo, create, get, cond, variables=variables)
    assert [s.error for s in steps] == [None, None, None]
    assert [s.passed for s in steps] == [True, True, True]
    item_id = steps[0].captured["item_id"]
    assert item_id.isdigit() and steps[0].captured["location"].endswith(f"/api/items/{item_id}")
    assert steps[1].url == f"{demo.url}/api/items/{item_id}"
    assert steps[1].captured["etag"].startswith('"')
    assert variables == {"base_url": demo.url}  # captures stay in the run


async def test_failed_capture_fails_the_steps_that_need_it(demo):
    first = req('url = "{{base_url}}/api/health"\n[capture]\nitem_id = { json = "id" }')
    second = req('url = "{{base_url}}/api/items/{{item_id}}"')
    independent = req('url = "{{base_url}}/api/health"')
    steps = await run(demo, first, second, independent)
    assert not steps[0].passed and steps[0].checks[-1].name == "capture item_id"
    assert steps[0].checks[-1].detail == "json id missing"
    assert steps[1].error == "unknown variable 'item_id'" and steps[1].status is None
    assert steps[2].passed  # the run goes on


async def test_missing_variable_is_one_line(demo):
    (step,) = await run(demo, req('url = "{{base_url}}/api/items/{{nope}}"'))
    assert step.error == "unknown variable 'nope'"
    assert not step.passed


async def test_transport_error_is_a_failed_step():
    r = req('url = "http://127.0.0.1:1/x"')
    executor = Executor(ClientPool())
    try:
        step = await run_step(executor, r, {})
    finally:
        await executor.aclose()
    assert step.error and "\n" not in step.error and step.status is None
    assert not step.passed


async def test_sse_requests_are_skipped(demo):
    (step,) = await run(demo, req('kind = "sse"\nurl = "{{base_url}}/streams/ticker"'))
    assert step.skipped and step.passed and step.checks == [] and "SSE" in step.note


def test_json_check_on_non_json_body():
    from streamdash.core.http.send import ResponseSummary
    from streamdash.core.run import _Answer, _checks, _run_check

    answer = _Answer(ResponseSummary("GET", "http://x", status=200, body=b"<html>"))
    (check,) = _checks({"check": [{"json": "a", "equals": 1}]})
    result = _run_check(check, answer)
    assert not result.passed and result.detail == "response is not JSON"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ('expect_status = "200"', "expect_status: must be a status code"),
        ("[[check]]\nequals = 1", "needs exactly one of json, header, body_contains"),
        ('[[check]]\njson = "a"\nequals = 1\nexists = true', "only one of equals, contains, exists"),
        ('[[check]]\njson = "a"\nbogus = 1', "unknown key 'bogus'"),
        ('[capture]\nx = "id"', "capture.x: must be"),
    ],
)
async def test_bad_spec_is_reported_without_sending(spec, message):
    r = req('url = "http://127.0.0.1:1/never"\n' + spec)
    executor = Executor(ClientPool())
    try:
        step = await run_step(executor, r, {})
    finally:
        await executor.aclose()
    assert step.error is not None and message in step.error
    assert step.status is None


async def test_digest_auth_int_step_passes(auth_server):
    """qop="auth-int" once crashed the run with NotImplementedError from httpx."""
    from tests.core.http.auth_app import PASSWORD, USER

    r = req(f'''
method = "POST"
url = "{{{{base_url}}}}/digest-int"
body = "a body"
[auth]
type = "digest"
username = "{USER}"
password = "{PASSWORD}"
[[check]]
json = "body"
equals = "a body"
''')
    (step,) = await run(None, r, variables={"base_url": auth_server.url})
    assert (step.status, step.error, step.passed) == (200, None, True)


class _BrokenAuth(httpx.Auth):
    def auth_flow(self, request):
        raise RuntimeError("unexpected")
        yield request


class _BreakingExecutor(Executor):
    """Sends request `broken` with an auth flow that raises: a bug the run must survive."""

    def prepare(self, request, variables, **kwargs):
        prepared = super().prepare(request, variables, **kwargs)
        return dataclasses.replace(prepared, auth=_BrokenAuth()) if request.name == "broken" else prepared


async def test_an_exception_while_sending_fails_that_step_and_the_run_goes_on(demo):
    executor = _BreakingExecutor(ClientPool())
    requests = [req('url = "{{base_url}}/api/health"', "broken"), req('url = "{{base_url}}/api/health"', "fine")]
    try:
        steps = [step async for step in run_requests(executor, requests, {"base_url": demo.url})]
    finally:
        await executor.aclose()
    assert [(s.name, s.passed) for s in steps] == [("broken", False), ("fine", True)]
    assert steps[0].error == "RuntimeError: unexpected"
