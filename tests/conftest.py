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


@pytest.fixture(scope="module")
def auth_server():
    """tests/core/http/auth_app.py under uvicorn: basic, digest (auth and auth-int), bearer and
    OAuth2 client credentials, for every test that needs a server that checks credentials."""
    from tests.core.http.auth_app import AuthServer

    server = AuthServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def httpbin():
    """httpbin (the real one, from PyPI) on 127.0.0.1: the reference server of the REST tests."""
    from tests.helpers.httpbin_server import HttpbinServer

    with HttpbinServer() as server:
        yield server
