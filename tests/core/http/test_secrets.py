"""Masking secrets for display."""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import pytest

from streamdash.core.http.auth import parse_auth
from streamdash.core.http.secrets import (
    MASK,
    credential_values,
    is_secret_name,
    mask,
    mask_auth,
    mask_headers,
    mask_secret_fields,
    mask_secrets,
    mask_url,
    mask_urls,
)

LONG = "abcdefghijklmnopWXYZ"  # 20 characters


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", ""), ("x", MASK), ("short-secret", MASK), ("123456789012345", MASK),
     ("1234567890123456", MASK + "3456"), (LONG, "••••WXYZ")],
)
def test_mask(value, expected):
    assert mask(value) == expected


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("Authorization", f"Bearer {LONG}", "Bearer ••••WXYZ"),
        ("authorization", "Bearer short", f"Bearer {MASK}"),
        ("Authorization", "Basic YWxpY2U6czNjcmV0OnB3", f"Basic {MASK}"),
        ("AUTHORIZATION", 'Digest username="alice", response="abc"', f"Digest {MASK}"),
        ("Authorization", "rawtokenwithoutscheme", "••••heme"),
        ("Authorization", "rawtoken", MASK),
        ("Proxy-Authorization", "Basic Zm9vOmJhcg==", f"Basic {MASK}"),
        ("Cookie", "session=abc; theme=dark", f"session={MASK}; theme={MASK}"),
        ("Set-Cookie", "sid=xyz; Path=/; HttpOnly", f"sid={MASK}; Path=/; HttpOnly"),
        ("X-API-Key", "k1", MASK),
        ("api-key", "k1", MASK),
        ("X-Auth-Token", LONG, "••••WXYZ"),
        ("X-Client-Secret", "s", MASK),
        ("X-Amz-Security-Token", "s", MASK),
        ("Content-Type", "application/json", "application/json"),
        ("Accept", "text/event-stream", "text/event-stream"),
        ("WWW-Authenticate", 'Bearer realm="x"', 'Bearer realm="x"'),
        ("Keyboard", "qwerty", "qwerty"),
    ],
)
def test_mask_headers_table(name, value, expected):
    assert mask_headers([(name, value)]) == [(name, expected)]


def test_mask_headers_keeps_order_and_names():
    headers = [("Accept", "*/*"), ("authorization", "Bearer t"), ("X-Id", "7")]
    assert mask_headers(iter(headers)) == [("Accept", "*/*"), ("authorization", f"Bearer {MASK}"), ("X-Id", "7")]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=1", "https://example.com/a?b=1"),
        ("https://user:pw@example.com/x", f"https://user:{MASK}@example.com/x"),
        ("https://user@example.com/x", "https://user@example.com/x"),
        ("https://u:p@ss@example.com", f"https://u:{MASK}@example.com"),
        ("https://h/x?access_token=abc&page=2", f"https://h/x?access_token={MASK}&page=2"),
        ("https://h/x?api_key=k&apiKey=k&key=k&sig=s#frag",
         f"https://h/x?api_key={MASK}&apiKey={MASK}&key={MASK}&sig={MASK}#frag"),
        ("https://h/x?client_secret=s&password=p&X-Amz-Signature=s&X-Amz-Credential=c",
         f"https://h/x?client_secret={MASK}&password={MASK}&X-Amz-Signature={MASK}&X-Amz-Credential={MASK}"),
        (f"https://h/x?token={LONG}", "https://h/x?token=••••WXYZ"),
        ("https://h/x?token=&flag", "https://h/x?token=&flag"),
        ("https://h/x?monkeys=3&keyword=a b", "https://h/x?monkeys=3&keyword=a b"),
        ("/relative?token=t", f"/relative?token={MASK}"),
        ("http://[::1:bad/?token=t", f"http://[::1:bad/?token={MASK}"),
    ],
)
def test_mask_url_table(url, expected):
    assert mask_url(url) == expected


