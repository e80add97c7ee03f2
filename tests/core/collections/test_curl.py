"""curl command lines in and out: parsing, export, and the round trip on real-world commands."""

from __future__ import annotations

import shlex

import pytest

from streamdash.core.collections.curl import CurlError, derive_name, parse_curl, split_url, to_curl
from streamdash.core.collections.models import SavedRequest

FORM = ("Content-Type", "application/x-www-form-urlencoded")

# --- a table of real-world command lines ---------------------------------------------------------

REAL_WORLD = [
    # GitHub API
    "curl https://api.github.com/repos/octocat/hello-world",
    "curl -H 'Accept: application/vnd.github+json' -H 'Authorization: Bearer ghp_abc123' "
    "-H 'X-GitHub-Api-Version: 2022-11-28' https://api.github.com/user/repos",
    "curl -L -X POST -H \"Accept: application/vnd.github+json\" -H \"Authorization: Bearer <YOUR-TOKEN>\" "
    "https://api.github.com/repos/OWNER/REPO/issues -d '{\"title\":\"Found a bug\",\"body\":\"I'\\''m "
    "having a problem with this.\",\"labels\":[\"bug\"]}'",
    "curl 'https://api.github.com/search/repositories?q=tetris+language:assembly&sort=stars&order=desc'",
    "curl -u octocat:ghp_token https://api.github.com/user",
    "curl -X DELETE -H 'Authorization: token abc' https://api.github.com/repos/o/r/hooks/1",
    "curl -X PATCH https://api.github.com/repos/o/r/issues/1 -d '{\"state\":\"closed\"}'",
    # Stripe
    "curl https://api.stripe.com/v1/charges -u sk_test_4eC39HqLyjWDarjtT1zdp7dc: "
    "-d amount=2000 -d currency=usd -d source=tok_visa -d \"description=My First Test Charge\"",
    "curl -G https://api.stripe.com/v1/customers -u sk_test_123: -d limit=3 -d 'email=a+b@example.com'",
    "curl https://api.stripe.com/v1/customers/cus_123 -u sk_test_123: -X DELETE",
    "curl https://api.stripe.com/v1/payment_intents -u \"sk_test_123:\" -d amount=500 "
    "-d \"metadata[order_id]=6735\" -d \"payment_method_types[]\"=card",
    # Slack
    "curl -X POST -H 'Content-type: application/json' --data '{\"text\":\"Hello, World!\"}' "
    "https://hooks.slack.com/services/T000/B000/XXXX",
    "curl --json '{\"text\": \"Deploy finished :rocket: costs $5\"}' https://hooks.slack.com/services/T1/B2/C3",
    "curl -X POST --data-urlencode 'payload={\"channel\": \"#general\", \"text\": \"hi there\"}' "
    "https://hooks.slack.com/services/T1/B2/C3",
    # Elasticsearch
    "curl -X GET \"localhost:9200/my-index/_search?pretty\" -H 'Content-Type: application/json' -d'\n"
    "{\n  \"query\": {\n    \"match\": {\n      \"user.id\": \"kimchy\"\n    }\n  }\n}\n'",
    "curl -XPUT 'http://localhost:9200/twitter/_doc/1?refresh=true' -H 'Content-Type: application/json' "
    "-d '{\"user\": \"kimchy\", \"message\": \"trying out Elasticsearch\"}'",
    "curl -X POST \"localhost:9200/_bulk?pretty\" -H 'Content-Type: application/x-ndjson' "
    "--data-binary $'{\"index\":{\"_index\":\"t\"}}\\n{\"f\":\"v\"}\\n'",
    "curl -s -u elastic:changeme -k https://localhost:9200/_cat/indices?v",
    # OpenAI-style streaming
    "curl https://api.openai.com/v1/chat/completions \\\n  -H \"Content-Type: application/json\" \\\n"
    "  -H \"Authorization: Bearer $OPENAI_API_KEY\" \\\n  -d '{\n    \"model\": \"gpt-4o\",\n"
    "    \"stream\": true,\n    \"messages\": [{\"role\": \"user\", \"content\": \"Hello!\"}]\n  }'",
    "curl -N -X POST https://api.anthropic.com/v1/messages -H 'x-api-key: {{api_key}}' "
    "-H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' -H 'Accept: text/event-stream' "
    "--data-raw '{\"model\":\"claude\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}'",
    "curl --no-buffer http://localhost:8000/events -H 'Accept: text/event-stream' -H 'Last-Event-ID: 42'",
    # quoting: quotes inside quotes, $ in bodies and single quotes
    "curl -d \"{\\\"price\\\": \\\"\\$5\\\", \\\"note\\\": \\\"it's\\\"}\" https://shop.example.com/items",
    "curl -d '{\"regex\": \"^a$\", \"cost\": \"$100\", \"var\": \"${HOME}\"}' https://example.com/x",
    "curl -H 'X-Quote: say \"hi\"' -H \"X-Single: it's\" https://example.com",
    "curl -H 'X-Dollar: $PATH' --data-raw '@not-a-file' https://example.com/at",
    # unicode
    "curl -H 'X-Name: Zoë Ünïcødé' -d '{\"msg\": \"héllo wörld ✓ 日本語\"}' https://example.com/ü",
    "curl 'https://example.com/search?q=caf%C3%A9&tag=a%26b'",
    # multi-line with backslashes
    "curl -X POST \\\n  https://api.example.com/v2/widgets \\\n  -H 'Content-Type: application/json' \\\n"
    "  -d '{\"name\": \"w\"}'",
    "curl \\\r\n  -H 'A: 1' \\\r\n  https://example.com/crlf",
    # -G with -d
    "curl -G https://api.example.com/search --data-urlencode 'q=hello world' -d limit=10",
    "curl -G -X POST https://api.example.com/q -d a=1",
    # repeated -H
    "curl -H 'X-Tag: a' -H 'X-Tag: b' -H 'X-Tag: c' https://example.com/tags",
    # --compressed -L -k -A -b
    "curl --compressed -L -k -A 'Mozilla/5.0 (X11; Linux x86_64)' -b 'session=abc; theme=dark' "
    "https://example.com/page",
    "curl -sSLk --user-agent 'my-tool/1.0' --cookie 'a=1' --location --insecure https://example.com/",
    # browser "Copy as cURL (bash)"
    "curl 'https://www.example.com/api/graphql' -H 'accept: */*' -H 'accept-language: en-US,en;q=0.9' "
    "-H 'content-type: application/json' --data-raw $'{\"query\":\"{ me { name } }\",\"note\":\"it\\'s\"}' "
    "--compressed",
    # misc
    "curl -I https://example.com/health",
    "curl --request OPTIONS --url https://example.com/cors -H 'Origin: https://a.example'",
    "curl -X POST https://example.com/empty",
    "curl -d '' https://example.com/empty-body",
    "curl -H 'X-Empty;' -H 'Content-Type:' -d 'raw' https://example.com/weird",
    "curl https://user@example.com:8443/path/to;matrix=1?a=1&a=2&b=#frag",
    "curl --oauth2-bearer tok123 -e https://ref.example.com https://example.com/r",
    "curl -- https://example.com/after-dashes",
]


