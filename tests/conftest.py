from __future__ import annotations

import pytest

from tests.helpers.raw_server import RawServer


@pytest.fixture
def raw_server():
    """A scripted server; set `.handler` to an async function of one `Conn`."""
    server = RawServer().start()
    try:
        yield server
    finally:
        server.stop()
