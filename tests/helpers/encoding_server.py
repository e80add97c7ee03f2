"""A small ASGI app under uvicorn on 127.0.0.1 that answers one JSON document in every
Content-Encoding a client meets: gzip, br, zstd, a made-up `foo`, and a br body that is not
brotli at all. Compressed here with the same packages httpx decodes with (any server's
brotli or zstd output is the standard format)."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import threading
import time

import brotli
import uvicorn
import zstandard
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DOCUMENT = {"encoded": True, "items": list(range(50)), "note": "héllo"}
PLAIN = json.dumps(DOCUMENT).encode("utf-8")
BOGUS = b"\x8f\x00\xffnot-decodable\x01\x02" * 4  # bytes sent as `Content-Encoding: foo`

BODIES = {
    "gzip": ("gzip", gzip.compress(PLAIN)),
    "br": ("br", brotli.compress(PLAIN)),
    "zstd": ("zstd", zstandard.ZstdCompressor().compress(PLAIN)),
    "foo": ("foo", BOGUS),
    "corrupt-br": ("br", b"this is not brotli" * 3),
    "gzip-foo": ("gzip, foo", gzip.compress(PLAIN)),  # foo on top of gzip: nothing decodes
}


async def encoded(request: Request) -> Response:
    coding, body = BODIES[request.path_params["name"]]
    return Response(body, headers={"Content-Encoding": coding}, media_type="application/json")


async def plain(request: Request) -> Response:
    return Response(PLAIN, media_type="application/json")


def make_app() -> Starlette:
    return Starlette(routes=[Route("/plain", plain), Route("/encoded/{name}", encoded)])


class EncodingServer:
    """The app on its own thread, on a pre-bound free port."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        config = uvicorn.Config(make_app(), log_level="warning", lifespan="off", http="h11",
                                ws="none", access_log=False, log_config=None, timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=lambda: asyncio.run(self._server.serve(sockets=[self._sock])),
                                        daemon=True)

    def start(self) -> EncodingServer:
        self._thread.start()
        deadline = time.monotonic() + 5
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("encoding test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(2)
        self._sock.close()

    def __enter__(self) -> EncodingServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
