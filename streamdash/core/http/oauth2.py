"""OAuth2 as an `httpx.Auth`: the client credentials, password, refresh token and device
authorization (RFC 8628) grants, with refresh tokens used before a grant is run again.

Decisions:
- Every token request is yielded from the auth flow, so it goes through the same client (its
  transport, proxy, TLS and timeouts) as the request it authorises; no second client.
- The client id and secret go in HTTP Basic (RFC 6749 2.3.1, form-encoded first); a public
  client (no secret: the device and password grants often have none) sends `client_id` in the
  form instead.
- Tokens, refresh tokens included, live only in the `TokenCache` (memory). A token is used until
  `expires_in` minus a margin; when it has expired (or the API answers 401) a refresh token, if
  the server gave one, is tried first, and the grant runs again only when the refresh fails.
- A 401 from the API gets one new token and one retry; a second 401 is the answer.
- The device grant (RFC 8628) shows the code and the URL to the person through
  `TokenCache.prompt` (a notice in the app, stderr for `tail` and `run`: over SSH there is no
  browser to open), then polls the token endpoint at the server's `interval`, 5 s slower after
  each `slow_down`, until the person approves, denies, or the code expires. Concurrent requests
  wait for the one sign-in (the cache's lock per key).
- A failing token endpoint raises `TokenEndpointError` (one line; an `httpx.RequestError`, so a
  send turns it into its summary's error like any transport failure).
"""

from __future__ import annotations

import asyncio
import json
import time
from base64 import b64encode
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any
from urllib.parse import quote_plus

import httpx

from streamdash.core.http.tokens import AuthError, TokenCache, TokenEndpointError, TokenKey, error_reason

__all__ = ["GRANTS", "OAuth2Auth", "OAuth2ClientCredentials"]

GRANTS = ("client_credentials", "password", "refresh_token", "device_code")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_DEVICE_INTERVAL = 5.0
DEFAULT_DEVICE_LIFETIME = 600.0


