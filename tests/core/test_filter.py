"""The filter language: every syntax element, its errors, and bulk == one-by-one evaluation."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamdash.core import filter as filter_module
from streamdash.core.buffer import DATA, SEQ, EventBuffer, LogEntry, make_entry
from streamdash.core.filter import FieldCache, FilterError, compile_filter, rename_stream
from streamdash.core.sse.events import Event


def entry(
    data: object = "", type: str = "message", stream: str = "s", id: str = "", seq: int = 0
) -> LogEntry:
    if not isinstance(data, str):
        data = json.dumps(data)
    return make_entry(seq, stream, Event(type, data, id))


def hits(text: str, entries: list[LogEntry], *, invert: bool = False) -> list[int]:
    """Indexes of the matching entries, checked three ways: `matches` one by one, `apply` with a
    cold cache, and `apply` again with the cache that run left behind."""
    cache = FieldCache()
    event_filter = compile_filter(text, invert=invert, cache=cache)
    expected = [i for i, e in enumerate(entries) if event_filter.matches(e)]
    for _ in range(2):
        result = event_filter.apply(entries)
        assert [entries.index(e) for e in result] == expected, text
    return expected


def matches(text: str, data: object, **kwargs: str) -> bool:
    return hits(text, [entry(data, **kwargs)]) == [0]


# ---------------------------------------------------------------------------------------------
# Empty filter, words and phrases


@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_empty_matches_everything_even_inverted(text):
    entries = [entry("a"), entry("b")]
    assert compile_filter(text).is_empty
    assert hits(text, entries) == [0, 1]
    assert hits(text, entries, invert=True) == [0, 1]


def test_text_and_is_empty_properties():
    event_filter = compile_filter("level=error", invert=True)
    assert event_filter.text == "level=error"
    assert not event_filter.is_empty
    assert event_filter.invert


def test_bare_word_is_case_insensitive_substring():
    entries = [entry("Connection TIMEOUT"), entry("all good"), entry("timeouts")]
    assert hits("timeout", entries) == [0, 2]
    assert hits("TimeOut", entries) == [0, 2]


def test_case_folding_goes_beyond_lower():
    assert matches("strasse", "Straße")
    assert matches("STRASSE", "straße")


def test_words_are_anded():
    entries = [entry("alpha beta"), entry("alpha"), entry("beta")]
    assert hits("alpha beta", entries) == [0]
    assert hits("beta alpha", entries) == [0]


def test_quoted_phrase_keeps_spaces_and_operators():
    entries = [entry("connection reset by peer"), entry("reset connection"), entry("a=b <x>")]
    assert hits('"connection reset"', entries) == [0]
    assert hits('"a=b"', entries) == [2]
    assert hits('"<x>"', entries) == [2]


def test_quote_escapes():
    assert matches(r'"say \"hi\""', 'they say "hi" twice')
    assert matches(r'"back\\slash"', "a back\\slash here")


def test_quoted_words_glue_to_unquoted_ones():
    assert matches('foo" bar"', "xfoo bar")
    assert not matches('foo" bar"', "foo baz bar")


def test_quoted_specials_are_text():
    entries = [entry("-5 or -x"), entry("/api/items"), entry("or")]
    assert hits('"-5"', entries) == [0]
    assert hits('"/api/items"', entries) == [1]
    assert hits('"or"', entries) == [0, 2]


def test_empty_phrase_matches_everything():
    assert hits('""', [entry("a"), entry("")]) == [0, 1]


# ---------------------------------------------------------------------------------------------
# Regexes


def test_regex_searches_case_sensitively():
    entries = [entry("error 500"), entry("ERROR 503"), entry("ok 200")]
    assert hits(r"/error \d+/", entries) == [0]
    assert hits(r"/^E/", entries) == [1]


def test_regex_i_flag_ignores_case():
    entries = [entry("error 500"), entry("ERROR 503"), entry("ok 200")]
    assert hits(r"/error \d+/i", entries) == [0, 1]


def test_regex_escaped_slash_and_spaces():
    entries = [entry("GET /api/items"), entry("GET /api")]
    assert hits(r"/api\/items/", entries) == [0]
    assert hits("/GET \\/api$/", entries) == [1]
    assert hits(r"/\d/ api", [entry("a1 api"), entry("api")]) == [0]


def test_regex_other_escapes_pass_through():
    assert matches(r"/a\.b/", "a.b")
    assert not matches(r"/a\.b/", "axb")


# ---------------------------------------------------------------------------------------------
# type:, event:, stream:, id:


def test_type_and_event_alias():
    entries = [entry(type="price"), entry(type="error"), entry(type="Price"), entry(type="message")]
    assert hits("type:price", entries) == [0]
    assert hits("type:price,error", entries) == [0, 1]
    assert hits("event:error", entries) == [1]
    assert hits("TYPE:message", entries) == [3]


def test_stream_names():
    entries = [entry(stream="ticker"), entry(stream="logs"), entry(stream="my stream")]
    assert hits("stream:ticker,logs", entries) == [0, 1]
    assert hits('stream:"my stream"', entries) == [2]
    assert hits("stream:tick", entries) == []


def test_id_exact_and_empty():
    entries = [entry(id="42"), entry(id="420"), entry(id="")]
    assert hits("id:42", entries) == [0]
    assert hits("id:42,420", entries) == [0, 1]
    assert hits('id:""', entries) == [2]


def test_trailing_comma_is_ignored():
    assert hits("type:price,", [entry(type="price"), entry(type="x")]) == [0]


def test_keyed_value_keeps_operators_literal():
    assert matches("type:a=b", "", type="a=b")


def test_unknown_key_is_a_word():
    entries = [entry("see http://example.com"), entry("other")]
    assert hits("http://example.com", entries) == [0]
    assert hits("foo:bar", [entry("x foo:bar")]) == [0]


# ---------------------------------------------------------------------------------------------
# JSON fields


def test_string_equality_is_exact():
    entries = [entry({"level": "error"}), entry({"level": "ERROR"}), entry({"level": "errors"})]
    assert hits("level=error", entries) == [0]
    assert hits("level==error", entries) == [0]


def test_numbers_compare_numerically_whatever_their_spelling():
    entries = [
        entry({"user": {"id": 42}}),
        entry({"user": {"id": 42.0}}),
        entry({"user": {"id": "42"}}),
        entry({"user": {"id": "4.2e1"}}),
        entry({"user": {"id": 420}}),
        entry({"user": {"id": "42a"}}),
        entry('{"user": {"id": 4.2e1}}'),
    ]
    assert hits("user.id=42", entries) == [0, 1, 2, 3, 6]
    assert hits("user.id=42.0", entries) == [0, 1, 2, 3, 6]
    assert hits("user.id!=42", entries) == [4, 5]


def test_ordering_operators():
    prices = [entry({"price": p}) for p in (1.5, 3, 100, 100.5, "250", "cheap")]
    assert hits("price>100", prices) == [3, 4]
    assert hits("price>=100", prices) == [2, 3, 4]
    assert hits("price<3", prices) == [0]
    assert hits("price<=3", prices) == [0, 1]
    assert hits("price>=1.5", prices) == [0, 1, 2, 3, 4]
    assert hits("price>-1e3", prices) == [0, 1, 2, 3, 4]


def test_non_numbers_compare_as_text():
    stamps = [entry({"ts": f"2026-11-24T22:00:{s:02d}Z"}) for s in (10, 30, 50)]
    assert hits("ts>2026-11-24T22:00:30Z", stamps) == [2]
    assert hits("ts<=2026-11-24T22:00:30Z", stamps) == [0, 1]
    # A number against a word compares as text: "5" sorts before "a".
    assert hits("n<a", [entry({"n": 5}), entry({"n": "b"})]) == [0]


def test_a_quoted_value_is_text():
    entries = [entry({"zip": "01234"}), entry({"zip": 1234}), entry({"zip": "1234"})]
    assert hits("zip=01234", entries) == [0, 1, 2]
    assert hits('zip="01234"', entries) == [0]
    assert hits('zip="1234"', entries) == [1, 2]  # 1234 reads as "1234"
    assert hits('n="42"', [entry({"n": 42}), entry({"n": 42.0})]) == [0]
    stamps = [entry({"ts": "2026-11-24T22:00:00Z"}), entry({"ts": "2025-01-01T00:00:00Z"})]
    assert hits("ts>2026", stamps) == []  # a number: timestamps are not numbers
    assert hits('ts>"2026"', stamps) == [0]


def test_big_integers_compare_exactly():
    entries = [entry('{"id": 12345678901234567890}'), entry('{"id": 12345678901234567891}')]
    assert hits("id=12345678901234567891", entries) == [1]


def test_contains_is_case_insensitive_on_the_field_text():
    entries = [
        entry({"msg": "Upstream TIMEOUT after 3 s"}),
        entry({"msg": "ok"}),
        entry({"code": 1234}),
        entry({"flag": True}),
    ]
    assert hits("msg~timeout", entries) == [0]
    assert hits("msg!~timeout", entries) == [1]
    assert hits("code~23", entries) == [2]
    assert hits("flag~ru", entries) == [3]
    assert hits('msg~"after 3"', entries) == [0]


def test_true_false_null_match_json_literals_and_their_words():
    entries = [
        entry({"ok": True}),
        entry({"ok": False}),
        entry({"ok": None}),
        entry({"ok": "true"}),
        entry({"ok": 1}),
    ]
    assert hits("ok=true", entries) == [0, 3]
    assert hits("ok=false", entries) == [1]
    assert hits("ok=null", entries) == [2]
    assert hits("ok!=true", entries) == [1, 2, 4]
    assert hits("ok=True", entries) == []


def test_non_finite_numbers():
    entries = [entry(f'{{"x": {x}}}') for x in ("NaN", "Infinity", "-Infinity", "1")]
    assert hits("x>1000", entries) == [1]
    assert hits("x<0", entries) == [2]
    assert hits("x=NaN", entries) == [0]
    assert hits("x=Infinity", entries) == [1]
    assert hits("x!=1", entries) == [0, 1, 2]


def test_nested_paths_and_list_indexes():
    data = {"items": [{"id": 7}, {"id": 8}], "a": {"b": {"c": "deep"}}, "m": {"0": "zero"}}
    assert matches("items.0.id=7", data)
    assert matches("items.1.id=8", data)
    assert not matches("items.1.id=7", data)
    assert not matches("items.2.id=7", data)
    assert not matches("items.x.id=7", data)
    assert matches("a.b.c=deep", data)
    assert matches("m.0=zero", data)  # a digit segment is a key in an object
    assert not matches('m."0"x=zero', data)


def test_quoted_path_segments_keep_dots():
    assert matches('"a.b"=1', {"a.b": 1})
    assert not matches("a.b=1", {"a.b": 1})
    assert matches('"a b".c=1', {"a b": {"c": 1}})


def test_top_level_array():
    assert matches("0.id=3", [{"id": 3}])
    assert matches("1=x", [0, "x"])


def test_missing_fields_containers_and_non_json_never_match():
    entries = [
        entry({"other": 1}),
        entry({"name": {"first": "bob"}}),
        entry({"name": ["bob"]}),
        entry("name=alice"),
        entry('{"name": "alice"'),
        entry("   "),
        entry({"name": "alice"}),
    ]
    assert hits("name=bob", entries) == []
    for text in ("name!=bob", "name~a", "name!~zzz", "name>a", "name<zzz"):
        assert hits(text, entries) == [6], text
    assert hits("-name=bob", entries) == [0, 1, 2, 3, 4, 5, 6]
    assert hits("-name=alice", entries) == [0, 1, 2, 3, 4, 5]


def test_whitespace_around_the_document_is_json():
    assert matches("a=1", '  {"a": 1}\n')
    assert not matches("a=1", '{"a": 1} x')


def test_escaped_json_still_matches():
    # The substring pre-checks are skipped for data with escapes.
    assert matches("level=error", r'{"level": "\u0065rror"}')
    assert matches("level=error", r'{"\u006cevel": "error"}')
    assert matches("msg~café", r'{"msg": "CAF\u00c9"}')
    assert not matches("price=5", r'{"msg": "\"price\": 5"}')


def test_contains_sees_numbers_as_python_writes_them_not_as_the_data_does():
    # The raw text has no "e" or "+", but the field reads as 1e+20: `~` pre-checks must not
    # reject on letters a number's text can contain.
    spelled = [entry(f'{{"x": {x}}}') for x in ("100000000000000000000.0", "0.0000001", "4.2e1")]
    assert hits("x~e+", spelled) == [0]
    assert hits("x~e-07", spelled) == [1]
    assert hits("x~42.0", spelled) == [2]
    assert hits('x~"1E+2"', spelled) == [0]
    assert hits("x~inf", [entry('{"x": Infinity}'), entry('{"x": 1e999}')]) == [0, 1]
    assert hits("x~nan", [entry('{"x": NaN}')]) == [0]


def test_value_that_only_looks_right_in_the_raw_text():
    entries = [entry({"msg": "level error"}), entry({"level": "info", "m": "error"})]
    assert hits("level=error", entries) == []


# ---------------------------------------------------------------------------------------------
# Negation, invert, or


@pytest.mark.parametrize("prefix", ["-", "!"])
def test_negation(prefix):
    entries = [
        entry({"level": "error"}, type="log", stream="a"),
        entry({"level": "info"}, type="tick", stream="b"),
    ]
    assert hits(f"{prefix}error", entries) == [1]
    assert hits(f"{prefix}/inf/", entries) == [0]
    assert hits(f"{prefix}type:log", entries) == [1]
    assert hits(f"{prefix}stream:b", entries) == [0]
    assert hits(f"{prefix}level=info", entries) == [0]
    assert hits(f'{prefix}"level"', entries) == []


def test_double_negation_cancels():
    assert hits("--error", [entry("error"), entry("ok")]) == [0]


def test_invert_turns_the_whole_filter_around():
    entries = [entry({"a": 1}), entry({"a": 2}), entry("x")]
    assert hits("a=1", entries, invert=True) == [1, 2]
    assert hits("-a=1", entries, invert=True) == [0]


def test_or_binds_looser_than_and():
    entries = [entry("a b"), entry("a"), entry("c"), entry("b c")]
    assert hits("a b or c", entries) == [0, 2, 3]
    assert hits("a or b c", entries) == [0, 1, 3]
    assert hits("a OR c", entries) == [0, 1, 2, 3]
    assert hits("a or b or c", entries) == [0, 1, 2, 3]
    assert hits("a b or c", entries, invert=True) == [1]


def test_or_keeps_order_and_duplicates():
    shared = entry("a c")
    entries = [entry("c"), shared, entry("a"), shared]
    assert compile_filter("a or c").apply(entries) == entries


def test_apply_always_returns_a_new_list():
    entries = [entry("a"), entry("b")]
    for text, invert in [("", False), ("a or b", False), ("x or y", True), ("/./", False)]:
        result = compile_filter(text, invert=invert).apply(entries)
        assert result == entries and result is not entries


def test_negated_or_is_a_word():
    assert hits("-or", [entry("for"), entry("x")]) == [1]


# ---------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ('level "error', 6, "unclosed quote"),
        ("abc /err", 4, "unclosed regex"),
        ("/[a/", 1, "bad regex /[a/: unterminated character set"),
        ("/(a/", 1, "bad regex /(a/: missing ), unterminated subpattern"),
        ("/a{99999999999}/", 1, "bad regex"),
        ("/a/x", 3, "unknown regex flag 'x'"),
        ("=5", 0, "missing field name before '='"),
        ("-=5", 1, "missing field name"),
        ("price=>5", 5, "unknown operator '=>'"),
        ("price<>5", 5, "unknown operator '<>'"),
        ("hello!", 5, "unknown operator '!'"),
        ("a..b=1", 2, "empty segment in field path"),
        (".a=1", 0, "empty segment in field path"),
        ("price>", 6, "missing value after '>'"),
        ("type:", 5, "missing value after 'type:'"),
        ("stream:,", 7, "missing value after 'stream:'"),
        ("or a", 0, "'or' needs a term before it"),
        ("a or", 2, "'or' needs a term after it"),
        ("a or or b", 5, "'or' needs a term before it"),
        ("a -", 2, "nothing to negate after '-'"),
    ],
)
def test_errors_name_the_column(text, position, fragment):
    with pytest.raises(FilterError) as caught:
        compile_filter(text)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.position == position
    assert fragment in str(error)
    assert f"at column {position + 1}" in str(error)
    assert "\n" not in str(error)


def test_operator_errors_suggest_quoting():
    with pytest.raises(FilterError, match="quote the word"):
        compile_filter("price=>5")


# ---------------------------------------------------------------------------------------------
# The bulk path: order, inputs, the field cache


def test_apply_takes_any_iterable_and_keeps_order():
    buffer = EventBuffer(10)
    buffer.extend("s", [Event("m", str(i)) for i in range(10)])
    assert [e[SEQ] for e in compile_filter("/[13579]/").apply(buffer)] == [1, 3, 5, 7, 9]
    assert [e[SEQ] for e in compile_filter("/[13579]/").apply(iter(buffer))] == [1, 3, 5, 7, 9]
    everything = list(buffer)
    result = compile_filter("").apply(everything)
    assert result == everything and result is not everything


def test_terms_are_evaluated_cheapest_first(monkeypatch):
    calls = []
    original = filter_module.fast_loads
    monkeypatch.setattr(filter_module, "fast_loads", lambda s: calls.append(s) or original(s))
    entries = [entry({"price": n}, type="price" if n % 10 == 0 else "other") for n in range(100)]
    assert len(compile_filter("price>50 type:price", cache=FieldCache()).apply(entries)) == 4
    assert len(calls) == 10


def test_retyping_reuses_extracted_values(monkeypatch):
    calls = []
    original = filter_module.fast_loads
    monkeypatch.setattr(filter_module, "fast_loads", lambda s: calls.append(s) or original(s))
    entries = [entry({"price": n}) for n in range(200)]
    cache = FieldCache()
    assert len(compile_filter("price>10", cache=cache).apply(entries)) == 189
    assert len(calls) == 200
    assert len(compile_filter("price>100", cache=cache).apply(entries)) == 99
    assert len(compile_filter("-price<=100 price!=7", cache=cache).apply(entries)) == 99
    assert len(calls) == 200


def test_substring_prechecks_skip_parsing(monkeypatch):
    calls = []
    original = filter_module.fast_loads
    monkeypatch.setattr(filter_module, "fast_loads", lambda s: calls.append(s) or original(s))
    levels = ["info"] * 90 + ["error"] * 10
    entries = [entry({"level": level, "n": n}) for n, level in enumerate(levels)]
    entries += [entry({"msg": "no level", "n": n}) for n in range(10)]
    assert len(compile_filter("level=error", cache=FieldCache()).apply(entries)) == 10
    assert len(calls) == 10
    calls.clear()
    assert len(compile_filter("msg~level", cache=FieldCache()).apply(entries)) == 10
    assert len(calls) == 10
    calls.clear()
    cache = FieldCache()
    assert len(compile_filter("level=error", cache=cache).apply(entries)) == 10
    copies = [entry(e[DATA]) for e in entries]  # equal data, other objects
    assert len(compile_filter("level=error", cache=cache).apply(copies)) == 10
    assert len(calls) == 10  # equal data shares the cached value


def test_cache_keeps_only_recent_paths_and_bounded_entries():
    cache = FieldCache(paths=2, entries=100)
    entries = [entry({"a": i, "b": i, "c": i}, seq=i) for i in range(200)]
    for path in ("a", "b", "c"):
        compile_filter(f"{path}>0", cache=cache).apply(entries[:150])
    assert [key[0][0] for key in cache._values] == ["b", "c"]
    assert all(len(store) == 150 for store in cache._values.values())  # not past 1.5 x yet
    compile_filter("c>0", cache=cache).apply(entries[150:])
    store = cache._values[(("c", None),)]
    # The newest 100 are left, which is what a ring buffer of 100 still holds.
    assert list(store) == [e[DATA] for e in entries[100:]]
    cache.clear()
    assert len(cache) == 0


def test_cache_is_keyed_by_data_not_seq():
    cache = FieldCache()
    first = [entry({"a": 1}, seq=0)]
    second = [entry({"a": 2}, seq=0)]
    assert compile_filter("a=1", cache=cache).apply(first) == first
    assert compile_filter("a=1", cache=cache).apply(second) == []


def test_caching_can_be_turned_off():
    entries = [entry({"a": 1})]
    assert compile_filter("a=1", cache=FieldCache(paths=0)).apply(entries) == entries


# ---------------------------------------------------------------------------------------------
# Property: apply() (pre-checks, cache, inlined comparisons) == matches() (json.loads each time)

# Filters are drawn first; the data is then built from the filters' own paths and values (plus a
# pool of tricky ones: escapes, case folding, numbers in several spellings, JSON's non-finite
# numbers), so that terms and data keep meeting instead of missing each other at random.
PATHS = ["level", "user.id", "items.0", "items.1.level", "0", '"a.b"', "id"]
WORDS = ["error", "Error", "42", "4.2e1", "-1", "1e400", "true", "null", "NaN", "-Infinity",
         "", "ß", "SS", "ss", "Σ", "é", 'q"uote', "back\\slash", "x y", "e", "+",
         "100000000000000000001"]
SCALARS = [None, True, False, 42, 42.0, -1, 0.5, 1e20, 10**20, 10**20 + 1, float("nan"),
           float("inf"), -float("inf")]
OPS = ["=", "!=", "<", "<=", ">", ">=", "~", "!~"]


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def bare_or_quoted(text: str) -> str:
    """Bare when the parser allows it (a bare number is then a number), else quoted (text)."""
    bare = text and all(c not in '"\\ =!<>~' for c in text) and text[0] not in "-!/"
    return text if bare else quoted(text)


def path_segments(path: str) -> list[str]:
    return ["a.b"] if path == '"a.b"' else path.split(".")


@st.composite
def terms(draw: st.DrawFn, used: list[tuple[list[str], str]]) -> str:
    kind = draw(st.sampled_from(["field", "field", "field", "word", "regex", "type"]))
    if kind == "field":
        path = draw(st.sampled_from(PATHS))
        odd = st.text("eEß019.-+", max_size=4)
        value = draw(st.sampled_from(WORDS) if draw(st.integers(0, 4)) else odd)
        used.append((path_segments(path), value))
        spell = draw(st.sampled_from([bare_or_quoted, quoted]))
        term = f"{path}{draw(st.sampled_from(OPS))}{spell(value)}"
    elif kind == "word":
        value = draw(st.sampled_from(WORDS) | st.text(alphabet="aeErorß\"0 ", max_size=4))
        used.append(([], value))
        term = quoted(value)
    elif kind == "regex":
        term = draw(st.sampled_from(["/err/", "/E/i", r"/\d{2}/", "/^ /", r"/\\u00/"]))
    else:
        term = draw(st.sampled_from(["type:a", "type:b,a", "stream:x", "id:1,2"]))
    return draw(st.sampled_from(["", "", "-", "!"])) + term


@st.composite
def expressions(draw: st.DrawFn, used: list[tuple[list[str], str]]) -> str:
    groups = draw(st.lists(st.lists(terms(used), min_size=1, max_size=3), min_size=1, max_size=2))
    return " or ".join(" ".join(group) for group in groups)


def dump(value: object, style: str) -> str:
    """JSON as json.dumps writes it, or with non-ASCII escaped, or with every string character
    escaped, or with numbers spelled unusually: the raw text then shows values differently from
    how they read once parsed, which the substring pre-checks must allow for."""
    if isinstance(value, str):
        if style == "escape all":
            return '"' + "".join(f"\\u{ord(c):04x}" for c in value) + '"'
        return json.dumps(value, ensure_ascii=style == "ascii")
    if isinstance(value, dict):
        pairs = (f"{dump(k, style)}: {dump(v, style)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dump(v, style) for v in value) + "]"
    if style == "spelled" and type(value) is float and abs(value) < 1e30:
        return format(value, "f")  # 1e20 as 100000000000000000000.000000
    if style == "spelled" and type(value) is int:
        return f"{value}e0"
    return json.dumps(value)


def variants(text: str) -> list[object]:
    """Values a field test with this text might meet: itself in other cases, and what it reads
    as in JSON (true, 42, NaN...)."""
    found: list[object] = [text, text.upper(), text.casefold(), text + "x"]
    with contextlib.suppress(ValueError):
        found += [json.loads(text)] * 3
    if filter_module._is_number(text):
        number = float(text)
        found += [number, -number] + ([int(number)] if number.is_integer() else [])
    return found


@st.composite
def payloads(draw: st.DrawFn, used: list[tuple[list[str], str]]) -> str:
    words = [value for _, value in used] + WORDS
    leaves = (
        st.sampled_from(words) | st.sampled_from(SCALARS) | st.floats() | st.text("eEß\"0.", max_size=4)
    )
    objects = st.dictionaries(st.sampled_from(["level", "id"]), leaves, max_size=2)
    leaf = leaves | st.lists(leaves, max_size=2) | objects

    def nest(segments: list[str], value: str) -> object:
        if not segments:
            return draw(st.sampled_from(variants(value)) if draw(st.integers(0, 3)) else leaf)
        inner = nest(segments[1:], value)
        if segments[0].isdigit() and draw(st.booleans()):
            items = draw(st.lists(leaf, max_size=2))
            return [*items[: int(segments[0])], inner, *items[int(segments[0]) :]]
        return {segments[0]: inner}

    kind = draw(st.sampled_from(["object", "object", "object", "array", "text", "broken"]))
    if kind == "text":
        return draw(st.text(alphabet='{}[]":, elorv\\1', max_size=20) | st.sampled_from(words))
    value: object
    if kind == "array":
        value = draw(st.lists(leaf, max_size=3))
    else:
        value = {}
        paths = [u for u in used if u[0]] or [(["level"], "error")]
        for segments, word in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=3)):
            part = nest(segments, word)
            merge = isinstance(part, dict) and isinstance(value, dict)
            value = {**value, **part} if merge else part  # type: ignore[dict-item]
    data = dump(value, draw(st.sampled_from(["plain", "ascii", "escape all", "spelled"])))
    if kind == "broken":
        cut = draw(st.integers(0, len(data)))
        data = draw(st.sampled_from([data[:cut], data[:cut] + "x" + data[cut:], data + " ]"]))
    padding = draw(st.sampled_from(["", "", " ", "\n"]))
    return padding + data + draw(st.sampled_from(["", "", " ", "\r\n"]))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_apply_agrees_with_plain_evaluation(data):
    """Whatever apply() skips (pre-checks, cache hits, inlined comparisons, term order), it gives
    what matches() gives, and matches() is the plain evaluation: json.loads every time."""
    used: list[tuple[list[str], str]] = []
    texts = data.draw(st.lists(expressions(used), min_size=1, max_size=3), label="texts")
    invert = data.draw(st.booleans(), label="invert")
    entries = []
    payload_list = data.draw(st.lists(payloads(used), min_size=4, max_size=30), label="data")
    for i, payload in enumerate(payload_list):
        type_, stream, id_ = (data.draw(st.sampled_from(choices)) for choices in ("ab", "xy", "-1"))
        entries.append(make_entry(i, stream, Event(type_, payload, id_.strip("-"))))
    entries += entries[:3]  # the same entries again: cache hits within one run
    cache = FieldCache(paths=2)  # fewer paths than some filters use: eviction mid-run
    for text in texts * 2:  # the second round finds values cached by the first
        event_filter = compile_filter(text, invert=invert, cache=cache)
        reference = [e for e in entries if event_filter.matches(e)]
        assert event_filter.apply(entries) == reference, text


def test_matches_is_the_plain_evaluation(monkeypatch):
    parsed = []
    original = json.loads
    monkeypatch.setattr(json, "loads", lambda s: parsed.append(s) or original(s))
    event_filter = compile_filter("a=1")
    item = entry('{"a": 1}')
    assert event_filter.matches(item) and event_filter.matches(item)
    assert len(parsed) == 2


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("stream:logs", "stream:applogs"),
        ("level=error stream:ticker,logs", "level=error stream:ticker,applogs"),
        ("-stream:logs acme", "-stream:applogs acme"),
        ("stream:logs or type:price", "stream:applogs or type:price"),
        ("stream:logsx logs", "stream:logsx logs"),  # another name, and a plain word: untouched
        ('stream:"logs"', 'stream:"logs"'),  # quoted: left as written
    ],
)
def test_rename_stream_follows_the_filter_that_named_it(before, after):
    assert rename_stream(before, "logs", "applogs") == after


def test_a_renamed_filter_matches_the_renamed_streams_events():
    renamed = rename_stream("stream:ticker,logs type:info", "logs", "applogs")
    assert compile_filter(renamed, cache=FieldCache()).matches((0, "applogs", "info", "x", None, 0.0))


def test_rename_stream_quotes_a_new_name_that_needs_it():
    renamed = rename_stream("stream:logs", "logs", "app logs")
    assert renamed == 'stream:"app logs"'
    assert compile_filter(renamed, cache=FieldCache()).matches((0, "app logs", "m", "x", None, 0.0))
