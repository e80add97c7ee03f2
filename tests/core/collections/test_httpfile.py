"""`.http` files (JetBrains / VS Code REST Client) read as saved requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamdash.core.collections.httpfile import HttpFileError, parse_http_file

SAMPLE = """\
# A collection of API calls
@host = https://api.example.com
@base = {{host}}/v1
@token = secret-123

### List users
GET {{base}}/users?page=2&per_page=50 HTTP/1.1
Accept: application/json
Authorization: Bearer {{token}}

### Create a user
# @name createUser
POST {{base}}/users
Content-Type: application/json

{
  "name": "Zoë",
  "comment": "# not a comment inside a body",
  "price": "$5"
}

###
// a comment before the request
POST {{base}}/login
Content-Type: application/x-www-form-urlencoded

user=me&password=p%40ss

###
{{base}}/health

### events
GET {{base}}/events
Accept: text/event-stream
"""


def test_several_requests_variables_and_names():
    requests, variables = parse_http_file(SAMPLE)
    assert variables == {
        "host": "https://api.example.com",
        "base": "https://api.example.com/v1",
        "token": "secret-123",
    }
    assert [r.name for r in requests] == ["List users", "createUser", "POST /login", "GET /health", "events"]
    first = requests[0]
    assert (first.method, first.url) == ("GET", "{{base}}/users")
    assert first.query == [("page", "2"), ("per_page", "50")]
    assert first.headers == [("Accept", "application/json"), ("Authorization", "Bearer {{token}}")]
    assert first.body is None


def test_bodies_json_and_form():
    requests, _ = parse_http_file(SAMPLE)
    create = requests[1]
    assert create.method == "POST"
    assert create.headers == [("Content-Type", "application/json")]
    assert create.body == (
        '{\n  "name": "Zoë",\n  "comment": "# not a comment inside a body",\n  "price": "$5"\n}'
    )
    login = requests[2]
    assert login.body == "user=me&password=p%40ss"
    assert login.headers == [("Content-Type", "application/x-www-form-urlencoded")]


def test_request_line_without_method_and_sse_kind():
    requests, _ = parse_http_file(SAMPLE)
    assert (requests[3].method, requests[3].url, requests[3].body) == ("GET", "{{base}}/health", None)
    assert requests[4].kind == "sse"
    assert requests[0].kind == "rest"


def test_crlf_line_endings_give_the_same_requests():
    lf, lf_vars = parse_http_file(SAMPLE)
    crlf, crlf_vars = parse_http_file(SAMPLE.replace("\n", "\r\n"))
    assert crlf_vars == lf_vars
    assert [r.same_content(o) for r, o in zip(crlf, lf, strict=True)] == [True] * len(lf)
    assert "\r" not in (crlf[1].body or "")


def test_comments_skipped_outside_bodies():
    text = """\
# leading comment
// another

### one
# comment before
// comment before too
GET https://x.example/a
# a comment between headers
X-A: 1
// and another
X-B: 2
"""
    requests, variables = parse_http_file(text)
    assert variables == {}
    assert len(requests) == 1
    assert requests[0].headers == [("X-A", "1"), ("X-B", "2")]


def test_name_directive_wins_and_slash_form():
    text = "### title\n// @name real-name\nGET https://x.example\n\n###\n# @name=other\nDELETE https://x.example/1\n"
    requests, _ = parse_http_file(text)
    assert [r.name for r in requests] == ["real-name", "other"]
    assert requests[1].method == "DELETE"


def test_first_request_needs_no_separator_and_lowercase_method():
    requests, _ = parse_http_file("get https://x.example/a\n###\nput https://x.example/b\n\nbody\n")
    assert [(r.method, r.url, r.body) for r in requests] == [
        ("GET", "https://x.example/a", None), ("PUT", "https://x.example/b", "body")]


def test_query_continuation_lines_and_custom_method():
    text = "PURGE https://x.example/cache\n    ?key=a b\n    &all=true\n"
    (req,), _ = parse_http_file(text)
    assert req.method == "PURGE"
    assert req.url == "https://x.example/cache"
    assert req.query == [("key", "a b"), ("all", "true")]


def test_variable_references_resolved_in_order_only():
    text = "@a = {{b}}/x\n@b = B\n@c = {{b}}-{{env:HOME}}\n"
    requests, variables = parse_http_file(text)
    assert requests == []
    assert variables == {"a": "{{b}}/x", "b": "B", "c": "B-{{env:HOME}}"}


def test_variables_between_requests_and_blank_body_lines_trimmed():
    text = "GET https://x.example\n\n\n###\n@v = 1\nPOST https://x.example/{{v}}\n\n\n{\"a\": 1}\n\n\n"
    requests, variables = parse_http_file(text)
    assert variables == {"v": "1"}
    assert requests[0].body is None
    assert requests[1].body == '{"a": 1}'
    assert requests[1].url == "https://x.example/{{v}}"


def test_empty_file_and_bom():
    assert parse_http_file("") == ([], {})
    (req,), _ = parse_http_file("\ufeffGET https://x.example\n")
    assert req.url == "https://x.example"


@pytest.mark.parametrize(("text", "line", "reason"), [
    ("GET https://x.example\nNot a header\n", 2, "expected a header"),
    ("###\n\nGET https://x.example\nBad Name: x\n", 4, "expected a header"),
    ("@novalue\nGET https://x.example\n", 1, "expected '@name = value'"),
    ("# c\n\nGET https://x.example extra words here\n", 3, "expected 'METHOD URL"),
    ("fetch https://x.example\n", 1, "not a method: 'fetch'"),
])
def test_errors_name_the_line(text, line, reason):
    with pytest.raises(HttpFileError) as info:
        parse_http_file(text)
    assert info.value.line == line
    assert reason in str(info.value)
    assert str(info.value).startswith(f"line {line}: ")
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_error_message_uses_the_path():
    with pytest.raises(HttpFileError) as info:
        parse_http_file("GET https://x.example\r\noops\r\n", Path("api.http"))
    assert str(info.value).startswith("api.http:2: ")
