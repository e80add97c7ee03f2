"""OAuth2 beyond client credentials, against a real authorization server on 127.0.0.1
(tests/helpers/oauth_server.py): the password grant, refresh tokens (used on expiry, rotated,
a failed refresh falling back to the grant), a refresh_token grant, and the device grant of
RFC 8628 (the code shown, pending, slow_down, denied, expired)."""

from __future__ import annotations

import pytest

from streamdash.core.http.auth import OAuth2Auth, auth_for, parse_auth
from streamdash.core.http.client import make_client
from streamdash.core.http.tokens import TokenCache, TokenEndpointError
from tests.helpers.oauth_server import CLIENT_ID, PASSWORD, USER, OAuthServer


@pytest.fixture
def server():
    with OAuthServer() as running:
        yield running


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def password_auth(server, cache: TokenCache):
    config = parse_auth({"type": "oauth2", "grant": "password", "token_url": server.url + "/token",
                         "client_id": CLIENT_ID, "username": USER, "password": PASSWORD}, "t.toml")
    return auth_for(config, cache)


async def test_password_grant_as_a_public_client(server):
    async with make_client() as client:
        response = await client.get(server.url + "/api", auth=password_auth(server, TokenCache()))
    assert response.status_code == 200 and response.json()["token"] == "access-1"
    form = server.state.forms[0]
    assert form == {"grant_type": "password", "username": USER, "password": PASSWORD, "client_id": CLIENT_ID}


async def test_an_expired_token_is_refreshed_with_the_refresh_token_not_the_password(server):
    clock = Clock()
    cache = TokenCache(clock=clock)
    server.state.expires_in = 60
    async with make_client() as client:
        auth = password_auth(server, cache)
        assert (await client.get(server.url + "/api", auth=auth)).json()["token"] == "access-1"
        clock.now += 3600  # past expires_in (and its margin)
        assert (await client.get(server.url + "/api", auth=auth)).json()["token"] == "access-2"
        clock.now += 3600
        assert (await client.get(server.url + "/api", auth=auth)).json()["token"] == "access-3"
    grants = [f["grant_type"] for f in server.state.forms]
    assert grants == ["password", "refresh_token", "refresh_token"]
    assert [f.get("refresh_token") for f in server.state.forms[1:]] == ["refresh-1", "refresh-2"]  # rotated
    assert {"refresh-1", "refresh-2", "access-1"} <= cache.issued()  # masked wherever they show


async def test_a_failed_refresh_falls_back_to_the_grant(server):
    clock = Clock()
    cache = TokenCache(clock=clock)
    async with make_client() as client:
        auth = password_auth(server, cache)
        await client.get(server.url + "/api", auth=auth)
        server.state.refresh_ok = False
        clock.now += 10_000
        assert (await client.get(server.url + "/api", auth=auth)).status_code == 200
    assert [f["grant_type"] for f in server.state.forms] == ["password", "refresh_token", "password"]


async def test_a_401_gets_a_refreshed_token_and_one_retry(server):
    async with make_client() as client:
        auth = password_auth(server, TokenCache())
        await client.get(server.url + "/api", auth=auth)
        server.state.live.clear()  # the server forgot every access token
        assert (await client.get(server.url + "/api", auth=auth)).status_code == 200
    assert [f["grant_type"] for f in server.state.forms] == ["password", "refresh_token"]


async def test_the_refresh_token_grant_from_a_saved_refresh_token(server):
    server.state.refresh.add("given-refresh")
    config = parse_auth({"type": "oauth2", "grant": "refresh_token", "token_url": server.url + "/token",
                         "client_id": CLIENT_ID, "refresh_token": "given-refresh"}, "t.toml")
    async with make_client() as client:
        assert (await client.get(server.url + "/api", auth=auth_for(config, TokenCache()))).status_code == 200
    assert server.state.forms[0]["refresh_token"] == "given-refresh"


def device_auth(server, cache: TokenCache, sleeps: list[float]) -> OAuth2Auth:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return OAuth2Auth(token_url=server.url + "/token", client_id=CLIENT_ID, grant="device_code",
                      device_authorization_url=server.url + "/device", cache=cache, sleep=sleep)


async def test_device_grant_shows_the_code_and_polls_through_pending_and_slow_down(server):
    said: list[str] = []
    sleeps: list[float] = []
    cache = TokenCache()
    cache.prompt = lambda text, waiting: said.append(text)
    async with make_client() as client:
        response = await client.get(server.url + "/api", auth=device_auth(server, cache, sleeps))
    assert response.status_code == 200
    assert said == ["sign in to cli-app: open https://example.com/device and enter the code WDJB-MJHT "
                    "(the code expires in 10 min)", "signed in to cli-app"]
    assert sleeps == [0.05, 0.05, 5.05]  # the server's interval, then 5 s more after slow_down
    assert len(server.state.device_polls) == 3


@pytest.mark.parametrize(("outcome", "reason"), [
    ("access_denied", "the sign-in was denied"),
    ("expired_token", "the sign-in code expired before it was used: send the request again"),
])
async def test_device_grant_denied_or_expired_is_one_line(server, outcome, reason):
    server.state.device_script = ["authorization_pending", outcome]
    cache = TokenCache()
    cache.prompt = lambda text, waiting: None
    async with make_client() as client:
        with pytest.raises(TokenEndpointError) as caught:
            await client.get(server.url + "/api", auth=device_auth(server, cache, []))
    assert str(caught.value) == reason


async def test_device_grant_with_nobody_to_tell_says_so(server):
    async with make_client() as client:
        with pytest.raises(TokenEndpointError, match=r"the device grant needs a person to open https://example\.com/device"):
            await client.get(server.url + "/api", auth=device_auth(server, TokenCache(), []))


async def test_device_grant_code_that_runs_out_while_polling(server):
    server.state.device_script = ["authorization_pending"] * 50
    clock = Clock()
    cache = TokenCache()
    cache.prompt = lambda text, waiting: None

    async def sleep(seconds: float) -> None:
        clock.now += 120  # two minutes per poll: the 10 minute code runs out

    auth = OAuth2Auth(token_url=server.url + "/token", client_id=CLIENT_ID, grant="device_code",
                      device_authorization_url=server.url + "/device", cache=cache, sleep=sleep, clock=clock)
    async with make_client() as client:
        with pytest.raises(TokenEndpointError, match="expired before it was used"):
            await client.get(server.url + "/api", auth=auth)
    assert len(server.state.device_polls) == 4
