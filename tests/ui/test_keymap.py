"""Keys remapped in config.toml reach the bindings, the footer and the key list; every
notification can be read whole in the messages screen (Ctrl+N, palette "Messages")."""

from __future__ import annotations

import pytest
from textual.widgets import Static
from textual.widgets._key_panel import BindingsTable

from streamdash.ui.launch import build_app
from streamdash.ui.screens.messages import MessagesScreen
from tests.ui.pilot import notes, palette, wait_for
from tests.ui.test_app_evidence import one_stream
from tests.ui.test_keys import footer_keys


def remapped(tmp_path, url, table):
    app = build_app(one_stream(tmp_path, url))
    app.key_table = (table, {}, [])
    return app


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_a_remapped_key_does_the_action_and_the_old_one_does_not(raw_server, tmp_path, size):
    app = remapped(tmp_path, raw_server.url, {"focus_filter": "ctrl+f", "toggle_pause": "space"})
    async with app.run_test(size=size) as pilot:
        await pilot.press("2")
        await pilot.pause()
        log = app.events_pane.log_view
        assert log.following
        await pilot.press("p")  # the old key does nothing now
        await pilot.pause()
        assert log.following
        await pilot.press("space")
        await pilot.pause()
        assert not log.following
        await pilot.press("slash")
        await pilot.pause()
        assert app.focused is not app.events_pane.filter_bar.input
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert app.focused is app.events_pane.filter_bar.input
        assert app.caught_errors == []


async def test_the_footer_and_the_key_list_show_the_remapped_keys(raw_server, tmp_path):
    app = remapped(tmp_path, raw_server.url, {"toggle_pause": "space", "show_pane_requests": "f2,ctrl+y"})
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("2")
        await pilot.pause(0.3)
        footer = [(k.key, k.description) for k in app.screen.query("FooterKey")]
        assert ("space", "Pause") in footer, footer
        assert ("p", "Pause") not in footer, footer
        await pilot.press("f1")
        await wait_for(pilot, lambda: bool(app.screen.query(BindingsTable)), what="the key list")
        await pilot.pause()
        table = app.screen.query_one(BindingsTable).render_bindings_table()
        keys = {
            str(key): str(what)
            for key, what in zip(table.columns[0].cells, table.columns[1].cells, strict=True)
        }
        assert "f2 ^y" in keys, list(keys)
        assert footer_keys(app)


async def test_bad_entries_are_warnings_and_the_defaults_stay(raw_server, tmp_path):
    app = remapped(tmp_path, raw_server.url, {"fly_away": "x", "toggle_pause": "win+p"})
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        said = notes(app, "config.toml: key not changed")
        assert len(said) == 2 and "'fly_away'" in said[0] and "'win+p'" in said[1], said
        await pilot.press("2")
        await pilot.pause(0.3)
        footer = [(k.key, k.description) for k in app.screen.query("FooterKey")]
        assert ("p", "Pause") in footer, footer


def message_texts(app) -> list[str]:
    return [str(s.render()) for s in app.screen.query(".message").results(Static)]


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_the_messages_screen_shows_every_notification_whole_newest_first(raw_server, tmp_path, size):
    app = build_app(one_stream(tmp_path, raw_server.url))
    long = "connection refused by 10.0.0.1:8443 " * 8 + "THE USEFUL END"
    async with app.run_test(size=size) as pilot:
        app.notify("first", title="one")
        app.notify(long, title="two", severity="error")
        app.clear_notifications()  # gone from the screen: still in the history
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen), what="the messages")
        await pilot.pause()
        texts = message_texts(app)
        assert "THE USEFUL END" in texts[0] and "error" in texts[0] and "two" in texts[0]
        assert "first" in texts[1]
        assert long in texts[0].replace("\n", "", 1).split("\n", 1)[-1] or long in texts[0]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, MessagesScreen)
        await palette(pilot, "Messages")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen), what="the palette's messages")
        assert app.caught_errors == []


async def test_the_messages_are_bounded(raw_server, tmp_path):
    app = build_app(one_stream(tmp_path, raw_server.url))
    async with app.run_test(size=(80, 24)) as pilot:
        for n in range(250):
            app.notify(f"note {n}", timeout=0.1)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen))
        await pilot.pause()
        texts = message_texts(app)
        assert len(texts) == 200 and "note 249" in texts[0] and "note 50" in texts[-1]


async def test_a_filter_error_cut_in_the_bar_is_whole_in_the_messages(raw_server, tmp_path):
    app = build_app(one_stream(tmp_path, raw_server.url))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"data.price >")
        await pilot.press("enter")
        await pilot.pause(0.5)
        status = app.events_pane.filter_bar._status
        assert status[1], status
        app.events_pane.log_view.focus()
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen))
        await pilot.pause()
        texts = message_texts(app)
        assert any(status[0] in t and "filter" in t for t in texts), (status, texts)
