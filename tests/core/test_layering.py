"""The core never imports Textual (or the UI): the CLI and any front end can stand on it alone."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import streamdash

CORE = Path(streamdash.__file__).parent / "core"
FORBIDDEN = ("textual", "rich", "streamdash.ui")


def core_modules() -> list[str]:
    root = CORE.parent.parent
    return [
        ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for path in sorted(CORE.rglob("*.py"))
    ]


def test_core_source_has_no_textual_import():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path}: {name}" for name in names if name.split(".")[0] in FORBIDDEN or name.startswith("streamdash.ui")
            ]
    assert offenders == []


def test_importing_all_of_core_loads_no_textual():
    modules = core_modules()
    assert "streamdash.core.sse.parser" in modules
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + (
        # Not rich: httpx itself imports it (for its own CLI) whenever it is installed.
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
