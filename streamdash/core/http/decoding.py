"""A response body's Content-Encoding undone, or one line saying why it could not be.

httpx decodes gzip and deflate itself, `br` with the brotli package and `zstd` with zstandard
(both dependencies of streamdash, so they decode out of the box and httpx offers them in
Accept-Encoding). What httpx cannot decode it passes through silently as the raw bytes (an
unknown `Content-Encoding: foo`), and a corrupt body raises in the middle of the read, losing
what came before. So `send` reads the raw bytes and decodes them here: a body that cannot be
decoded is kept raw, with a reason the response view, `streamdash run` and the history show
("body is encoded as foo, which streamdash cannot decode; shown raw") in place of garbage and
"response is not JSON".
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import httpx

__all__ = ["DECODABLE", "Decoded", "content_encodings", "decode_body", "hex_dump"]


def _decodable() -> frozenset[str]:
    """The encodings httpx can undo here: it drops br and zstd when their packages are missing
    (the same import test as httpx's own)."""
    names = {"identity", "gzip", "deflate"}
    if importlib.util.find_spec("brotli") or importlib.util.find_spec("brotlicffi"):
        names.add("br")
    if importlib.util.find_spec("zstandard"):
        names.add("zstd")
    return frozenset(names)


DECODABLE = _decodable()
_NEEDS = {"br": "brotli", "zstd": "zstandard"}


@dataclass(frozen=True)
class Decoded:
    body: bytes
    size: int  # bytes of body kept (decoded, or raw when it could not be)
    truncated: bool
    note: str = ""  # why the body is raw; empty when it decoded (or was not encoded)


def content_encodings(headers: Sequence[tuple[str, str]]) -> list[str]:
    """The codings applied to the body, in the order they were applied; `identity` left out."""
    codings: list[str] = []
    for name, value in headers:
        if name.lower() == "content-encoding":
            codings.extend(part.strip().lower() for part in value.split(","))
    return [coding for coding in codings if coding and coding != "identity"]


def decode_body(
    raw: Iterable[bytes], headers: Sequence[tuple[str, str]], limit: int, *, raw_cut: bool = False
) -> Decoded:
    """Undo the body's Content-Encoding (httpx's own decoders), keeping at most `limit` bytes.
    `raw_cut`: the raw bytes were cut short, so a decoder that stops at the cut is no error."""
    chunks = list(raw)
    raw_size = sum(len(chunk) for chunk in chunks)
    codings = content_encodings(headers)
    if not codings or raw_size == 0:
        return Decoded(b"".join(chunks), raw_size, raw_cut)
    unknown = next((coding for coding in codings if coding not in DECODABLE), None)
    if unknown is not None:
        package = _NEEDS.get(unknown)
        why = f" without the {package} package" if package else ""
        note = f"body is encoded as {unknown}, which streamdash cannot decode{why}; shown raw"
        return Decoded(b"".join(chunks), raw_size, raw_cut, note)
    out: list[bytes] = []
    size = 0
    truncated = raw_cut
    encoded = httpx.Response(200, headers=[("Content-Encoding", ", ".join(codings))], content=iter(chunks))
    try:
        for piece in encoded.iter_bytes():
            size += len(piece)
            if size > limit:
                out.append(piece[: len(piece) - (size - limit)])
                size, truncated = limit, True
                break
            out.append(piece)
    except httpx.DecodingError as exc:
        if not (raw_cut and out):  # damaged, not merely cut where the read stopped
            reason = " ".join(str(exc).split()) or type(exc).__name__
            note = f"body is encoded as {', '.join(codings)} but does not decode ({reason}); shown raw"
            return Decoded(b"".join(chunks), raw_size, raw_cut, note)
    finally:
        encoded.close()
    return Decoded(b"".join(out), size, truncated)


def hex_dump(data: bytes, limit: int = 64 * 1024) -> str:
    """Bytes that are not text, as offset, hex and printable ASCII, 16 a line (the first
    `limit`, then how many more)."""
    lines = []
    for offset in range(0, min(len(data), limit), 16):
        row = data[offset : offset + 16]
        hexes = " ".join(f"{byte:02x}" for byte in row)
        text = "".join(chr(byte) if 0x20 <= byte < 0x7F else "." for byte in row)
        lines.append(f"{offset:08x}  {hexes:<47}  |{text}|")
    if len(data) > limit:
        lines.append(f"... {len(data) - limit:,} more bytes")
    return "\n".join(lines)
