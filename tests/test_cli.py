"""The command line itself: entry points, --version, and a --help that stays cheap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from streamdash import __version__


def test_python_dash_m_and_version():
    result = subprocess.run(
        [sys.executable, "-m", "streamdash", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"streamdash {__version__}"


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("streamdash")
    assert script.exists(), "pip install the project: the console script is missing"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("tail", "demo"):
        assert command in result.stdout


def test_help_does_not_import_textual_or_httpx():
    code = (
        "import sys\n"
        "from streamdash.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "try:\n    main(['tail', '--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('textual', 'httpx', 'uvicorn', 'starlette') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "HEAVY []" in result.stdout, result.stdout


def test_unknown_command_is_a_one_line_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "streamdash", "frobnicate"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "frobnicate" in result.stderr


def test_dashboard_on_a_missing_collection_is_a_usage_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "streamdash", "--collection", str(tmp_path / "nope")],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert result.stderr == f"streamdash: no such collection folder: {tmp_path / 'nope'}\n"
