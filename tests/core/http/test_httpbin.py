"""The REST side against httpbin (the reference server, from PyPI, under werkzeug on 127.0.0.1):
each request goes the app's one path (`Executor.run`: prepare, the shared client, redirects, auth,
decoding, timeouts, the cache), so what passes here is what a person gets in the app and in
`streamdash run`. The closing note of issue 12 lists these features."""

from __future__ import annotations

import json

import pytest

from streamdash import __version__
from streamdash.core.collections import SavedRequest
from streamdash.core.http.execute import Executor
from streamdash.core.http.transport import ClientPool


@pytest.fixture
async def executor():
    ex = Executor(ClientPool())
    yield ex
    await ex.aclose()


async def run(executor: Executor, httpbin, path: str, **fields):
    extra = fields.pop("extra", {})
    variables = fields.pop("variables", {})
    request = SavedRequest(name=path, url="{{base}}" + path, extra=extra, **fields)
    return await executor.run(request, {"base": httpbin.url, **variables})


def body(done) -> dict:
    return json.loads(done.summary.body)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_methods_send_their_json_body_and_headers(executor, httpbin, method):
    done = await run(executor, httpbin, f"/{method.lower()}", method=method, body='{"n": 1}',
                     headers=[("Content-Type", "application/json"), ("X-Trace", "t-1")],
                     query=[("q", "a b")])
    echoed = body(done)
    assert done.summary.status == 200
    assert echoed["json"] == {"n": 1} and echoed["headers"]["X-Trace"] == "t-1"
    assert echoed["args"] == {"q": "a b"}


async def test_the_user_agent_is_ours(executor, httpbin):
    assert body(await run(executor, httpbin, "/user-agent")) == {"user-agent": f"streamdash/{__version__}"}


@pytest.mark.parametrize(("path", "flag"), [("/gzip", "gzipped"), ("/deflate", "deflated"), ("/brotli", "brotli")])
async def test_compressed_answers_decode_out_of_the_box(executor, httpbin, path, flag):
    done = await run(executor, httpbin, path)
    assert body(done)[flag] is True and done.summary.body_note == ""


async def test_utf8_text_and_status_codes(executor, httpbin):
    text = (await run(executor, httpbin, "/encoding/utf8")).summary.text()
    assert "∮ E⋅da = Q" in text
    teapot = await run(executor, httpbin, "/status/418")
    assert (teapot.summary.status, teapot.summary.ok) == (418, False)
    assert (await run(executor, httpbin, "/status/204")).summary.status == 204


@pytest.mark.parametrize("path", ["/redirect/3", "/absolute-redirect/2", "/relative-redirect/2"])
async def test_redirects_are_followed_to_the_end(executor, httpbin, path):
    done = await run(executor, httpbin, path)
    assert done.summary.status == 200 and done.summary.url == f"{httpbin.url}/get"


async def test_a_redirect_elsewhere_holds_the_api_key_back(executor, httpbin):
    other = httpbin.url.replace("127.0.0.1", "localhost")
    done = await run(executor, httpbin, "/redirect-to", query=[("url", f"{other}/headers")],
                     headers=[("X-Api-Key", "{{key}}")], variables={"key": "k-123456789"})
    assert done.summary.status == 200
    assert "X-Api-Key" not in body(done)["headers"]
    assert "not sent there: X-Api-Key" in done.notes


@pytest.mark.parametrize(
    ("path", "auth"),
    [
        ("/basic-auth/user/passwd", {"type": "basic", "username": "user", "password": "passwd"}),
        ("/hidden-basic-auth/user/passwd", {"type": "basic", "username": "user", "password": "passwd"}),
        ("/bearer", {"type": "bearer", "token": "t0k3n-abc"}),
        ("/digest-auth/auth/user/passwd", {"type": "digest", "username": "user", "password": "passwd"}),
        ("/digest-auth/auth/user/passwd/SHA-256", {"type": "digest", "username": "user", "password": "passwd"}),
    ],
)
async def test_auth_kinds(executor, httpbin, path, auth):
    done = await run(executor, httpbin, path, extra={"auth": auth})
    assert done.summary.status == 200, done.summary.error
    assert body(done)["authenticated"] is True
    refused = await run(executor, httpbin, path)
    assert refused.summary.status in (401, 404)


async def test_a_timeout_is_one_line_naming_it(executor, httpbin):
    done = await run(executor, httpbin, "/delay/3", extra={"timeout": 0.3})
    assert done.summary.status is None
    assert done.summary.error == "timed out after 0.3 s waiting for a response (read timeout, timeout = 0.3 in the request)"


async def test_a_cached_get_is_answered_from_the_cache(executor, httpbin):
    first = await run(executor, httpbin, "/etag/v1", extra={"cache": True})
    again = await run(executor, httpbin, "/etag/v1", extra={"cache": True})
    assert first.summary.status == 200 and again.note.startswith("cache hit")


async def test_response_headers_and_a_streamed_json_lines_body(executor, httpbin):
    done = await run(executor, httpbin, "/response-headers", query=[("X-Rate-Limit", "7")])
    assert ("X-Rate-Limit", "7") in done.summary.headers
    lines = (await run(executor, httpbin, "/stream/5")).summary.text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [0, 1, 2, 3, 4]


async def test_an_echoed_secret_is_masked_in_what_the_app_shows(executor, httpbin, monkeypatch):
    from streamdash.core.http.secrets import mask_secrets

    monkeypatch.setenv("SD_HTTPBIN_TOKEN", "t0k3n-from-the-shell")
    done = await run(executor, httpbin, "/anything", headers=[("Authorization", "Bearer {{env:SD_HTTPBIN_TOKEN}}")])
    assert body(done)["headers"]["Authorization"] == "Bearer t0k3n-from-the-shell"  # it was sent
    shown = mask_secrets(done.summary.pretty_text(), done.secrets)  # what the response pane shows
    assert "t0k3n-from-the-shell" not in shown and "Bearer " in shown
