"""The [keys] table of config.toml: spelling checked, each bad entry one warning naming it."""

from __future__ import annotations

from streamdash.core.config import Locations, load_settings
from streamdash.core.keymap import bad_key, check_keymap, load_key_table

KNOWN = {"focus_filter": "slash", "toggle_pause": "p", "show_pane_events": "f3,2"}


def test_good_entries_are_kept_as_keys_by_action():
    keymap, warnings = check_keymap({"focus_filter": "slash, ctrl+f", "toggle_pause": "space"}, KNOWN)
    assert keymap == {"focus_filter": "slash,ctrl+f", "toggle_pause": "space"}
    assert warnings == []


def test_an_unknown_action_is_a_warning_naming_it():
    keymap, warnings = check_keymap({"fly_away": "x"}, KNOWN)
    assert keymap == {}
    assert len(warnings) == 1 and "'fly_away'" in warnings[0]


def test_an_invalid_key_is_a_warning_and_the_good_keys_stay():
    keymap, warnings = check_keymap({"focus_filter": "cmd+f,ctrl+f,ctrl+"}, KNOWN)
    assert keymap == {"focus_filter": "ctrl+f"}
    assert len(warnings) == 2 and "'cmd+f'" in warnings[0] and "'ctrl+'" in warnings[1]


def test_a_key_given_to_two_actions_is_a_warning():
    keymap, warnings = check_keymap({"focus_filter": "ctrl+f", "toggle_pause": "ctrl+f,space"}, KNOWN)
    assert keymap == {"focus_filter": "ctrl+f", "toggle_pause": "space"}
    assert len(warnings) == 1 and "focus_filter" in warnings[0] and "'ctrl+f'" in warnings[0]


def test_a_value_that_is_not_keys_is_a_warning():
    keymap, warnings = check_keymap({"toggle_pause": 3}, KNOWN)
    assert keymap == {} and "toggle_pause" in warnings[0]


def test_key_spellings():
    for good in ("slash", "E", "ctrl+f", "f5", "question_mark", "shift+tab", "1"):
        assert bad_key(good) is None, good
    for bad in ("", "ctrl+", "win+x", "Page Up", "ctrl+Up!"):
        assert bad_key(bad) is not None, bad


def locations(tmp_path, text: str) -> Locations:
    (tmp_path / "config.toml").write_text(text)
    return Locations(tmp_path, tmp_path / "data", tmp_path / "state")


def test_the_table_is_read_with_its_lines_and_is_not_an_unknown_setting(tmp_path):
    where = locations(tmp_path, 'refresh_hz = 10\n\n[keys]\nfocus_filter = "ctrl+f"\n')
    table, lines, problems = load_key_table(where)
    assert table == {"focus_filter": "ctrl+f"} and problems == []
    assert lines["focus_filter"].endswith("config.toml:4")
    settings, warnings = load_settings(where)
    assert settings.refresh_hz == 10 and warnings == []


def test_keys_that_are_not_a_table_is_one_warning(tmp_path):
    table, _, problems = load_key_table(locations(tmp_path, 'keys = "ctrl+f"\n'))
    assert table == {} and len(problems) == 1 and "[keys]" in problems[0]