def test_table_is_big_enough():
    assert len(REAL_WORLD) >= 30


@pytest.mark.parametrize("command", REAL_WORLD)
def test_round_trip(command):
    first = parse_curl(command)
    exported = to_curl(first)
    second = parse_curl(exported)
    assert (second.method, second.url, second.query, second.headers, second.body) == (
        first.method, first.url, first.query, first.headers, first.body)
    assert second.extra == first.extra
    assert second.same_content(first)
    # and again: export is stable
    assert to_curl(second) == exported
    # multi-line export reads back the same
    assert parse_curl(to_curl(first, multiline=True)).same_content(first)


@pytest.mark.parametrize("command", REAL_WORLD)
def test_export_is_plain_posix_shell(command):
    """What shlex reads from the export is exactly the argv the exporter meant (single quotes only)."""
    req = parse_curl(command)
    argv = shlex.split(to_curl(req))
    assert argv[0] == "curl"
    assert "$'" not in to_curl(req)
    if req.body is not None:
        assert argv[argv.index("--data-raw") + 1] == req.body
    for key, value in req.headers:
        assert (f"{key}: {value}" if value else f"{key};") in argv


# --- parsing details ------------------------------------------------------------------------------


def test_github_post_with_quoted_apostrophe():
    req = parse_curl(REAL_WORLD[2])
    assert req.method == "POST"
    assert req.url == "https://api.github.com/repos/OWNER/REPO/issues"
    assert req.body == '{"title":"Found a bug","body":"I\'m having a problem with this.","labels":["bug"]}'
    assert req.extra == {"follow_redirects": True}
    assert req.headers[:2] == [("Accept", "application/vnd.github+json"),
                               ("Authorization", "Bearer <YOUR-TOKEN>")]
    assert req.headers[-1] == FORM  # curl sends -d as a form unless told otherwise
    assert req.name == "POST /repos/OWNER/REPO/issues"


