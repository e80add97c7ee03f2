"""Incremental event-stream parser: bytes in, events out, linear in the bytes.

We own this instead of using httpx-sse's `SSELineDecoder`/`SSEDecoder` because those measurably
break the WHATWG rules (see ../shared/design/sse-client-rules.md): phantom events for `event:`-,
`retry:`- and comment-only blocks, the BOM kept, CR-ended lines held back a whole chunk, `charset=`
honoured, bogus `retry` values accepted. Rule numbers below refer to that file.
"""

from __future__ import annotations

import codecs
import enum
import sys
from collections.abc import Sequence

from httpx_sse import SSEError

from streamdash.core.sse.events import Event, Heartbeat, SkippedEvent
from streamdash.core.text import escape_controls

DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024  # rule 34: real APIs send 5 MB events

_BOM = codecs.BOM_UTF8
_new_event = tuple.__new__


class OversizePolicy(enum.StrEnum):
    """Rule 34: what an event over the cap does. `fail` (the default, and `tail`'s contract)
    fails the stream for good; `skip` discards the event, reports it once and reads on."""

    FAIL = "fail"
    SKIP = "skip"


def format_size(n: int) -> str:
    """`16 MiB`, `64 KiB`, `1,000 bytes`: a cap as a person sets it."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n:,} bytes"


def describe_skip(skipped: SkippedEvent) -> str:
    """Rule 34 under `skip`: one line per discarded event, with its size and id (tail's stderr
    and the dashboard's log say the same)."""
    shown = escape_controls(skipped.id)
    if len(shown) > 64:
        shown = shown[:64] + "\u2026"
    which = f" (id {shown})" if shown else ""
    return (
        f"skipped an event of {skipped.size:,} bytes{which}: over the "
        f"{format_size(skipped.limit)} cap (max_event_bytes)"
    )


class EventTooLarge(SSEError):
    """An event passed `max_event_bytes` under the `fail` policy (rule 34).

    `items` holds what the same chunk completed before the cap was passed: those events were
    whole and are delivered, never dropped with the chunk."""

    def __init__(
        self, limit: int, event_id: str = "", items: Sequence[Event | Heartbeat | SkippedEvent] = ()
    ) -> None:
        which = f" (id {event_id})" if event_id else ""
        super().__init__(
            f"an event{which} passed the {format_size(limit)} cap (max_event_bytes): raise it "
            "with --max-event-bytes N or [stream] max_event_bytes = N (0 = no cap), or skip "
            'such events with --oversize skip or [stream] oversize = "skip"'
        )
        self.limit = limit
        self.event_id = event_id
        self.items = list(items)


def _byte_len(line: str) -> int:
    return len(line) if line.isascii() else len(line.encode("utf-8"))


class SSEParser:
    """Feed it chunks as they arrive; it returns the events and heartbeats each chunk completed.

    `last_event_id` seeds the parser from the previous connection (rule 32). After every `feed`,
    `last_event_id` and `retry` hold the stream's current resume point and reconnection delay.

    Rule 34: an event's size is the bytes of all its lines (data, id, event, comments, unknown
    fields; line ends not counted), so whether the cap is passed depends on the bytes alone,
    never on how they were chunked. Under `skip` an event over the cap becomes one
    `SkippedEvent` at its end; its lines from the cap on are counted, never kept or read.
    """

    __slots__ = (
        "last_event_id",
        "retry",
        "_bom",
        "_at_start",
        "_pending",
        "_pending_len",
        "_skip_lf",
        "_data",
        "_size",
        "_limit",
        "_skip",
        "_skipping",
        "_continued",
        "_decoder",
        "_failed",
        "_type",
        "_id_buffer",
        "_id_set",
        "_block_retry",
    )

    def __init__(
        self,
        last_event_id: str = "",
        max_event_bytes: int | None = DEFAULT_MAX_EVENT_BYTES,
        oversize: OversizePolicy | str = OversizePolicy.FAIL,
    ) -> None:
        self.last_event_id = last_event_id
        self.retry: int | None = None
        self._bom = b""  # the first bytes, while they may still be a split BOM
        self._at_start = True
        # With no cap the comparisons below still run, against a bound no stream reaches.
        self._limit = sys.maxsize // 2 if max_event_bytes is None else max_event_bytes
        self._skip = OversizePolicy(oversize) is OversizePolicy.SKIP
        self._pending: list[bytes] = []  # pieces of the unfinished line, joined once it ends
        self._pending_len = 0
        self._skip_lf = False  # the last chunk ended in CR: an LF starting the next one is its pair
        self._data: list[str] = []
        self._size = 0  # bytes of the current block's complete lines
        self._skipping = False  # the current block passed the cap under `skip`: discard to its end
        self._continued = False  # ... and the next line end closes a line whose bytes were dropped
        # While skipping, dropped bytes are still decoded (not kept) so the reported size is the
        # same UTF-8 count a whole reading gives, whatever the chunking.
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._failed: EventTooLarge | None = None
        self._type = ""
        self._id_buffer = last_event_id
        self._id_set = False
        self._block_retry: int | None = None

    def feed(self, chunk: bytes, received_at: float = 0.0) -> list[Event | Heartbeat | SkippedEvent]:
        """Parse one chunk. Raises `EventTooLarge` (with the chunk's earlier events in `items`)
        under the `fail` policy; the parser stays failed after that."""
        if self._failed is not None:
            raise self._failed
        if not chunk:
            return []
        if self._at_start:
            chunk = self._bom + chunk
            if len(chunk) < 3 and _BOM.startswith(chunk):
                self._bom = chunk  # rule 2: a BOM may still be arriving byte by byte
                return []
            self._at_start = False
            self._bom = b""
            if chunk.startswith(_BOM):
                chunk = chunk[3:]
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":  # rule 5: CR | LF across chunks is one line end
                chunk = chunk[1:]
        # CR and LF are single bytes in UTF-8 and never part of a longer character, so lines can
        # be found in the bytes: an unfinished line waits as bytes (a character split across
        # chunks decodes whole, rule 3) and complete lines decode in one call.
        end = chunk.rfind(b"\n")
        cr = chunk.rfind(b"\r")
        if cr > end:
            end = cr
        if end < 0:  # the middle of a line: keep it (inline, the common case of a long line)
            if chunk:
                if self._skipping:
                    self._unfinished(chunk, [])
                    return []
                self._pending.append(chunk)
                self._pending_len += len(chunk)
                if self._size + self._pending_len > self._limit:
                    self._passed_mid_line([])
            return []
        end += 1
        rest = chunk[end:]
        pending = self._pending
        if pending:
            pending.append(chunk[:end])
            head = b"".join(pending)
            pending.clear()
        else:
            head = chunk[:end] if rest else chunk
        self._pending_len = 0
        # Rules 1 and 3: UTF-8 whatever the Content-Type's charset says; bad bytes become U+FFFD.
        # While skipping, the head may continue a dropped line: decode on from its bytes.
        text = self._decoder.decode(head) if self._skipping else head.decode("utf-8", "replace")
        if "\r" in text:
            # Rule 6: a CR ends its line now; remember it so a following LF is not a second end.
            self._skip_lf = not rest and text[-1] == "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        # Rule 4: only CR, LF and CRLF end lines (str.splitlines would also split on U+2028 etc.).
        lines = text.split("\n")
        lines.pop()  # the text ends with a line end: the piece after it is empty
        out = self._lines(lines, received_at, text.isascii())
        if rest:
            self._unfinished(rest, out)
        return out

    def _unfinished(self, piece: bytes, out: list[Event | Heartbeat | SkippedEvent]) -> None:
        """The start (or more) of a line that has not ended yet. Rule 34: memory never grows
        with one line, so the cap is checked on it before its end arrives."""
        if self._skipping:
            self._size += self._count(piece)  # counted, never kept
            self._continued = True
            return
        self._pending.append(piece)
        self._pending_len += len(piece)
        if self._size + self._pending_len > self._limit:
            self._passed_mid_line(out)

    def _passed_mid_line(self, out: list[Event | Heartbeat | SkippedEvent]) -> None:
        """The unfinished line took the block over the cap. Raw bytes never outnumber the
        decoded line's UTF-8 bytes (a bad byte becomes a 3-byte U+FFFD), so this fires only
        where the whole line would."""
        self._over(out)
        self._decoder.reset()
        self._size += sum(self._count(p) for p in self._pending)
        self._pending.clear()
        self._pending_len = 0
        self._continued = True

    def _count(self, piece: bytes) -> int:
        text = self._decoder.decode(piece)
        return len(text) if text.isascii() else len(text.encode("utf-8"))

    def _over(self, out: list[Event | Heartbeat | SkippedEvent]) -> None:
        """The current block passed the cap: fail (raise), or start discarding it."""
        if not self._skip:
            self._failed = EventTooLarge(self._limit, self._id_buffer if self._id_set else "", out)
            raise self._failed
        self._skipping = True
        self._data = []

    def _lines(
        self, lines: list[str], received_at: float, ascii: bool
    ) -> list[Event | Heartbeat | SkippedEvent]:
        # Hot loop: buffers live in locals and are written back once at the end.
        out: list[Event | Heartbeat | SkippedEvent] = []
        append = out.append
        data = self._data
        size = self._size
        etype = self._type
        id_buffer = self._id_buffer
        id_set = self._id_set
        block_retry = self._block_retry
        last_id = self.last_event_id
        limit = self._limit
        it = iter(lines)
        skipping = self._skipping
        if skipping:
            if self._continued:  # the first line is the rest of a line whose start was dropped
                self._continued = False
                size += _byte_len(next(it))
            for line in it:
                if not line:
                    break
                size += _byte_len(line)
            else:
                self._size = size
                return out
            skipping = False
            self._decoder.reset()
            last_id = id_buffer  # rule 16, as for any block's end
            append(SkippedEvent(size, last_id, limit, received_at))
            size = 0
            data = []
            etype = ""
            id_set = False
            block_retry = None
        for line in it:
            if not line:  # rule 8: a blank line dispatches
                last_id = id_buffer  # rule 16: even when nothing fires
                if data:  # rule 17: no data, no event
                    text = "\n".join(data)  # rules 13 and 18: LF-joined, one trailing LF off
                    append(
                        _new_event(
                            Event,
                            (etype or "message", text, last_id, block_retry, id_set, received_at),
                        )
                    )
                    data = []
                size = 0
                etype = ""  # rule 21: rules 19 and 21 keep a type from leaking into the next block
                id_set = False
                block_retry = None
                continue
            # Rule 34: every line counts, in UTF-8 bytes.
            size += len(line) if ascii or line.isascii() else len(line.encode("utf-8"))
            if size > limit:
                self._write_back(data, size, etype, id_buffer, id_set, block_retry, last_id)
                self._over(out)  # raises under `fail`
                data = []
                for line in it:  # `skip`: discard the rest of the block, counting it
                    if not line:
                        break
                    size += _byte_len(line)
                else:
                    skipping = True
                    self._decoder.reset()  # what follows starts a line: decode it afresh
                    break
                last_id = id_buffer
                append(SkippedEvent(size, last_id, limit, received_at))
                size = 0
                etype = ""
                id_set = False
                block_retry = None
                self._skipping = False
                continue
            # Rule 11: no colon means the whole line is the name and the value is empty.
            name, _, value = line.partition(":")
            if not name:  # rule 9: a comment
                append(Heartbeat(value, received_at))
                continue
            if value and value[0] == " ":  # rule 10: exactly one leading space goes
                value = value[1:]
            # Rule 12: exact, case-sensitive names; anything else is ignored.
            if name == "data":
                data.append(value)
            elif name == "event":
                etype = value
            elif name == "id":
                if "\0" not in value:  # rule 14
                    id_buffer = value
                    id_set = True
            elif name == "retry" and value.isascii() and value.isdigit():  # rule 15: ASCII digits only
                self.retry = block_retry = int(value)
        self._write_back(data, size, etype, id_buffer, id_set, block_retry, last_id)
        self._skipping = skipping
        return out

    def _write_back(
        self,
        data: list[str],
        size: int,
        etype: str,
        id_buffer: str,
        id_set: bool,
        block_retry: int | None,
        last_id: str,
    ) -> None:
        self._data = data
        self._size = size
        self._type = etype
        self._id_buffer = id_buffer
        self._id_set = id_set
        self._block_retry = block_retry
        self.last_event_id = last_id

    def close(self) -> None:
        """The stream ended. An unfinished block is dropped with its `id` (rule 22)."""
        self._pending.clear()
        self._pending_len = 0
        self._data = []
        self._size = 0
        self._skipping = False
        self._continued = False
        self._decoder.reset()
        self._type = ""
        self._id_buffer = self.last_event_id
        self._id_set = False
        self._block_retry = None
