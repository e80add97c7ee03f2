from __future__ import annotations

import asyncio
import json

import pytest

from streamdash.core.http.client import make_client
from streamdash.core.sse import Event, SSEStream, StreamOptions
from streamdash.core.sse.assemble import Assembler


def chunk(delta: dict, finish: str | None = None) -> str:
    return json.dumps(
        {"id": "chatcmpl-1", "object": "chat.completion.chunk",
         "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    )


OPENAI = [
    (chunk({"role": "assistant", "content": ""}), 100.2),
    (chunk({"content": "Hel"}), 100.5),
    (chunk({"content": "lo"}), 100.7),
    (chunk({"content": ", "}), 100.9),
    (chunk({"content": "world"}), 101.3),
    (chunk({}, finish="stop"), 101.4),
    ("[DONE]", 101.5),
]


def test_openai_sequence():
    asm = Assembler(started_at=100.0)
    added = [asm.add(Event("message", data, received_at=at)) for data, at in OPENAI]
    assert added == [None, "Hel", "lo", ", ", "world", None, None]
    assert asm.text == "Hello, world"
    assert asm.tokens == 4
    assert asm.first_token_at == 100.5
    assert asm.time_to_first_token == pytest.approx(0.5)
    assert asm.tokens_per_s == pytest.approx(3 / 0.8)
    assert asm.finish_reason == "stop"
    assert asm.done


def test_started_at_defaults_to_first_event():
    asm = Assembler()
    for data, at in OPENAI:
        asm.add(Event("message", data, received_at=at))
    assert asm.started_at == 100.2
    assert asm.time_to_first_token == pytest.approx(0.3)


def test_nothing_yet():
    asm = Assembler()
    assert asm.time_to_first_token is None
    assert asm.tokens_per_s is None
    asm.add(Event("message", chunk({"content": "x"}), received_at=5.0))
    assert asm.time_to_first_token == 0.0
    assert asm.tokens_per_s is None  # one token: no span


@pytest.mark.parametrize("data", ["not json", "", "[DONE] ", "{}", "[1]", '{"choices": []}',
                                  '{"choices": [{"delta": {"content": 5}}]}', "null"])
def test_ignored(data):
    asm = Assembler()
    assert asm.add(Event("message", data, received_at=1.0)) is None
    assert asm.text == ""
    assert asm.tokens == 0


def test_custom_path():
    asm = Assembler(path="message.parts.1")
    assert asm.add(Event("message", '{"message": {"parts": ["a", "b"]}}', received_at=1.0)) == "b"
    assert asm.text == "b"


TOKENS = ["The", " quick", " brown", " fox", "."]


async def test_end_to_end_post_stream(raw_server):
    async def handler(conn):
        request = json.loads(conn.request.body)
        assert request["stream"] is True
        await conn.start(chunked=True)
        for token in TOKENS:
            await conn.send(f"data: {chunk({'content': token})}\n\n".encode(), pause=0.01)
        await conn.send(b"data: [DONE]\n\n")
        await conn.end()

    raw_server.handler = handler
    messages = [{"role": "user", "content": "hi"}]
    body = json.dumps({"model": "m", "stream": True, "messages": messages})
    asm = Assembler()
    async with make_client() as client:
        stream = SSEStream(
            client,
            raw_server.url + "/v1/chat/completions",
            StreamOptions(method="POST", body=body.encode(), reconnect=False,
                          headers=[("Content-Type", "application/json")]),
        )

        async def run() -> None:
            async with stream:
                async for item in stream:
                    if isinstance(item, Event):
                        asm.add(item)

        await asyncio.wait_for(run(), 10)
    assert raw_server.requests[0].method == "POST"
    assert asm.text == "The quick brown fox."
    assert asm.tokens == 5
    assert asm.done
    assert asm.time_to_first_token is not None and asm.time_to_first_token >= 0
    assert asm.tokens_per_s is not None and asm.tokens_per_s > 0
