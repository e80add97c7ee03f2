"""TLS settings per collection and the client pool, against a real TLS server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

from streamdash.core.http.send import send
from streamdash.core.http.transport import (
    ClientPool,
    TransportError,
    TransportSettings,
    parse_transport,
    plain_http_warning,
)


def make_cert(folder: Path, name: str) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.fail("openssl is required to make test certificates (.ci/run installs it)")
    cert, key = folder / f"{name}.pem", folder / f"{name}-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", f"/CN={name}",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("certs")
    return {"server": make_cert(folder, "server"), "client": make_cert(folder, "client"), "folder": folder}


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await reader.readuntil(b"\r\n\r\n")
        peer = writer.get_extra_info("peercert")
        body = b"client-cert" if peer else b"ok"
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        await writer.drain()
    except (ssl.SSLError, ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def tls_server(certs, *, require_client_cert: bool = False):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certs["server"]))
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(str(certs["client"][0]))
    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    return server, f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/"


async def test_verification_on_by_default_off_by_switch_or_own_ca(certs):
    server, url = await tls_server(certs)
    pool = ClientPool()
    try:
        async with server:
            refused = await send(pool.get(), "GET", url)
            assert refused.status is None and refused.error.startswith("TLS certificate verification failed")
            insecure = await send(pool.get(TransportSettings(verify=False)), "GET", url)
            assert (insecure.status, insecure.body) == (200, b"ok")
            own_ca = await send(pool.get(TransportSettings(ca_bundle=certs["server"][0])), "GET", url)
            assert own_ca.status == 200
    finally:
        await pool.aclose()


async def test_client_certificate(certs):
    server, url = await tls_server(certs, require_client_cert=True)
    pool = ClientPool()
    ca = certs["server"][0]
    try:
        async with server:
            without = await send(pool.get(TransportSettings(ca_bundle=ca)), "GET", url)
            assert without.status is None
            cert, key = certs["client"]
            with_cert = await send(pool.get(TransportSettings(ca_bundle=ca, client_cert=cert, client_key=key)), "GET", url)
            assert (with_cert.status, with_cert.body) == (200, b"client-cert")
    finally:
        await pool.aclose()


async def test_pool_makes_one_client_per_distinct_setting():
    pool = ClientPool()
    a, b = pool.get(), pool.get(TransportSettings())
    c = pool.get(TransportSettings(verify=False))
    assert a is b and a is not c and len(pool) == 2
    await pool.aclose()
    assert a.is_closed and c.is_closed and len(pool) == 0


def test_parse_transport_paths_are_relative_to_the_collection(certs):
    root = certs["folder"]
    settings = parse_transport({"verify": True, "ca_bundle": "server.pem"}, root, "collection.toml")
    assert settings.ca_bundle == root / "server.pem"


@pytest.mark.parametrize(
    "table,needle",
    [({"verfy": False}, "unknown [transport] key 'verfy'"), ({"verify": "no"}, "verify must be true or false"),
     ({"ca_bundle": "missing.pem"}, "no such file"), ({"client_key": "server-key.pem"}, "client_key without client_cert"),
     ({"ca_bundle": 3}, "must be a file path")],
)
def test_bad_transport_tables_say_why(certs, table, needle):
    with pytest.raises(TransportError, match=None) as info:
        parse_transport(table, certs["folder"], "collection.toml")
    assert needle in str(info.value) and str(info.value).startswith("collection.toml")


def test_http2_without_the_extra_names_it(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "h2" else real(name, *a))
    with pytest.raises(TransportError, match=r"streamdash\[http2\]"):
        TransportSettings(http2=True).client_options()


@pytest.fixture
def http2_demo(certs):
    """The demo API under hypercorn, over TLS with ALPN offering h2: a real HTTP/2 server."""
    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    from streamdash.demo.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    config = Config()
    config.bind = [f"fd://{sock.detach()}"]  # hypercorn owns (and closes) the socket from here
    config.certfile, config.keyfile = map(str, certs["server"])
    config.alpn_protocols = ["h2", "http/1.1"]
    config.accesslog = config.errorlog = None
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    app = create_app(seed=3, time_scale=0.05)
    thread = threading.Thread(
        target=loop.run_until_complete, args=(serve(app, config, shutdown_trigger=stop.wait),), daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while True:  # until the TLS handshake answers
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)


async def test_http2_rest_and_a_stream(certs, http2_demo):
    from streamdash.core.sse import Event, SSEStream, StreamOptions

    settings = TransportSettings(ca_bundle=certs["server"][0], http2=True)
    pool = ClientPool()
    client = pool.get(settings)
    try:
        response = await client.get(f"{http2_demo}/api/health")
        assert response.status_code == 200 and response.http_version == "HTTP/2"
        summary = await send(client, "GET", f"{http2_demo}/api/items?per_page=2")
        assert summary.status == 200 and summary.http_version == "HTTP/2"
        stream = SSEStream(client, f"{http2_demo}/streams/ticker?limit=3", StreamOptions(reconnect=False))
        async with stream:
            events = [item async for item in stream if type(item) is Event]
        assert [event.id for event in events] == ["1", "2", "3"]
    finally:
        await pool.aclose()


@pytest.mark.parametrize(
    "url,warns",
    [("http://example.com/x", True), ("http://10.0.0.5:8080/", True), ("https://example.com/", False),
     ("http://127.0.0.1:8000/", False), ("http://localhost/", False), ("http://[::1]:9/", False),
     ("http://api.localhost/", False)],
)
def test_plain_http_warning(url, warns):
    warning = plain_http_warning(url)
    assert (warning is not None) is warns
    if warns:
        assert "unencrypted" in warning