def test_query_split_from_url_in_order():
    req = parse_curl(REAL_WORLD[3])
    assert req.url == "https://api.github.com/search/repositories"
    assert req.query == [("q", "tetris language:assembly"), ("sort", "stars"), ("order", "desc")]
    assert req.method == "GET" and req.body is None
    assert req.name == "GET /search/repositories"


def test_stripe_basic_auth_and_joined_data():
    req = parse_curl(REAL_WORLD[7])
    assert req.extra["auth"] == {"type": "basic", "username": "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "password": ""}
    assert req.body == "amount=2000&currency=usd&source=tok_visa&description=My First Test Charge"
    assert req.method == "POST"
    assert req.headers == [FORM]


def test_get_puts_data_in_the_query():
    req = parse_curl(REAL_WORLD[8])
    assert req.method == "GET" and req.body is None
    assert req.query == [("limit", "3"), ("email", "a b@example.com")]
    assert req.headers == []
    req = parse_curl("curl -G https://x.example/s --data-urlencode 'q=hello world&more' -d n=1")
    assert req.query == [("q", "hello world&more"), ("n", "1")]


def test_get_with_explicit_method():
    req = parse_curl("curl -G -X POST https://api.example.com/q -d a=1")
    assert req.method == "POST" and req.body is None and req.query == [("a", "1")]
    assert to_curl(req) == "curl -X POST 'https://api.example.com/q?a=1'"


def test_json_sets_body_and_headers_like_curl():
    req = parse_curl("curl --json '{\"a\": 1}' https://x.example/j")
    assert req.method == "POST" and req.body == '{"a": 1}'
    assert req.headers == [("Content-Type", "application/json"), ("Accept", "application/json")]
    req = parse_curl("curl --json '{\"a\": 1}' -H 'Accept: text/plain' https://x.example/j")
    assert req.headers == [("Accept", "text/plain"), ("Content-Type", "application/json")]
    req = parse_curl("curl --json '{\"a\":' --json '1}' https://x.example/j")
    assert req.body == '{"a":1}'


def test_explicit_content_type_wins_over_the_form_default():
    req = parse_curl(REAL_WORLD[11])
    assert req.headers == [("Content-type", "application/json")]


def test_dollar_is_never_expanded():
    req = parse_curl(REAL_WORLD[22])
    assert req.body == '{"regex": "^a$", "cost": "$100", "var": "${HOME}"}'
    req = parse_curl(REAL_WORLD[21])
    assert req.body == '{"price": "$5", "note": "it\'s"}'
    req = parse_curl(REAL_WORLD[18])
    assert ("Authorization", "Bearer $OPENAI_API_KEY") in req.headers
    req = parse_curl('curl -H "X-A: $HOME and \\$HOME" https://x.example')
    assert req.headers == [("X-A", "$HOME and $HOME")]


def test_quotes_inside_quotes():
    req = parse_curl(REAL_WORLD[23])
    assert req.headers == [("X-Quote", 'say "hi"'), ("X-Single", "it's")]


def test_data_raw_at_is_literal_and_data_at_file_is_refused():
    assert parse_curl(REAL_WORLD[24]).body == "@not-a-file"
    for command in ("curl -d @body.json https://x.example", "curl --data-binary @- https://x.example",
                    "curl --json @payload.json https://x.example"):
        with pytest.raises(CurlError, match="data from a file is not supported"):
            parse_curl(command)


def test_unicode():
    req = parse_curl(REAL_WORLD[25])
    assert req.headers[0] == ("X-Name", "Zoë Ünïcødé")
    assert req.body == '{"msg": "héllo wörld ✓ 日本語"}'
    assert req.url == "https://example.com/ü"
    assert parse_curl(REAL_WORLD[26]).query == [("q", "café"), ("tag", "a&b")]


def test_multi_line_continuations():
    req = parse_curl(REAL_WORLD[27])
    assert (req.method, req.url, req.body) == ("POST", "https://api.example.com/v2/widgets", '{"name": "w"}')
    assert req.headers == [("Content-Type", "application/json")]
    req = parse_curl(REAL_WORLD[28])
    assert req.url == "https://example.com/crlf" and req.headers == [("A", "1")]


def test_newlines_inside_quotes_are_kept():
    req = parse_curl(REAL_WORLD[14])
    assert req.body.startswith("\n{\n  \"query\"")
    assert req.url == "http://localhost:9200/my-index/_search"  # curl's default scheme
    assert req.query == [("pretty", "")]
    assert req.method == "GET"  # -X GET with data: sent as GET with a body
    assert "-X GET" in to_curl(req)


def test_ansi_c_strings():
    req = parse_curl(REAL_WORLD[16])
    assert req.body == '{"index":{"_index":"t"}}\n{"f":"v"}\n'
    req = parse_curl(REAL_WORLD[34])
    assert req.body == '{"query":"{ me { name } }","note":"it\'s"}'
    req = parse_curl("curl $'https://x.example/\\x41\\u00e9' -d $'tab\\there'")
    assert req.url == "https://x.example/Aé" and req.body == "tab\there"


def test_repeated_headers_and_flags():
    req = parse_curl(REAL_WORLD[31])
    assert req.headers == [("X-Tag", "a"), ("X-Tag", "b"), ("X-Tag", "c")]
    req = parse_curl(REAL_WORLD[32])
    assert req.extra == {"follow_redirects": True, "verify": False}
    assert req.headers == [("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)"), ("Cookie", "session=abc; theme=dark")]
    req = parse_curl(REAL_WORLD[33])
    assert req.extra == {"follow_redirects": True, "verify": False}
    assert req.headers == [("User-Agent", "my-tool/1.0"), ("Cookie", "a=1")]


def test_combined_short_flags_with_attached_argument():
    req = parse_curl("curl -sSLkXPUT -H'X-A: 1' https://x.example/a")
    assert req.method == "PUT" and req.headers == [("X-A", "1")]
    assert req.extra == {"follow_redirects": True, "verify": False}


def test_head_options_and_empty_bodies():
    assert parse_curl(REAL_WORLD[35]).method == "HEAD"
    assert to_curl(parse_curl(REAL_WORLD[35])) == "curl -I https://example.com/health"
    req = parse_curl(REAL_WORLD[36])
    assert (req.method, req.url) == ("OPTIONS", "https://example.com/cors")
    req = parse_curl(REAL_WORLD[37])
    assert req.method == "POST" and req.body is None
    req = parse_curl(REAL_WORLD[38])
    assert req.method == "POST" and req.body == ""


def test_header_removal_and_empty_header():
    req = parse_curl(REAL_WORLD[39])
    assert req.headers == [("X-Empty", "")]  # no Content-Type: it was removed with -H 'Content-Type:'
    assert req.body == "raw"
    assert "-H Content-Type: " in to_curl(req)


def test_sse_kind_from_accept_header():
    assert parse_curl(REAL_WORLD[20]).kind == "sse"
    assert parse_curl(REAL_WORLD[0]).kind == "rest"


def test_fragment_dropped_and_url_parts_kept():
    req = parse_curl(REAL_WORLD[40])
    assert req.url == "https://user@example.com:8443/path/to;matrix=1"
    assert req.query == [("a", "1"), ("a", "2"), ("b", "")]


def test_bearer_and_referer():
    req = parse_curl(REAL_WORLD[41])
    assert req.headers == [("Authorization", "Bearer tok123"), ("Referer", "https://ref.example.com")]


# --- export ---------------------------------------------------------------------------------------


def test_export_quotes_only_when_needed_and_escapes_single_quotes():
    req = SavedRequest(name="x", method="POST", url="https://x.example/a",
                       headers=[("Content-Type", "application/json")], body='{"a": "it\'s $5"}')
    assert to_curl(req) == (
        "curl https://x.example/a -H 'Content-Type: application/json' --data-raw '{\"a\": \"it'\\''s $5\"}'")


def test_export_method_only_when_not_the_default():
    assert to_curl(SavedRequest(name="x", url="https://x.example")) == "curl https://x.example"
    assert to_curl(SavedRequest(name="x", method="PUT", url="https://x.example")) == "curl -X PUT https://x.example"
    post = SavedRequest(name="x", method="POST", url="https://x.example", body="a=1",
                        headers=[FORM])
    assert "-X" not in to_curl(post)
    get_with_body = SavedRequest(name="x", method="GET", url="https://x.example", body="a=1", headers=[FORM])
    assert to_curl(get_with_body).startswith("curl -X GET ")


def test_export_encodes_query_with_httpx():
    req = SavedRequest(name="x", url="https://x.example/s",
                       query=[("q", "a b&c"), ("tag", "é"), ("empty", "")])
    command = to_curl(req)
    assert command == "curl 'https://x.example/s?q=a+b%26c&tag=%C3%A9&empty='"
    assert parse_curl(command).query == req.query


def test_export_auth_verify_redirects():
    req = SavedRequest(name="x", url="https://x.example", extra={
        "auth": {"type": "basic", "username": "me", "password": "p@ss word"},
        "verify": False, "follow_redirects": True})
    command = to_curl(req)
    assert command == "curl https://x.example -u 'me:p@ss word' -k -L"
    assert parse_curl(command).extra == req.extra


def test_export_without_content_type_keeps_curl_from_adding_one():
    req = SavedRequest(name="x", method="POST", url="https://x.example", body="hello")
    command = to_curl(req)
    assert "-H Content-Type: " in command
    back = parse_curl(command)
    assert back.headers == [] and back.body == "hello"


def test_export_fills_known_variables_only():
    req = SavedRequest(name="x", url="{{base}}/users", query=[("key", "{{key}}")],
                       headers=[("Authorization", "Bearer {{token}}"), ("X-E", "{{env:HOME}}")],
                       body=None, extra={"auth": {"type": "basic", "username": "{{user}}", "password": "pw"}})
    command = to_curl(req, {"base": "https://api.example.com", "token": "t0k", "user": "bob"})
    argv = shlex.split(command)
    assert argv[1] == "https://api.example.com/users?key=%7B%7Bkey%7D%7D"
    assert "Authorization: Bearer t0k" in argv and "X-E: {{env:HOME}}" in argv
    assert "bob:pw" in argv
    # placeholders survive a round trip without variables
    back = parse_curl(to_curl(req))
    assert back.url == "{{base}}/users" and back.query == [("key", "{{key}}")]


def test_multiline_export():
    req = parse_curl(REAL_WORLD[1])
    command = to_curl(req, multiline=True)
    assert command.count(" \\\n  ") == 3
    assert shlex.split(command.replace("\\\n", "")) == shlex.split(to_curl(req))


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "message"), [
    ("wget https://example.com", "not a curl command: starts with 'wget'"),
    ("http GET https://example.com", "not a curl command"),
    ("", "empty command"),
    ("curl --frobnicate https://x.example", "unknown option '--frobnicate'"),
    ("curl -z https://x.example", "unknown option -z"),
    ("curl -sSzL https://x.example", "unknown option -z in '-sSzL'"),
    ("curl --request=POST https://x.example", "unknown option '--request=POST'"),
    ("curl https://x.example -H", "option -H needs an argument"),
    ("curl https://x.example --data", "option --data needs an argument"),
    ("curl https://x.example -X", "option -X needs an argument"),
    ("curl 'https://x.example", "unbalanced quotes"),
    ("curl -d \"{\\\"a\\\": 1} https://x.example", "unbalanced quotes"),
    ("curl -d $'abc https://x.example", "unbalanced quotes"),
    ("curl -X POST", "no URL"),
    ("curl https://a.example https://b.example", "more than one URL"),
    ("curl -F 'file=@a.png' https://x.example", "unsupported option -F"),
    ("curl -H 'NoColonHere' https://x.example", "header without ':'"),
    ("curl -b cookies.txt https://x.example", "cookie files are not supported"),
])
def test_errors_are_one_line_and_name_the_token(command, message):
    with pytest.raises(CurlError) as info:
        parse_curl(command)
    text = str(info.value)
    assert message in text
    assert "\n" not in text
    assert isinstance(info.value, ValueError)


def test_error_with_newline_token_stays_one_line():
    with pytest.raises(CurlError) as info:
        parse_curl("curl --bad\nline https://x.example")
    assert "\n" not in str(info.value)


# --- helpers --------------------------------------------------------------------------------------


def test_split_url_and_derive_name():
    assert split_url("https://h/p?a=1&b=x+y#f") == ("https://h/p", [("a", "1"), ("b", "x y")])
    assert split_url("https://h/p") == ("https://h/p", [])
    assert derive_name("GET", "https://api.example.com/") == "GET api.example.com"
    assert derive_name("GET", "https://api.example.com") == "GET api.example.com"
    assert derive_name("POST", "{{base}}/users?x=1") == "POST /users"
    assert len(derive_name("GET", "https://x/" + "a" * 200)) == 80
