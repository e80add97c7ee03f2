"""core/alerts.py: `alerts.toml` (saved filters that alert) and the once-per-burst matcher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streamdash.core.alerts import (
    ALERTS_FILE,
    DEFAULT_QUIET,
    Alert,
    AlertRule,
    command_input,
    load_alerts,
)
from streamdash.core.buffer import LogEntry
from streamdash.core.filter import compile_filter


def entry(seq: int, data: str, *, stream: str = "logs", type_: str = "message", id_: str = "") -> LogEntry:
    return (seq, stream, type_, data, id_, 1000.0 + seq)


def error(seq: int) -> LogEntry:
    return entry(seq, json.dumps({"level": "error", "n": seq}), id_=str(seq))


def info(seq: int) -> LogEntry:
    return entry(seq, json.dumps({"level": "info", "n": seq}), id_=str(seq))


def write(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / ALERTS_FILE
    path.write_text(text)
    return path


# --- loading -----------------------------------------------------------------------------------


def test_no_file_is_no_alerts_and_no_error(tmp_path: Path):
    loaded = load_alerts(tmp_path)
    assert loaded.rules == () and loaded.errors == ()


def test_a_full_entry_and_the_defaults(tmp_path: Path):
    write(tmp_path, '[[alert]]\nname = "errors"\nfilter = "level=error"\nbell = false\n'
                    'command = ["notify-send", "streamdash"]\nquiet = 5\n\n'
                    '[[alert]]\nname = "slow"\nfilter = "latency_ms>500"\n'
                    'command = "logger -t streamdash"\n')
    loaded = load_alerts(tmp_path)
    assert loaded.errors == ()
    errors, slow = loaded.rules
    assert (errors.name, errors.filter, errors.bell, errors.command, errors.quiet) == (
        "errors", "level=error", False, ("notify-send", "streamdash"), 5.0)
    assert (slow.name, slow.bell, slow.command, slow.quiet) == (
        "slow", True, ("logger", "-t", "streamdash"), DEFAULT_QUIET)
    assert Alert(slow).offer([entry(1, '{"latency_ms": 900}')], now=1.0) is not None


def test_bad_entries_are_one_line_each_and_the_good_ones_stay(tmp_path: Path):
    path = write(tmp_path, '[[alert]]\nname = "ok"\nfilter = "type:error"\n\n'
                           '[[alert]]\nname = "broken"\nfilter = "/unclosed"\n\n'
                           '[[alert]]\nfilter = "x"\n\n'
                           '[[alert]]\nname = "ok"\nfilter = "y"\n\n'
                           '[[alert]]\nname = "loud"\nfilter = "z"\nbell = "yes"\nquiet = -1\n\n'
                           '[[alert]]\nname = "cmd"\nfilter = "z"\ncommand = ["ls", 3]\n\n'
                           '[[alert]]\nname = "empty"\nfilter = "z"\ncommand = "\\"unclosed"\n')
    loaded = load_alerts(tmp_path)
    assert [rule.name for rule in loaded.rules] == ["ok"]
    lines = [str(error) for error in loaded.errors]
    assert lines == [
        f"{path}:5: alert 'broken': filter: unclosed regex at column 1",
        f"{path}:9: alert 3: name: missing (a short text)",
        f"{path}:12: alert 'ok': name: another alert is already named 'ok'",
        f"{path}:16: alert 'loud': bell: must be true or false, not 'yes'",
        f"{path}:22: alert 'cmd': command: must be a text or a list of texts",
        f"{path}:27: alert 'empty': command: No closing quotation",
    ]
    assert all("\n" not in line for line in lines)


def test_a_file_that_is_not_toml_is_one_error_with_its_line(tmp_path: Path):
    path = write(tmp_path, '[[alert]]\nname = "a"\nfilter = "unclosed\n')
    loaded = load_alerts(tmp_path)
    assert loaded.rules == ()
    (problem,) = loaded.errors
    assert str(problem).startswith(f"{path}:3: invalid TOML")


@pytest.mark.parametrize("text,reason", [
    ('alert = "no table"\n', "alert: must be a list of [[alert]] tables"),
    ('[[alrt]]\nname = "a"\n', "unknown key 'alrt' (expected [[alert]] tables)"),
    ('[[alert]]\nname = "a"\nfilter = "x"\nbel = true\n', "alert 'a': unknown key 'bel'"),
])
def test_shape_mistakes_are_named(tmp_path: Path, text: str, reason: str):
    write(tmp_path, text)
    loaded = load_alerts(tmp_path)
    assert [error.message for error in loaded.errors] == [reason]


def test_a_huge_or_binary_file_is_refused_in_one_line(tmp_path: Path):
    write(tmp_path, "")
    (tmp_path / ALERTS_FILE).write_bytes(b"\xff\xfe[[alert]]")
    (problem,) = load_alerts(tmp_path).errors
    assert "not UTF-8" in str(problem)


# --- the once-per-burst matcher -----------------------------------------------------------------


def rule(expr: str = "level=error", quiet: float = 10.0) -> AlertRule:
    return AlertRule(name="errors", filter=expr, quiet=quiet)


def test_the_first_match_of_a_burst_fires_with_that_event():
    alert = Alert(rule())
    firing = alert.offer([info(1), error(2), error(3)], now=100.0)
    assert firing is not None
    assert firing.rule.name == "errors" and firing.entry == error(2) and firing.matches == 2


def test_no_match_no_firing():
    alert = Alert(rule())
    assert alert.offer([info(1), info(2)], now=100.0) is None
    assert alert.offer([], now=101.0) is None
    assert alert.burst_matches == 0


def test_matches_within_the_quiet_time_are_one_burst():
    alert = Alert(rule(quiet=10.0))
    assert alert.offer([error(1)], now=100.0) is not None
    assert alert.offer([error(2)], now=105.0) is None  # 5 s later: same burst
    assert alert.offer([error(3)], now=114.0) is None  # 9 s after the last match: still
    assert alert.burst_matches == 3
    again = alert.offer([info(4), error(5)], now=124.0)  # 10 s of quiet: a new burst
    assert again is not None and again.entry == error(5) and alert.burst_matches == 1


def test_non_matching_events_do_not_extend_a_burst():
    alert = Alert(rule(quiet=10.0))
    alert.offer([error(1)], now=100.0)
    assert alert.offer([info(2)], now=108.0) is None
    assert alert.offer([error(3)], now=111.0) is not None  # 11 s after the last *match*


def test_a_burst_that_never_pauses_fires_once():
    alert = Alert(rule(quiet=1.0))
    fired = [alert.offer([error(n)], now=100.0 + n * 0.5) for n in range(1000)]
    assert sum(f is not None for f in fired) == 1 and alert.burst_matches == 1000


def test_quiet_zero_fires_on_every_batch_with_a_match():
    alert = Alert(rule(quiet=0.0))
    assert alert.offer([error(1), error(2)], now=100.0) is not None
    assert alert.offer([error(3)], now=100.0) is not None


def test_stream_and_type_terms_see_the_entry():
    alert = Alert(rule("stream:db type:error"))
    assert alert.offer([entry(1, "x", stream="logs", type_="error")], now=1.0) is None
    assert alert.offer([entry(2, "x", stream="db", type_="error")], now=2.0) is not None


def test_the_matcher_keeps_no_field_cache():
    """An armed alert sees every event: caching its field values by data would grow with the
    stream (and push the log filter's own paths out of the shared cache)."""
    compile_filter("level=error")  # the shared cache is in use by the log
    alert = Alert(rule())
    for n in range(200):
        alert.offer([error(n), info(n + 1000)], now=float(n))
    assert alert.cache_size == 0


# --- what a command reads on stdin --------------------------------------------------------------


def test_command_input_is_the_event_as_one_json_line():
    line = command_input(entry(7, '{"level": "error"}\nsecond line', id_="7", type_="log"))
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == {"stream": "logs", "event": "log", "id": "7",
                                "data": '{"level": "error"}\nsecond line', "t": 1007.0}


def test_the_collection_does_not_read_alerts_toml_as_a_request(tmp_path: Path):
    """It sits at the collection's root beside the requests, like collection.toml."""
    from streamdash.core.collections import load_collection

    write(tmp_path, '[[alert]]\nname = "errors"\nfilter = "level=error"\n')
    (tmp_path / "feed.toml").write_text('name = "feed"\nkind = "sse"\nurl = "http://127.0.0.1:1/"\n')
    (tmp_path / "ops").mkdir()
    (tmp_path / "ops" / ALERTS_FILE).write_text('name = "in a group"\nurl = "http://127.0.0.1:1/"\n')
    collection = load_collection(tmp_path)
    assert collection.errors == []
    assert sorted(r.name for r in collection.requests) == ["feed", "in a group"]  # a group's is a request
    assert [r.name for r in load_alerts(tmp_path).rules] == ["errors"]


def test_a_request_named_alerts_is_never_written_to_alerts_toml(tmp_path: Path):
    from streamdash.core.collections import SavedRequest, ensure_collection, load_collection
    from streamdash.core.collections.storage import rename_request, save_request

    collection = ensure_collection(tmp_path, example=False)
    saved = save_request(collection, SavedRequest(name="alerts", url="http://127.0.0.1:1/"))
    assert saved.path is not None and saved.path.name != ALERTS_FILE
    other = save_request(collection, SavedRequest(name="other", url="http://127.0.0.1:1/"))
    renamed = rename_request(collection, other, "Alerts")
    assert renamed.path is not None and renamed.path.name != ALERTS_FILE
    assert not (tmp_path / ALERTS_FILE).exists()
    assert sorted(r.name for r in load_collection(tmp_path).requests) == ["Alerts", "alerts"]


# --- saving (the app edits alerts) --------------------------------------------------------------


def test_saved_alerts_read_back_the_same(tmp_path: Path):
    from streamdash.core.alerts import save_alerts

    rules = (
        AlertRule("errors", "level=error", bell=False, command=("notify-send", "a b"), quiet=5.0),
        AlertRule('quo"ted', 'msg~"connection reset" or type:fatal'),
    )
    path = save_alerts(tmp_path, rules)
    assert path == tmp_path / ALERTS_FILE
    loaded = load_alerts(tmp_path)
    assert loaded.errors == () and loaded.rules == rules
    assert [p.name for p in tmp_path.iterdir()] == [ALERTS_FILE]  # no temp file left


def test_saving_a_bad_rule_is_refused_and_the_file_stays(tmp_path: Path):
    from streamdash.core.alerts import save_alerts
    from streamdash.core.collections import CollectionError

    path = write(tmp_path, '# mine\n[[alert]]\nname = "a"\nfilter = "x"\n')
    before = path.read_bytes()
    for bad in ([AlertRule("b", "/unclosed")], [AlertRule("a", "x"), AlertRule("a", "y")],
                [AlertRule("c", "x", quiet=-1.0)]):
        with pytest.raises(CollectionError) as caught:
            save_alerts(tmp_path, bad)
        assert str(caught.value).startswith(f"{path}: alert ") and "\n" not in str(caught.value)
    assert path.read_bytes() == before


def test_saving_no_alerts_writes_an_empty_file_that_loads(tmp_path: Path):
    from streamdash.core.alerts import save_alerts

    save_alerts(tmp_path, [])
    assert load_alerts(tmp_path) == ((), ())
