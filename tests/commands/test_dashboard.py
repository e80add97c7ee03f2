"""`streamdash` (the dashboard) and `demo`: the display flags reach the session, and a bad
`--buffer-bytes` is a one-line usage error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from streamdash.cli import build_parser
from streamdash.commands.dashboard import run_dashboard
from streamdash.core.buffer import DEFAULT_BUFFER_BYTES

MiB = 1024 * 1024


@pytest.mark.parametrize(
    ("text", "value"),
    [("64M", 64 * MiB), ("1G", 1024 * MiB), ("2048k", 2 * MiB), ("8MiB", 8 * MiB),
     ("2MB", 2 * MiB), ("1.5G", 1536 * MiB), ("1048576", MiB), (" 16 M ", 16 * MiB)],
)
def test_buffer_bytes_takes_binary_units(text, value):
    assert build_parser().parse_args(["--buffer-bytes", text]).buffer_bytes == value
    demo = build_parser().parse_args(["demo", "--buffer-bytes", text])
    assert demo.buffer_bytes == value


@pytest.mark.parametrize(
    ("text", "why"),
    [("64X", "not a size"), ("lots", "not a size"), ("-5M", "not a size"), ("", "not a size"),
     ("1000", "at least 1 MiB"), ("0", "at least 1 MiB"), ("nanM", "not a size"),
     ("1e400M", "not a size")],
)
def test_a_bad_buffer_bytes_is_a_one_line_usage_error(text, why):
    for argv in ([f"--buffer-bytes={text}"], ["demo", f"--buffer-bytes={text}", "--serve-only"]):
        result = subprocess.run(
            [sys.executable, "-m", "streamdash", *argv], capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and why in lines[0] and "--buffer-bytes" in lines[0], result.stderr
        assert "Traceback" not in result.stderr


def test_the_dashboard_gets_the_byte_bound(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("STREAMDASH_CONFIG_DIR", str(tmp_path / "config"))
    seen: dict[str, object] = {}

    def fake_run_app(root: Path, **options: object) -> int:
        seen.update(options, root=root)
        return 0

    monkeypatch.setattr("streamdash.ui.launch.run_app", fake_run_app)
    (tmp_path / "coll").mkdir()
    args = build_parser().parse_args(["--collection", str(tmp_path / "coll"), "--buffer-bytes", "8M"])
    assert run_dashboard(args) == 0
    assert seen["buffer_bytes"] == 8 * MiB
    args = build_parser().parse_args(["--collection", str(tmp_path / "coll")])
    run_dashboard(args)
    assert seen["buffer_bytes"] == DEFAULT_BUFFER_BYTES


def test_the_demo_dashboard_gets_the_byte_bound(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("STREAMDASH_CONFIG_DIR", str(tmp_path / "config"))
    seen: dict[str, object] = {}

    def fake_run_app(root: Path, **options: object) -> int:
        seen.update(options)
        return 0

    monkeypatch.setattr("streamdash.ui.launch.run_app", fake_run_app)
    from streamdash.commands.demo import run_demo

    assert run_demo(build_parser().parse_args(["demo", "--buffer-bytes", "3M"])) == 0
    assert seen["buffer_bytes"] == 3 * MiB
