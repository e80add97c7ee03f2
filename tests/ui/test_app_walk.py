"""A seeded random walk over the demo, as `streamdash demo` starts it: thousands of keys from a
fixed alphabet, with resizes and pastes now and then. The app must keep running, catch no error,
and still receive events at the end.

Keys go in bursts of CHUNK with no wait between them (a fast typist, or keys batched by a slow
SSH link), then the app settles; every CHECK_EVERY keys and at the end the checks run. A failure
prints the last keys sent, the seed and each caught error's traceback.
"""

from __future__ import annotations

import random
import shutil
import string
import time
import traceback
from collections import deque
from pathlib import Path

import pytest
from textual import events

import streamdash.demo
from streamdash.core.collections import load_collection
from streamdash.demo import DemoServer
from streamdash.ui.app import StreamdashApp
from streamdash.ui.launch import build_app
from tests.ui.test_app_states import key_event, settle, wait_for

# Seeds that once failed stay in this list.
SEEDS = [1, 2]
KEYS_PER_SEED = 10_000
CHUNK = 20
CHECK_EVERY = 500

DEMO_COLLECTION = Path(streamdash.demo.__file__).parent / "collection"
DEMO_STREAMS = ("streams/ticker", "streams/logs", "streams/flaky", "streams/chat")
DEMO_FIRST_REQUEST = "api/List items"

# Everything but ctrl+q and ctrl+z, which leave the app by design.
ALPHABET = [
    *string.ascii_lowercase,
    *string.ascii_uppercase,
    *string.digits,
    "space", "enter", "escape", "tab", "shift+tab",
    "up", "down", "left", "right", "home", "end", "pageup", "pagedown",
    "delete", "backspace", "slash", "question_mark",
    "f1", "f2", "f3", "f4", "f5", "f6", "f7",
    "ctrl+r", "ctrl+t", "ctrl+p", "ctrl+s", "ctrl+l", "ctrl+c",
]
SIZES = [(80, 24), (100, 30), (160, 48), (60, 16), (200, 60)]
RESIZE_EVERY = 400  # on average, keys between two resizes
PASTE_EVERY = 300  # ... and between two pastes


def curl_command(base_url: str, n: int) -> str:
    """What a browser's "copy as cURL" gives: many lines joined by backslashes."""
    return (
        f"curl '{base_url}/api/items?page={n}' \\\n"
        "  -X POST \\\n"
        "  -H 'Accept: application/json' \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        f"  --data-raw '{{\"name\": \"walk {n}\", \"tags\": [\"a\", \"b\"]}}'\n"
    )


@pytest.fixture(scope="module")
def demo():
    with DemoServer(seed=7, time_scale=0.05) as server:
        yield server


@pytest.fixture(autouse=True)
def own_folders(tmp_path, monkeypatch):
    """Whatever the walk writes (renames, deletes, new requests, exports, screenshots, a
    collection saved elsewhere, a path typed at random) lands in the test's own folders."""
    for name, folder in (
        ("STREAMDASH_DATA_DIR", "data"),
        ("STREAMDASH_STATE_DIR", "state"),
        ("STREAMDASH_CONFIG_DIR", "config"),
        ("HOME", "home"),
    ):
        monkeypatch.setenv(name, str(tmp_path / folder))
    cwd = tmp_path / "cwd"  # a relative path typed into a prompt
    cwd.mkdir()
    monkeypatch.chdir(cwd)


def describe(errors: list[BaseException]) -> str:
    return "\n\n".join(
        f"{type(e).__name__}: {e}\n" + "".join(traceback.format_exception(e)).rstrip() for e in errors
    )


