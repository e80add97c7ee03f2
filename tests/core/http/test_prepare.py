"""`prepare()`: the one path from a saved request to what is sent."""

from __future__ import annotations

import httpx
import pytest

from streamdash.core.collections import SavedRequest, StreamSettings
from streamdash.core.http.auth import BearerAuth, BearerAuthConfig, OAuth2ClientCredentials
from streamdash.core.http.prepare import PrepareError, prepare
from streamdash.core.http.settings import CollectionSettings
from streamdash.core.http.transport import TransportSettings
from streamdash.core.sse import RetryPolicy

ENV = {"SD_TOKEN": "tok-0123456789abcdef", "SD_PW": "pw"}


def req(**kw) -> SavedRequest:
    return SavedRequest(**{"name": "r", "url": "{{base}}/x", **kw})


def test_fields_rendered_query_merged_body_encoded():
    prepared = prepare(
        req(query=[("q", "{{term}}")], headers=[("X-A", "{{term}}")], body='{"t": "{{term}}"}', method="post"),
        {"base": "https://h.example", "term": "a b"},
        environ={},
    )
    assert prepared.method == "POST"
    assert prepared.url == "https://h.example/x?q=a+b"
    assert prepared.headers == (("X-A", "a b"),)
    assert prepared.body == b'{"t": "a b"}'
    assert prepared.timeout == httpx.Timeout(30.0, connect=10.0)


def test_own_auth_wins_over_the_collection_default_and_none_opts_out():
    settings = CollectionSettings(auth={"type": "bearer", "token": "{{env:SD_TOKEN}}"})
    default = prepare(req(), {"base": "https://h"}, settings, environ=ENV)
    assert default.auth_config == BearerAuthConfig(token=ENV["SD_TOKEN"], where="collection.toml")
    assert isinstance(default.auth, BearerAuth)
    own = prepare(req(extra={"auth": {"type": "basic", "username": "u", "password": "{{env:SD_PW}}"}}),
                  {"base": "https://h"}, settings, environ=ENV)
    assert isinstance(own.auth, httpx.BasicAuth)
    off = prepare(req(extra={"auth": {"type": "none"}}), {"base": "https://h"}, settings, environ=ENV)
    assert off.auth is None and off.auth_config is None


def test_oauth2_shares_the_token_cache():
    from streamdash.core.http.auth import TokenCache

    tokens = TokenCache()
    table = {"type": "oauth2", "token_url": "{{base}}/token", "client_id": "c", "client_secret": "{{env:SD_PW}}"}
    prepared = prepare(req(extra={"auth": table}), {"base": "https://h"}, None, tokens, environ=ENV)
    assert isinstance(prepared.auth, OAuth2ClientCredentials)
    assert prepared.auth.cache is tokens and prepared.auth.token_url == "https://h/token"


def test_secrets_are_known_by_value_and_masked():
    prepared = prepare(
        req(url="{{base}}/x/{{env:SD_TOKEN}}", extra={"auth": {"type": "basic", "username": "u", "password": "plainpass"}}),
        {"base": "https://h"}, environ=ENV,
    )
    # the base64 pair Basic sends joins them: an echo of the Authorization header shows that
    assert prepared.secrets == {ENV["SD_TOKEN"], "plainpass", "dTpwbGFpbnBhc3M="}
    assert ENV["SD_TOKEN"] not in prepared.masked_url and prepared.masked_url.endswith("••••cdef")


def test_a_variable_may_name_a_secret_of_the_environment():
    """The documented environment file `token = "{{env:STAGING_TOKEN}}"` sends the secret."""
    prepared = prepare(req(headers=[("Authorization", "Bearer {{token}}")]),
                       {"base": "https://h", "token": "{{env:SD_TOKEN}}"}, environ=ENV)
    assert prepared.headers == (("Authorization", f"Bearer {ENV['SD_TOKEN']}"),)
    assert ENV["SD_TOKEN"] in prepared.secrets
    # ... and only that: any other {{...}} in a value is sent as written, never expanded again.
    literal = prepare(req(body="{{x}}"), {"base": "https://h", "x": "{{base}}"}, environ=ENV)
    assert literal.body == b"{{base}}"