class OAuth2Auth(httpx.Auth):
    """One OAuth2 configuration's tokens for requests; see the module docstring."""

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str = "",
        scope: str | None = None,
        audience: str | None = None,
        grant: str = "client_credentials",
        username: str = "",
        password: str = "",
        refresh_token: str = "",
        device_authorization_url: str = "",
        cache: TokenCache,
        sleep: Callable[[float], Any] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.scope = scope
        self.audience = audience
        self.grant = grant
        self.username = username
        self._password = password
        self._refresh_token = refresh_token
        self.device_authorization_url = device_authorization_url
        self.cache = cache
        self._sleep = sleep
        self._clock = clock
        self.key: TokenKey = (token_url, client_id, scope or "", audience or "", grant, username)
        self._fresh: str | None = None  # the token the running flow just got (under the lock)
        self._extensions: dict[str, Any] = {}

    def __repr__(self) -> str:  # never the secret, the password or a token
        return f"OAuth2Auth(grant={self.grant!r}, token_url={self.token_url!r}, client_id={self.client_id!r})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise AuthError("oauth2 auth needs an httpx.AsyncClient")

    # -- the requests sent to the authorization server -------------------------------------------

    def _form_request(self, url: str, form: dict[str, str]) -> httpx.Request:
        if self.scope:
            form["scope"] = self.scope
        if self.audience:
            form["audience"] = self.audience
        headers = {"Accept": "application/json"}
        extensions = self._extensions  # the request's own timeouts
        if self._client_secret:
            pair = f"{quote_plus(self.client_id)}:{quote_plus(self._client_secret)}"
            headers["Authorization"] = "Basic " + b64encode(pair.encode("utf-8")).decode("ascii")
        else:
            form["client_id"] = self.client_id  # a public client names itself in the form
        return httpx.Request("POST", url, data=form, headers=headers, extensions=extensions)

    def token_request(self) -> httpx.Request:
        """The grant's own token request (the device grant's are made in `_obtain`)."""
        if self.grant == "password":
            return self._form_request(self.token_url, {"grant_type": "password", "username": self.username,
                                                       "password": self._password})
        if self.grant == "refresh_token":
            return self._refresh_request(self._refresh_token)
        return self._form_request(self.token_url, {"grant_type": "client_credentials"})

    def _refresh_request(self, token: str) -> httpx.Request:
        return self._form_request(self.token_url, {"grant_type": "refresh_token", "refresh_token": token})

    # -- reading the answers ----------------------------------------------------------------------

    async def _json(self, response: httpx.Response, what: str) -> dict[str, Any]:
        await response.aread()
        if not response.is_success:
            raise TokenEndpointError(f"{what} answered {response.status_code}: {error_reason(response)}",
                                     request=response.request)
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise TokenEndpointError(f"{what} answered {response.status_code} without a JSON object",
                                     request=response.request)
        return data

    async def _accept(self, response: httpx.Response) -> str:
        """The token of a token response, cached (with its refresh token); raises TokenEndpointError."""
        where = f"token endpoint {self.token_url}"
        data = await self._json(response, where)
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise TokenEndpointError(f"{where} answered without an access_token", request=response.request)
        expires_in: float | None
        try:
            expires_in = float(data["expires_in"])
        except (KeyError, TypeError, ValueError):
            expires_in = None
        self.cache.put(self.key, token, expires_in)
        self._fresh = token  # used for this request even when it is dead on arrival (expires_in 0)
        refresh = data.get("refresh_token")
        if isinstance(refresh, str) and refresh:
            self.cache.put_refresh(self.key, refresh)  # a rotated one replaces the old
        return token

    # -- the flows ----------------------------------------------------------------------------------

    async def _obtain(self) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Yields the requests that get a new token (a refresh first, when there is a refresh
        token); the token ends up in the cache."""
        refresh = self.cache.refresh_token(self.key)
        if refresh:
            response = yield self._refresh_request(refresh)
            try:
                await self._accept(response)
                return
            except TokenEndpointError:
                self.cache.put_refresh(self.key, None)  # spent or revoked: run the grant again
        if self.grant == "device_code":
            where = f"device authorization endpoint {self.device_authorization_url}"
            data = await self._json((yield self._form_request(self.device_authorization_url, {})), where)
            code, user_code = data.get("device_code"), data.get("user_code")
            uri = data.get("verification_uri_complete") or data.get("verification_uri") or data.get("verification_url")
            if not all(isinstance(v, str) and v for v in (code, user_code, uri)):
                raise TokenEndpointError(f"{where} answered without device_code, user_code and verification_uri")
            interval = _seconds(data.get("interval"), DEFAULT_DEVICE_INTERVAL)
            lifetime = _seconds(data.get("expires_in"), DEFAULT_DEVICE_LIFETIME)
            deadline = self._clock() + lifetime
            shown = f"open {uri}" + ("" if data.get("verification_uri_complete") else f" and enter the code {user_code}")
            if not self.cache.say(f"sign in to {self.client_id}: {shown} (the code expires in {lifetime / 60:.0f} min)"):
                raise TokenEndpointError(f"{where}: the device grant needs a person to open {uri}, and nobody "
                                         "is there to tell")
            signed_in = False
            try:
                while True:
                    await self._sleep(interval)
                    if self._clock() >= deadline:
                        raise TokenEndpointError("the sign-in code expired before it was used: send the request again")
                    response = yield self._form_request(self.token_url, {"grant_type": DEVICE_GRANT, "device_code": str(code)})
                    await response.aread()
                    if response.is_success:
                        await self._accept(response)
                        signed_in = True
                        return
                    error = _error_code(response)
                    if error == "authorization_pending":
                        continue
                    if error == "slow_down":  # RFC 8628 3.5: five seconds more, from now on
                        interval += 5.0
                        continue
                    if error == "access_denied":
                        raise TokenEndpointError("the sign-in was denied", request=response.request)
                    if error == "expired_token":
                        raise TokenEndpointError("the sign-in code expired before it was used: send the request again",
                                                 request=response.request)
                    raise TokenEndpointError(f"token endpoint {self.token_url} answered {response.status_code}: "
                                             f"{error_reason(response)}", request=response.request)
            finally:  # the code is of no use now: the app takes its notice down
                self.cache.say(f"signed in to {self.client_id}" if signed_in else "", waiting=False)
        await self._accept((yield self.token_request()))

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        # A token request gets the timeouts of the request it is for (`timeout = S` in its file).
        self._extensions = {"timeout": request.extensions["timeout"]} if "timeout" in request.extensions else {}
        lock = self.cache.lock(self.key)
        rejected: str | None = None  # the token a 401 refused; a second 401 is the answer
        while True:
            async with lock:
                token = self.cache.get(self.key)
                if token is None or token == rejected:  # none, or still the refused one
                    if rejected is not None:
                        self.cache.forget(self.key, rejected)
                    self._fresh = None
                    flow = self._obtain()
                    answer: httpx.Response | None = None
                    try:
                        while True:
                            step = await (flow.asend(answer) if answer is not None else flow.__anext__())
                            answer = yield step
                    except StopAsyncIteration:
                        pass
                    token = self._fresh
                    if token is None:
                        raise TokenEndpointError(f"token endpoint {self.token_url} gave no token", request=request)
            request.headers["Authorization"] = f"Bearer {token}"
            response = yield request
            if response.status_code != 401 or rejected is not None:
                return
            rejected = token  # fetched again once (unless another request already did), one retry


def _error_code(response: httpx.Response) -> str | None:
    try:
        data = json.loads(response.content)
    except ValueError:
        return None
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, str) else None


def _seconds(value: object, default: float) -> float:
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return seconds if seconds > 0 else default


# The name callers and tests know; every grant goes through the one class.
OAuth2ClientCredentials = OAuth2Auth