class Walk:
    def __init__(self, app: StreamdashApp, pilot, seed: int, base_url: str) -> None:
        self.app = app
        self.pilot = pilot
        self.seed = seed
        self.rng = random.Random(seed)
        self.base_url = base_url
        self.sent = 0
        self.recent: deque[str] = deque(maxlen=120)  # what was sent last, for a failure's report
        self.quits = 0

    def fail(self, why: str) -> None:
        app = self.app
        stack = [type(s).__name__ for s in app.screen_stack] if app.is_running else []
        raise AssertionError(
            f"seed {self.seed}, after {self.sent} keys: {why}\n"
            f"screens: {stack}, focus: {app.focused if app.is_running else None}\n"
            f"the last {len(self.recent)} things sent, oldest first:\n{list(self.recent)}\n\n"
            f"{describe(app.caught_errors)}"
        )

    def check(self) -> None:
        if not self.app.is_running:
            self.fail("the app stopped running")
        if self.app.caught_errors:
            self.fail(f"{len(self.app.caught_errors)} errors caught")

    async def step(self) -> None:
        """One burst: CHUNK keys, with now and then a resize or a paste among them."""
        app, rng = self.app, self.rng
        for _ in range(CHUNK):
            roll = rng.random()
            if roll < 1 / RESIZE_EVERY:
                width, height = rng.choice(SIZES)
                self.recent.append(f"<resize {width}x{height}>")
                await self.pilot.resize_terminal(width, height)
            elif roll < 1 / RESIZE_EVERY + 1 / PASTE_EVERY:
                self.recent.append("<paste curl>")
                app.post_message(events.Paste(curl_command(self.base_url, self.sent)))
            else:
                key = rng.choice(ALPHABET)
                self.recent.append(key)
                event = key_event(key)
                event.set_sender(app)
                app.post_message(event)
                self.sent += 1
        await settle(self.pilot, 3)

    async def run(self, keys: int) -> None:
        next_check = CHECK_EVERY
        while self.sent < keys:
            await self.step()
            if self.sent >= next_check:
                await self.pilot.pause()
                self.check()
                next_check += CHECK_EVERY
        await self.pilot.pause()
        self.check()


def fake_quit(walk: Walk):
    async def quit_() -> None:  # the palette's "Quit" leaves the app by design, as ctrl+q does
        walk.quits += 1

    return quit_


@pytest.mark.slow
@pytest.mark.timeout(600)  # 10,000 keys take 150-210 s on 2 busy cores
@pytest.mark.parametrize("seed", SEEDS)
async def test_random_walk_over_the_demo(tmp_path, demo, seed):
    root = tmp_path / "demo"
    shutil.copytree(DEMO_COLLECTION, root)
    app = build_app(
        load_collection(root),
        variables={"base_url": demo.url},
        autostart=DEMO_STREAMS,
        autosend=(DEMO_FIRST_REQUEST,),
        history_dir=tmp_path / "history",
        recordings_dir=tmp_path / "recordings",
        scratch="demo",
    )
    started = time.monotonic()
    async with app.run_test(size=(160, 48)) as pilot:
        walk = Walk(app, pilot, seed, demo.url)
        app.action_quit = fake_quit(walk)  # type: ignore[method-assign]
        await wait_for(pilot, lambda: len(app.session.buffer) > 0, what="the demo's first events")
        await walk.run(KEYS_PER_SEED)

        # The app still works: back to the dashboard, a stream started again, events arrive.
        for _ in range(10):
            if len(app.screen_stack) == 1:
                break
            await pilot.press("escape")
        if len(app.screen_stack) != 1:
            walk.fail(f"Escape does not close {type(app.screen).__name__}")
        ticker = app.session.find("streams/ticker")
        original = (DEMO_COLLECTION / "streams" / "ticker.toml").read_bytes()
        path = root / "streams" / "ticker.toml"
        if ticker is None or not path.is_file() or path.read_bytes() != original:
            # The walk renamed, deleted or edited it: put the file back, as a person would.
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(original)
            app.session.reload()
            await pilot.pause()
            ticker = app.session.find("streams/ticker")
        assert ticker is not None
        app.session.start(ticker)
        start = app.session.buffer.next_seq
        try:
            await wait_for(pilot, lambda: app.session.buffer.next_seq > start, 5.0)
        except AssertionError:
            walk.fail("the log receives no more events")
        walk.check()
    print(f"seed {seed}: {walk.sent} keys in {time.monotonic() - started:.1f} s ({walk.quits} palette quits ignored)")
