"""Content-Encoding on the REST side (issue 12 item 2): gzip, br and zstd decode out of the box;
a body that cannot be decoded is kept raw with one line that says why, never garbage plus
"response is not JSON". Against a real ASGI server under uvicorn, through the executor (the path
the app, `streamdash run` and the history share)."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest

from streamdash.core.collections import SavedRequest
from streamdash.core.history import History
from streamdash.core.http.decoding import DECODABLE, content_encodings, decode_body, hex_dump
from streamdash.core.http.execute import Executor
from streamdash.core.http.transport import ClientPool
from streamdash.core.run import run_step
from tests.helpers.encoding_server import BODIES, BOGUS, DOCUMENT, PLAIN, EncodingServer


@pytest.fixture(scope="module")
def server():
    with EncodingServer() as running:
        yield running


@pytest.fixture
async def executor(tmp_path):
    ex = Executor(ClientPool(), history=History(tmp_path / "state"), collection_root=tmp_path)
    yield ex
    await ex.aclose()


def request(name: str) -> SavedRequest:
    return SavedRequest(name=name, url="{{base_url}}/encoded/" + name)


@pytest.mark.parametrize("name", ["gzip", "br", "zstd"])
async def test_compressed_answers_decode_out_of_the_box(server, executor, name):
    execution = await executor.run(request(name), {"base_url": server.url}, name)
    summary = execution.summary
    assert (summary.status, summary.error, summary.body_note) == (200, None, "")
    assert summary.body == PLAIN and summary.size == len(PLAIN)
    assert json.loads(summary.pretty_text()) == DOCUMENT
    assert ("content-encoding", name) in [(k.lower(), v) for k, v in summary.headers]


async def test_the_client_offers_what_it_can_decode(server, executor):
    """Accept-Encoding (httpx's, from the packages it finds) and what we decode agree."""
    client = executor.pool.get()
    offered = {part.strip() for part in client.headers["accept-encoding"].split(",")}
    assert offered | {"identity"} == DECODABLE
    assert {"gzip", "deflate", "br", "zstd"} <= offered


async def test_an_unknown_encoding_is_shown_raw_with_its_reason(server, executor, tmp_path):
    execution = await executor.run(request("foo"), {"base_url": server.url}, "foo")
    summary = execution.summary
    assert (summary.status, summary.error) == (200, None)
    assert summary.body_note == "body is encoded as foo, which streamdash cannot decode; shown raw"
    assert summary.body == BOGUS and summary.size == len(BOGUS)
    # Not text: a hex dump, not replacement characters.
    assert summary.pretty_text() == hex_dump(BOGUS) and "\ufffd" not in summary.pretty_text()
    assert summary.pretty_text().startswith("00000000  8f 00 ff 6e 6f 74")
    (entry,) = executor.history.entries()
    assert entry.body_note == summary.body_note and entry.status == 200


async def test_a_corrupt_body_is_a_reason_not_a_failed_request(server, executor):
    """httpx raised DecodingError mid-read: the request looked failed and the bytes were gone."""
    summary = (await executor.run(request("corrupt-br"), {"base_url": server.url})).summary
    assert (summary.status, summary.error) == (200, None)
    assert summary.body_note.startswith("body is encoded as br but does not decode (")
    assert summary.body_note.endswith("); shown raw") and "\n" not in summary.body_note
    assert summary.body == b"this is not brotli" * 3
    assert summary.pretty_text() == "this is not brotli" * 3  # raw, and text: shown as text


async def test_an_unknown_coding_on_top_of_a_known_one_decodes_nothing(server, executor):
    summary = (await executor.run(request("gzip-foo"), {"base_url": server.url})).summary
    assert summary.body_note == "body is encoded as foo, which streamdash cannot decode; shown raw"
    assert summary.body == BODIES["gzip-foo"][1]  # as sent: gzip was not undone either


@pytest.mark.parametrize(
    ("name", "passed", "reason"),
    [
        ("br", True, ""),
        ("zstd", True, ""),
        ("foo", False, "json encoded == true: body is encoded as foo, which streamdash cannot decode; shown raw"),
    ],
)
async def test_run_checks_see_the_decoded_body_or_the_reason(server, executor, name, passed, reason):
    req = SavedRequest(name=name, url="{{base_url}}/encoded/" + name,
                       extra={"check": [{"json": "encoded", "equals": True}]})
    step = await run_step(executor, req, {"base_url": server.url})
    assert (step.status, step.passed, step.reason()) == (200, passed, reason)
    assert "not JSON" not in step.reason()
    if not passed:
        assert step.note == "body is encoded as foo, which streamdash cannot decode; shown raw"


def test_content_encodings_in_the_order_applied():
    headers = [("Content-Type", "x"), ("Content-Encoding", "gzip, identity"), ("content-encoding", " BR ")]
    assert content_encodings(headers) == ["gzip", "br"]
    assert content_encodings([("Content-Encoding", "identity")]) == []


def test_decoding_keeps_at_most_the_limit():
    chunks = [gzip.compress(b"a" * 10_000)]
    decoded = decode_body(chunks, [("Content-Encoding", "gzip")], 1000)
    assert (decoded.body, decoded.size, decoded.truncated, decoded.note) == (b"a" * 1000, 1000, True, "")


def test_a_body_cut_by_the_cap_decodes_what_it_has():
    """The read stopped at the cap: a brotli stream ending there is cut, not damaged."""
    import brotli

    whole = brotli.compress(bytes(range(256)) * 400, quality=1)
    cut = decode_body([whole[: len(whole) // 2]], [("Content-Encoding", "br")], 10**7, raw_cut=True)
    assert cut.note == "" and cut.truncated and 0 < cut.size < 256 * 400


def test_an_empty_body_with_an_encoding_is_empty():
    decoded = decode_body([], [("Content-Encoding", "br")], 1000)
    assert (decoded.body, decoded.note) == (b"", "")


def test_a_missing_package_is_named(monkeypatch):
    from streamdash.core.http import decoding

    monkeypatch.setattr(decoding, "DECODABLE", frozenset({"identity", "gzip", "deflate"}))
    decoded = decoding.decode_body([b"\x1b"], [("Content-Encoding", "zstd")], 1000)
    assert decoded.note == (
        "body is encoded as zstd, which streamdash cannot decode without the zstandard package; shown raw"
    )


def test_hex_dump_rows_and_the_rest():
    assert hex_dump(b"AB\x00") == "00000000  41 42 00" + " " * 39 + "  |AB.|"
    dump = hex_dump(bytes(100), limit=32)
    assert dump.splitlines()[-1] == "... 68 more bytes" and len(dump.splitlines()) == 3


def test_httpx_still_decodes_brotli_itself():
    """The packages are dependencies: httpx finds one, so `br` is never passed through raw."""
    import brotli

    response = httpx.Response(200, headers={"Content-Encoding": "br"}, content=brotli.compress(b"ok"))
    assert response.content == b"ok"
