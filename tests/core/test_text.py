from streamdash.core.text import escape_controls


def test_escape_controls_makes_one_safe_line():
    assert escape_controls("a\nb\x1b[31mc\x07\td\x9b") == "a\\nb\\e[31mc\\x07\td\\x9b"
    assert escape_controls("plain \u00e9 \u2028 \u2029") == "plain \u00e9 \\u2028 \\u2029"
    for char in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029":
        assert len(escape_controls(f"a{char}b").splitlines()) == 1