@pytest.mark.parametrize(
    ("request_kw", "variables", "needle"),
    [
        ({}, {}, "unknown variable 'base'"),
        ({"headers": [("X", "{{env:SD_NOPE}}")]}, {"base": "https://h"}, "SD_NOPE is not set in the environment"),
        ({"extra": {"auth": {"type": "bearer", "token": "{{env:SD_NOPE}}"}}}, {"base": "https://h"}, "auth.token: unknown variable 'env:SD_NOPE'"),
        ({"url": "/relative"}, {}, "it must start with http:// or https://"),
        ({"url": "https://"}, {}, "invalid URL"),
        ({"url": "http://127.0.0.1:99999/x"}, {}, "port 99999 is out of range"),
        ({"headers": [("X(A)", "b")]}, {"base": "https://h"}, "'X(A)' is not a valid header name"),
        ({"headers": [("X", "a\nb")]}, {"base": "https://h"}, "line break"),
        ({"method": "GE T"}, {"base": "https://h"}, "'GE T' is not an HTTP method"),
        ({"extra": {"auth": {"type": "kerberos"}}}, {"base": "https://h"}, "unknown type 'kerberos'"),
    ],
)
def test_what_cannot_be_sent_is_one_line(request_kw, variables, needle):
    with pytest.raises(PrepareError) as caught:
        prepare(req(**request_kw), variables, environ={})
    assert needle in str(caught.value) and "\n" not in str(caught.value)


def test_missing_names_the_variable():
    with pytest.raises(PrepareError) as caught:
        prepare(req(), {}, environ={})
    assert caught.value.missing == "base"


def test_transport_from_the_collection_with_the_request_override_and_a_proxy_per_environment():
    settings = CollectionSettings(transport=TransportSettings(http2=True, proxy="{{proxy}}"))
    prepared = prepare(req(extra={"verify": False}), {"base": "https://h", "proxy": "http://p:3128"}, settings, environ={})
    assert prepared.transport == TransportSettings(verify=False, http2=True, proxy="http://p:3128")


def test_non_ascii_header_values_are_kept_for_the_wire():
    from streamdash.core.http.headers import wire_headers

    prepared = prepare(req(headers=[("X-Name", "Zoë")]), {"base": "https://h"}, environ={})
    assert wire_headers(prepared.headers) == [(b"X-Name", "Zoë".encode())]


def test_equal_when_the_same_bytes_go_to_the_same_place():
    """How an environment switch tells which running streams it changes."""
    stream = req(kind="sse", headers=[("X-Team", "{{team}}")])
    one = prepare(stream, {"base": "https://h", "team": "a"}, environ={})
    same = prepare(stream, {"base": "https://h", "team": "a", "unused": "x"}, environ={})
    other = prepare(stream, {"base": "https://h", "team": "b"}, environ={})
    assert one == same and one != other


def test_stream_options_from_the_stream_table_and_auth_on_every_attempt():
    settings = StreamSettings(retry_policy=RetryPolicy.STRICT, read_timeout=5.0, max_event_bytes=0,
                              last_event_id="9", reconnect=False)
    prepared = prepare(req(kind="sse", stream=settings, extra={"auth": {"type": "bearer", "token": "t"}}),
                       {"base": "https://h"}, environ={})
    options = prepared.stream_options()
    assert (options.retry_policy, options.read_timeout, options.max_event_bytes) == (RetryPolicy.STRICT, 5.0, None)
    assert (options.last_event_id, options.reconnect, options.retry_first_connect) == ("9", False, True)
    assert options.auth is prepared.auth is not None
    assert prepared.timeout.read == 5.0
    assert [name for name, _ in prepared.stream_headers("9")] == ["Accept", "Cache-Control", "Last-Event-ID"]


def test_as_written_sends_braces_unchanged():
    prepared = prepare(SavedRequest(name="t", url="https://h/x", body='{"p": "{{not a var}}"}'), {}, as_written=True)
    assert prepared.body == b'{"p": "{{not a var}}"}'
