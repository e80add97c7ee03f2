"""Auth schemes against a real server on 127.0.0.1 (tests/core/http/auth_app.py)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from streamdash.core.http.auth import (
    AuthError,
    BasicAuthConfig,
    OAuth2Config,
    TokenCache,
    TokenEndpointError,
    build_auth,
    parse_auth,
)
from streamdash.core.http.client import make_client
from streamdash.core.http.send import send
from tests.core.http.auth_app import BEARER, CLIENT_ID, CLIENT_SECRET, PASSWORD, USER


@pytest.fixture(scope="module")
def _server(auth_server):
    return auth_server


@pytest.fixture
def server(_server):
    _server.reset()
    return _server


@pytest.fixture
async def client():
    async with make_client() as c:
        yield c


def auth_for(table, variables=None, tokens=None):
    return build_auth(parse_auth(table, "req.toml"), variables or {}, tokens if tokens is not None else TokenCache())


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- basic / bearer / digest ---------------------------------------------------------------------


async def test_basic_right_and_wrong(server, client):
    ok = await client.get(server.url + "/basic", auth=auth_for({"type": "basic", "username": USER, "password": PASSWORD}))
    assert ok.status_code == 200 and ok.json()["user"] == USER
    bad = await client.get(server.url + "/basic", auth=auth_for({"type": "basic", "username": USER, "password": "no"}))
    assert bad.status_code == 401


async def test_basic_password_from_env_and_variables(server, client, monkeypatch):
    monkeypatch.setenv("SD_TEST_PW", PASSWORD)
    table = {"type": "basic", "username": "{{user}}", "password": "{{env:SD_TEST_PW}}"}
    ok = await client.get(server.url + "/basic", auth=auth_for(table, {"user": USER}))
    assert ok.status_code == 200


def test_missing_env_variable_is_a_one_line_auth_error(monkeypatch):
    monkeypatch.delenv("SD_TEST_NOPE", raising=False)
    with pytest.raises(AuthError) as err:
        auth_for({"type": "bearer", "token": "{{env:SD_TEST_NOPE}}"})
    message = str(err.value)
    assert "\n" not in message and "req.toml" in message and "auth.token" in message and "SD_TEST_NOPE" in message


async def test_bearer_right_and_wrong(server, client, monkeypatch):
    monkeypatch.setenv("SD_TEST_TOKEN", BEARER)
    ok = await client.get(server.url + "/bearer", auth=auth_for({"type": "bearer", "token": "{{env:SD_TEST_TOKEN}}"}))
    assert ok.status_code == 200
    bad = await client.get(server.url + "/bearer", auth=auth_for({"type": "bearer", "token": "wrong"}))
    assert bad.status_code == 401


async def test_digest_right_and_wrong(server, client):
    ok = await client.get(server.url + "/digest?x=1", auth=auth_for({"type": "digest", "username": USER, "password": PASSWORD}))
    assert ok.status_code == 200 and ok.json()["user"] == USER
    bad = await client.get(server.url + "/digest", auth=auth_for({"type": "digest", "username": USER, "password": "no"}))
    assert bad.status_code == 401


async def test_none_sends_no_authorization(server, client):
    response = await client.get(server.url + "/bearer", auth=auth_for({"type": "none"}))
    assert response.status_code == 401


async def test_works_through_send_with_a_client_default_auth(server):
    auth = auth_for({"type": "basic", "username": USER, "password": PASSWORD})
    async with make_client(auth=auth) as c:
        summary = await send(c, "GET", server.url + "/basic")
    assert summary.status == 200


# --- oauth2 client credentials -------------------------------------------------------------------

OAUTH = {"type": "oauth2", "grant": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}


def oauth(server, **extra):
    return {**OAUTH, "token_url": server.url + "/token", **extra}


async def test_oauth2_token_fetched_once_for_many_requests(server, client):
    tokens = TokenCache()
    auth = auth_for(oauth(server, scope="read write", audience="api://x"), tokens=tokens)
    for _ in range(3):
        assert (await client.get(server.url + "/api", auth=auth)).status_code == 200
    # A second auth object built from the same config shares the cached token.
    again = auth_for(oauth(server, scope="read write", audience="api://x"), tokens=tokens)
    assert (await client.get(server.url + "/api", auth=again)).status_code == 200
    assert server.state.token_calls == 1
    assert server.state.token_forms == [{"grant_type": "client_credentials", "scope": "read write", "audience": "api://x"}]
    assert tokens.size() == 1 and "tok-" not in repr(tokens)


async def test_oauth2_concurrent_requests_fetch_once(server, client):
    auth = auth_for(oauth(server))
    responses = await asyncio.gather(*(client.get(server.url + "/api", auth=auth) for _ in range(8)))
    assert [r.status_code for r in responses] == [200] * 8
    assert server.state.token_calls == 1


async def test_oauth2_secret_from_env(server, client, monkeypatch):
    monkeypatch.setenv("SD_TEST_CLIENT_SECRET", CLIENT_SECRET)
    auth = auth_for(oauth(server, client_secret="{{env:SD_TEST_CLIENT_SECRET}}"))
    assert (await client.get(server.url + "/api", auth=auth)).status_code == 200


async def test_oauth2_refreshes_after_expiry(server, client):
    server.state.expires_in = 60
    clock = FakeClock()
    auth = auth_for(oauth(server), tokens=TokenCache(clock=clock))
    first = (await client.get(server.url + "/api", auth=auth)).json()["token"]
    clock.now += 50  # inside the lifetime minus the margin (6 s)
    assert (await client.get(server.url + "/api", auth=auth)).json()["token"] == first
    clock.now += 5  # 55 s: past 60 - 6
    second = (await client.get(server.url + "/api", auth=auth)).json()["token"]
    assert second != first and server.state.token_calls == 2
    # The API never saw the stale token after expiry: refreshed before sending, no 401 round trip.
    assert server.state.api_calls == [f"Bearer {first}", f"Bearer {first}", f"Bearer {second}"]


async def test_oauth2_real_short_lifetime(server, client):
    server.state.expires_in = 1
    auth = auth_for(oauth(server))
    assert (await client.get(server.url + "/api", auth=auth)).status_code == 200
    await asyncio.sleep(1.0)
    assert (await client.get(server.url + "/api", auth=auth)).status_code == 200
    assert server.state.token_calls == 2


async def test_oauth2_refetches_once_on_401(server, client):
    auth = auth_for(oauth(server))
    first = (await client.get(server.url + "/api", auth=auth)).json()["token"]
    server.state.expire_tokens()  # revoked server-side; the cache still thinks it is good
    response = await client.post(server.url + "/api", auth=auth, content=b"payload")
    assert response.status_code == 200 and response.json()["token"] != first
    assert server.state.token_calls == 2
    assert len(server.state.api_calls) == 3  # ok, 401, retried ok


async def test_oauth2_gives_up_after_one_retry(server, client):
    server.state.expires_in = 0  # every token is dead on arrival
    auth = auth_for(oauth(server))
    response = await client.get(server.url + "/api", auth=auth)
    assert response.status_code == 401
    assert server.state.token_calls == 2 and len(server.state.api_calls) == 2


async def test_oauth2_token_endpoint_failure_is_one_line(server, client):
    server.state.fail_token = True
    url = server.url + "/token"
    with pytest.raises(AuthError) as err:
        await client.get(server.url + "/api", auth=auth_for(oauth(server)))
    assert str(err.value) == f"token endpoint {url} answered 401: invalid_client"
    assert server.state.api_calls == []


async def test_oauth2_wrong_secret_shows_description(server, client):
    with pytest.raises(TokenEndpointError, match=r"answered 401: invalid_client \(bad client credentials\)$"):
        await client.get(server.url + "/api", auth=auth_for(oauth(server, client_secret="nope")))


async def test_oauth2_token_failure_through_send_is_a_summary_error(server):
    server.state.fail_token = True
    async with make_client(auth=auth_for(oauth(server))) as c:
        summary = await send(c, "GET", server.url + "/api")
    assert summary.status is None and "answered 401: invalid_client" in summary.error


async def test_oauth2_token_endpoint_without_json(server, client):
    table = oauth(server, token_url=server.url + "/basic")  # 401 text/plain "unauthorized"
    with pytest.raises(TokenEndpointError, match=r"answered 401: unauthorized$"):
        await client.get(server.url + "/api", auth=auth_for(table))


async def test_oauth2_refuses_a_sync_client(server):
    with httpx.Client() as sync, pytest.raises(AuthError, match="AsyncClient"):
        sync.get(server.url + "/api", auth=auth_for(oauth(server)))  # noqa: ASYNC212 - the point


def test_token_cache_keys_and_margin():
    clock = FakeClock()
    cache = TokenCache(clock=clock)
    a, b = ("u", "id", None, None), ("u", "id", "scope", None)
    cache.put(a, "t1", 100)
    cache.put(b, "t2", None)
    assert (cache.get(a), cache.get(b)) == ("t1", "t2")
    clock.now += 89.9
    assert cache.get(a) == "t1"
    clock.now += 0.2
    assert cache.get(a) is None and cache.get(b) == "t2"
    cache.forget(b, "other")
    assert cache.get(b) == "t2"
    cache.forget(b)
    assert cache.get(b) is None


# --- parsing -------------------------------------------------------------------------------------


def test_parse_each_type():
    assert parse_auth({"type": "Basic", "username": "u", "password": ""}, "f") == BasicAuthConfig("u", "", where="f")
    config = parse_auth({"type": "oauth2", "token_url": "https://t", "client_id": "c", "client_secret": "s"}, "f")
    assert config == OAuth2Config("https://t", "c", "s", where="f")
    assert parse_auth({"type": "bearer", "token": "t"}, "f").token == "t"
    assert parse_auth({"type": "digest", "username": "u", "password": "p"}, "f").type == "digest"


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"type": "kerberos"}, "f.toml: auth: unknown type 'kerberos' (one of: none, basic, digest, bearer, oauth2, command)"),
        ({"username": "u"}, "f.toml: auth: missing field 'type'"),
        ({"type": "basic", "username": "u"}, "f.toml: auth: missing field 'password' for type 'basic'"),
        ({"type": "digest", "password": "p"}, "f.toml: auth: missing field 'username' for type 'digest'"),
        ({"type": "bearer"}, "f.toml: auth: missing field 'token' for type 'bearer'"),
        ({"type": "bearer", "token": " "}, "f.toml: auth: field 'token' is empty"),
        ({"type": "oauth2", "token_url": "u", "client_id": "c"}, "f.toml: auth: grant 'client_credentials' needs the field 'client_secret'"),
        ({"type": "oauth2", "token_url": "u", "client_id": "c", "grant": "password"},
         "f.toml: auth: grant 'password' needs the field 'username'"),
        ({"type": "oauth2", "token_url": "u", "client_id": "c", "grant": "device_code"},
         "f.toml: auth: grant 'device_code' needs the field 'device_authorization_url'"),
        ({"type": "oauth2", "token_url": "u", "client_id": "c", "grant": "implicit"},
         "f.toml: auth: unsupported grant 'implicit' (supported: client_credentials, password, refresh_token, device_code)"),
        ({"type": "command"}, "f.toml: auth: field 'command' must be a list of words"),
        ({"type": "command", "command": []}, "f.toml: auth: field 'command' is empty"),
        ({"type": "command", "command": "gh auth token", "ttl": 0}, "f.toml: auth: field 'ttl' must be a number of seconds > 0"),
        ({"type": "command", "command": ["gh"], "shell": True}, "f.toml: auth: unknown field 'shell' for type 'command'"),
        ({"type": "basic", "username": "u", "pasword": "p"}, "f.toml: auth: unknown field 'pasword' for type 'basic'"),
        ({"type": "basic", "username": "u", "password": 12}, "f.toml: auth: field 'password' must be a string, got int"),
        ("basic", "f.toml: auth: expected a table, got str"),
    ],
)
def test_parse_errors_are_one_line_and_name_the_field(table, expected):
    with pytest.raises(AuthError) as err:
        parse_auth(table, "f.toml")
    assert str(err.value).startswith(expected) and "\n" not in str(err.value)
    assert isinstance(err.value, ValueError)


async def test_digest_auth_int_hashes_the_body(server, client):
    """RFC 7616 3.4.3: with qop=auth-int, H(A2) = H(method:uri:H(body)); the server checks it."""
    auth = auth_for({"type": "digest", "username": USER, "password": PASSWORD})
    ok = await client.post(server.url + "/digest-int?v=1", content="héllo".encode(), auth=auth)
    assert ok.status_code == 200 and ok.json() == {"ok": True, "user": USER, "body": "héllo"}
    empty = await client.get(server.url + "/digest-int", auth=auth)
    assert empty.status_code == 200
    wrong = auth_for({"type": "digest", "username": USER, "password": "no"})
    assert (await client.put(server.url + "/digest-int", content=b"x", auth=wrong)).status_code == 401


async def test_digest_auth_int_against_httpbin(client):
    """The same against httpbin's reading of the RFC (its endpoint only takes a GET)."""
    from tests.helpers.httpbin_server import HttpbinServer

    with HttpbinServer() as httpbin:
        auth = auth_for({"type": "digest", "username": "user", "password": "passwd"})
        ok = await client.get(httpbin.url + "/digest-auth/auth-int/user/passwd", auth=auth)
        assert ok.status_code == 200 and ok.json() == {"authenticated": True, "user": "user"}
        plain = await client.get(httpbin.url + "/digest-auth/auth/user/passwd", auth=auth)
        assert plain.status_code == 200
        bad = auth_for({"type": "digest", "username": "user", "password": "wrong"})
        refused = await client.get(httpbin.url + "/digest-auth/auth-int/user/passwd", auth=bad)
        assert refused.status_code == 401


async def test_digest_auth_int_through_send_is_an_answer(server):
    async with make_client() as c:
        summary = await send(c, "POST", server.url + "/digest-int", body=b"{}",
                             auth=auth_for({"type": "digest", "username": USER, "password": PASSWORD}))
    assert (summary.status, summary.error) == (200, None)
