"""Rule 31 (reconnect delay) and Retry-After parsing."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from streamdash.core.sse.backoff import MAX_RETRY_AFTER, MIN_DELAY, Backoff, parse_retry_after


def delays(backoff: Backoff, n: int, connected_for: float | None = None) -> list[float]:
    return [backoff.next_delay(connected_for) for _ in range(n)]


def test_rule31_doubles_from_the_base_and_caps_at_30s():
    backoff = Backoff(base=1.0, rng=lambda: 0.0)
    assert delays(backoff, 7) == [1, 2, 4, 8, 16, 30, 30]


def test_rule31_jitter_subtracts_up_to_half():
    assert Backoff(base=8.0, rng=lambda: 1.0).next_delay() == 4.0
    assert Backoff(base=8.0, rng=lambda: 0.5).next_delay() == 6.0
    for _ in range(200):  # the real random source stays within [half, whole]
        assert 4.0 <= Backoff(base=8.0).next_delay() <= 8.0


def test_rule31_resets_after_a_connection_stayed_up_60s():
    backoff = Backoff(base=1.0, rng=lambda: 0.0)
    delays(backoff, 4)
    assert backoff.next_delay(connected_for=59.0) == 16.0  # short-lived: keeps doubling
    assert backoff.next_delay(connected_for=60.0) == 1.0  # stayed up: back to the base
    assert backoff.next_delay() == 2.0


def test_rule31_server_retry_zero_is_honoured_once_then_floored():
    backoff = Backoff(base=0.0, rng=lambda: 0.0)
    assert delays(backoff, 3) == [0.0, MIN_DELAY * 2, MIN_DELAY * 4]


@pytest.mark.parametrize(
    "value,expected",
    [("3", 3.0), (" 120 ", 120.0), ("0", 0.0), ("99999999", MAX_RETRY_AFTER), ("-1", None),
     ("1.5", None), ("soon", None), ("", None), (None, None)],
)
def test_retry_after_seconds(value, expected):
    assert parse_retry_after(value) == expected


def test_retry_after_http_date():
    now = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC).timestamp()
    later = format_datetime(datetime(2026, 11, 24, 12, 0, 42, tzinfo=UTC), usegmt=True)
    earlier = format_datetime(datetime(2026, 11, 24, 11, 0, 0, tzinfo=UTC), usegmt=True)
    assert parse_retry_after(later, now=now) == 42.0
    assert parse_retry_after(earlier, now=now) == 0.0


def test_rule31_a_connection_that_delivered_new_events_resets_to_the_base():
    backoff = Backoff(base=1.0, rng=lambda: 0.0)
    assert delays(backoff, 4) == [1, 2, 4, 8]  # four connections that delivered nothing
    assert backoff.next_delay(connected_for=0.5, progressed=True) == 1.0  # it delivered: base
    assert backoff.next_delay(connected_for=0.5) == 2.0  # then nothing new: doubling again


def test_rule31_a_server_that_drops_after_every_few_events_never_pushes_past_the_base():
    backoff = Backoff(base=0.01, rng=lambda: 0.0)
    assert {backoff.next_delay(connected_for=0.05, progressed=True) for _ in range(40)} == {0.01}


def test_rule31_retry_zero_floor_holds_after_a_reset():
    backoff = Backoff(base=0.0, rng=lambda: 0.0)
    assert backoff.next_delay() == 0.0  # honoured once
    # Later resets start from the floor, so a server that sends `retry: 0` and one event per
    # connection cannot make the client reconnect in a tight loop.
    assert backoff.next_delay(progressed=True) == MIN_DELAY
    assert backoff.next_delay(connected_for=61.0) == MIN_DELAY
    assert backoff.next_delay() == MIN_DELAY * 2
