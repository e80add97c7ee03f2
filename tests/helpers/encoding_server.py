"""A small ASGI app under uvicorn on 127.0.0.1 that answers one JSON document in every
Content-Encoding a client meets: gzip, br, zstd, a made-up `foo`, and a br body that is not
brotli at all. Compressed here with the same packages httpx decodes with (any server's
brotli or zstd output is the standard format)."""

from __future__ import annotations

import gzip
import json

import brotli
import zstandard
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.helpers.threaded_app import ThreadedApp

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


class EncodingServer(ThreadedApp):
    """The app on its own thread, on a pre-bound free port."""

    what = "encoding test server"

    def __init__(self) -> None:
        super().__init__(make_app())