@pytest.mark.parametrize(
    ("name", "secret"),
    [("token", True), ("refresh_token", True), ("Private-Key", True), ("session_id", True), ("ssh.key", True),
     ("page", False), ("author", False), ("keyword", False), ("id", False)],
)
def test_is_secret_name(name, secret):
    assert is_secret_name(name) is secret


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"type": "basic", "username": "alice", "password": "hunter2"},
         {"type": "basic", "username": "alice", "password": MASK}),
        ({"type": "basic", "username": "alice", "password": "{{env:PW}}"},
         {"type": "basic", "username": "alice", "password": "{{env:PW}}"}),
        ({"type": "bearer", "token": "pre-{{env:T}}"}, {"type": "bearer", "token": MASK}),
        ({"type": "bearer", "token": LONG}, {"type": "bearer", "token": "••••WXYZ"}),
        ({"type": "oauth2", "token_url": "https://u:p@t/token?key=k", "client_id": "c", "client_secret": "s",
          "scope": "read"},
         {"type": "oauth2", "token_url": f"https://u:{MASK}@t/token?key={MASK}", "client_id": "c",
          "client_secret": MASK, "scope": "read", "grant": "client_credentials"}),
        ({"type": "none"}, {"type": "none"}),
    ],
)
def test_mask_auth_config_and_table(table, expected):
    assert mask_auth(parse_auth(table, "f.toml")) == expected
    raw = mask_auth(table)
    assert {k: v for k, v in raw.items() if k != "grant"} == {k: v for k, v in expected.items() if k != "grant"}


def test_mask_auth_puts_type_first():
    shown = mask_auth(parse_auth({"type": "digest", "username": "u", "password": "p"}, "f"))
    assert list(shown) == ["type", "username", "password"]


def test_a_known_secret_is_masked_in_the_forms_it_travels_in():
    secret = 'k/ey+with=odd&"chars"-long'
    text = f"raw {secret} query {quote(secret, safe='')} form {quote_plus(secret)} json {json.dumps(secret)}"
    masked = mask_secrets(text, [secret])
    assert "ey+with" not in masked and "ey%2Bwith" not in masked and 'ey+with=odd&\\"' not in masked
    assert masked.count("••••") == 4


def test_json_fields_named_like_secrets_are_masked_and_the_rest_kept():
    body = '{"access_token": "abc.def.ghi-0123456789", "token_type": "bearer", "expires_in": 3600, "user": "bob"}'
    masked = mask_secret_fields(body)
    assert "abc.def" not in masked and '"access_token": "••••6789"' in masked
    assert '"token_type": "bearer"' in masked and '"user": "bob"' in masked and "3600" in masked
    assert mask_secret_fields("not json at all") == "not json at all"


def test_urls_inside_a_message_are_masked():
    message = "invalid URL 'https://bob:pw1@h/x?token=abc&page=2': bad port"
    assert mask_urls(message) == "invalid URL 'https://bob:••••@h/x?token=••••&page=2': bad port"


def test_credential_values_of_headers_and_query():
    found = credential_values(
        [("Authorization", "Bearer tok-0123456789"), ("Cookie", "sid=session-abcdef; theme=dark"),
         ("X-API-Key", "key-01234567"), ("Accept", "application/json")],
        [("api_key", "query-key-0123"), ("page", "2222222222")],
    )
    assert found == {"tok-0123456789", "session-abcdef", "key-01234567", "query-key-0123"}


def test_a_cors_credentials_flag_is_no_secret():
    """httpbin's answers carry Access-Control-Allow-Credentials: true, shown masked before."""
    from streamdash.core.http.secrets import is_secret_name, mask_headers

    assert not is_secret_name("Access-Control-Allow-Credentials")
    assert mask_headers([("Access-Control-Allow-Credentials", "true")]) == [("Access-Control-Allow-Credentials", "true")]
    assert is_secret_name("X-Credentials")
