"""`Event` is an httpx-sse `ServerSentEvent` that also knows its arrival time and id source."""

from __future__ import annotations

from httpx_sse import ServerSentEvent

from streamdash.core.sse.events import Event


def test_event_is_a_server_sent_event():
    ev = Event("", "data", "5", 100, True, 12.5)
    assert isinstance(ev, ServerSentEvent)
    assert (ev.event, ev.data, ev.id, ev.retry, ev.id_set, ev.received_at) == (
        "message", "data", "5", 100, True, 12.5
    )
    assert ev == ServerSentEvent(event="message", data="data", id="5", retry=100)
    assert ev != Event("message", "other", "5", 100)
    assert repr(ev) == "ServerSentEvent(event='message', data='data', id='5', retry=100)"
    assert not hasattr(ev, "_event")  # stored once, in the tuple
