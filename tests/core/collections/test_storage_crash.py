"""kill -9 at every step of new, copy, rename and save: the next load sees the old collection or
the new one, never an empty `.toml` (a ghost request) nor a temp file left behind.

The storage operation runs in a child process that SIGKILLs itself just before its k-th file
system step (an audit hook sees every open, mkdir, rename, link, unlink, chmod and flock; a
wrapper sees every write and fsync), for k = 1, 2, ... until the operation finishes untouched.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from streamdash.core.collections.storage import load_collection

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs kill -9")

CHILD = r"""
import os, signal, sys
from dataclasses import replace
from pathlib import Path
from streamdash.core.collections.models import SavedRequest
from streamdash.core.collections.storage import (
    duplicate_request, load_collection, rename_request, save_request,
)

root, op, kill_at = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
collection = load_collection(root)
first = next(r for r in collection.requests if r.name == "first")
steps = 0
WATCHED = {"open", "os.rename", "os.remove", "os.link", "os.chmod", "os.mkdir", "os.truncate",
           "ctypes.call_function", "os.utime", "fcntl.flock"}

def step():
    global steps
    steps += 1
    if steps == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

def hook(event, args):
    if event in WATCHED:
        step()

def counted(fn):
    def wrapper(*args, **kwargs):
        step()
        return fn(*args, **kwargs)
    return wrapper

os.write, os.fsync = counted(os.write), counted(os.fsync)
sys.addaudithook(hook)
if op == "new":
    save_request(collection, SavedRequest(name="third", url="http://127.0.0.1:1/third"))
elif op == "copy":
    duplicate_request(collection, first)
elif op == "rename":
    rename_request(collection, first, "renamed")
elif op == "save":
    save_request(collection, replace(first, url="http://127.0.0.1:1/changed"))
print("done", steps)
"""

OLD = [("first", "http://127.0.0.1:1/first"), ("second", "http://127.0.0.1:1/second")]
NEW = {
    "new": sorted([*OLD, ("third", "http://127.0.0.1:1/third")]),
    "copy": sorted([*OLD, ("first copy", "http://127.0.0.1:1/first")]),
    "rename": sorted([("renamed", "http://127.0.0.1:1/first"), OLD[1]]),
    "save": sorted([("first", "http://127.0.0.1:1/changed"), OLD[1]]),
}


def make_collection(root: Path) -> None:
    (root / "group").mkdir(parents=True)
    (root / "collection.toml").write_text('name = "crash"\n', encoding="utf-8")
    (root / "group" / "first.toml").write_text(
        'name = "first"\nurl = "http://127.0.0.1:1/first"\n', encoding="utf-8"
    )
    (root / "second.toml").write_text('name = "second"\nurl = "http://127.0.0.1:1/second"\n', encoding="utf-8")


def files_in(root: Path) -> list[Path]:
    return sorted(Path(folder, name) for folder, _, names in os.walk(root) for name in names)


@pytest.mark.slow
@pytest.mark.parametrize("op", ["new", "copy", "rename", "save"])
def test_kill_9_at_every_step_leaves_the_old_collection_or_the_new_one(tmp_path, op):
    template = tmp_path / "template"
    make_collection(template)
    seen = {"old": 0, "new": 0}
    for kill_at in range(1, 200):
        root = tmp_path / f"{op}-{kill_at}"
        shutil.copytree(template, root)
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(root), op, str(kill_at)],
            capture_output=True, text=True, timeout=60,
        )
        finished = child.returncode == 0 and child.stdout.startswith("done")
        assert finished or child.returncode == -signal.SIGKILL, child.stderr

        collection = load_collection(root)
        for path in files_in(root):
            assert path.stat().st_size > 0, f"kill at step {kill_at}: empty file {path.name}"
        assert collection.errors == [], f"kill at step {kill_at}"
        state = sorted((r.name, r.url) for r in collection.requests)
        assert state in (sorted(OLD), NEW[op]), f"kill at step {kill_at}: {state}"
        seen["new" if state == NEW[op] else "old"] += 1
        leftovers = [p.name for p in files_in(root) if p.name.endswith(".tmp")]
        assert leftovers == [], f"kill at step {kill_at}: the load left {leftovers}"
        if finished:
            break
    else:
        raise AssertionError("the operation never finished")
    assert kill_at > 3, "too few steps were killed to prove anything"
    assert seen["old"] >= 1 and seen["new"] >= 1


@pytest.mark.skipif(sys.platform == "win32", reason="no flock: temp files are only ignored there")
def test_load_sweeps_a_dead_writers_temp_file_but_not_a_live_one_nor_the_users(tmp_path):
    import fcntl

    make_collection(tmp_path)
    dead = tmp_path / "group" / ".first.toml.0123abcd.tmp"
    live = tmp_path / ".second.toml.89abcdef.tmp"
    env_dead = tmp_path / "env" / ".local.toml.00000000.tmp"
    users = tmp_path / ".notes.tmp"
    for path in (dead, live, env_dead, users):
        path.parent.mkdir(exist_ok=True)
        path.write_text('name = "half"\n', encoding="utf-8")
    with open(live, "rb") as writer:
        fcntl.flock(writer, fcntl.LOCK_EX)  # as _publish holds it while it writes
        collection = load_collection(tmp_path)
        assert sorted(r.name for r in collection.requests) == ["first", "second"]
        assert not dead.exists() and not env_dead.exists()
        assert live.exists() and users.exists()
    load_collection(tmp_path)
    assert not live.exists() and users.exists()


@pytest.mark.parametrize("way", ["renameat2", "link-unlink", "check-replace"])
def test_moving_into_place_never_replaces_a_file(tmp_path, monkeypatch, way):
    from streamdash.core.collections import storage

    if way == "renameat2" and storage._renameat2() is None:
        pytest.skip("no renameat2 here")
    if way != "renameat2":
        monkeypatch.setattr(storage, "_renameat2", lambda: None)
    if way == "check-replace":

        def no_links(src, dst):
            raise PermissionError(1, "Operation not permitted")  # what vfat answers

        monkeypatch.setattr(os, "link", no_links)
    src, dst = tmp_path / "a.toml", tmp_path / "b.toml"
    src.write_text("a", encoding="utf-8")
    dst.write_text("b", encoding="utf-8")
    with pytest.raises(FileExistsError):
        storage._rename_noreplace(src, dst)
    assert (src.read_text(), dst.read_text()) == ("a", "b")
    dst.unlink()
    storage._rename_noreplace(src, dst)
    assert not src.exists() and dst.read_text() == "a"
