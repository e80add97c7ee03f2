"""Incremental event-stream parser: bytes in, events out, linear in the bytes.

We own this instead of using httpx-sse's `SSELineDecoder`/`SSEDecoder` because those measurably
break the WHATWG rules (see ../shared/design/sse-client-rules.md): phantom events for `event:`-,
`retry:`- and comment-only blocks, the BOM kept, CR-ended lines held back a whole chunk, `charset=`
honoured, bogus `retry` values accepted. Rule numbers below refer to that file.
"""

from __future__ import annotations

import codecs
import sys

from httpx_sse import SSEError

from streamdash.core.sse.events import Event, Heartbeat

DEFAULT_MAX_EVENT_BYTES = 1024 * 1024

# Room for a field name on top of the data cap before an unfinished line counts as hostile.
_LINE_SLACK = 1024

_BOM = codecs.BOM_UTF8
_new_event = tuple.__new__


class EventTooLarge(SSEError):
    """An event's data (or one unfinished line) went over `max_event_bytes` (rule 34)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"event larger than max_event_bytes ({limit} bytes)")
        self.limit = limit


class SSEParser:
    """Feed it chunks as they arrive; it returns the events and heartbeats each chunk completed.

    `last_event_id` seeds the parser from the previous connection (rule 32). After every `feed`,
    `last_event_id` and `retry` hold the stream's current resume point and reconnection delay.
    """

    __slots__ = (
        "last_event_id",
        "retry",
        "_bom",
        "_at_start",
        "_max_line",
        "_pending",
        "_pending_len",
        "_skip_lf",
        "_data",
        "_data_chars",
        "_limit",
        "_exact_from",
        "_type",
        "_id_buffer",
        "_id_set",
        "_block_retry",
    )

    def __init__(
        self, last_event_id: str = "", max_event_bytes: int | None = DEFAULT_MAX_EVENT_BYTES
    ) -> None:
        self.last_event_id = last_event_id
        self.retry: int | None = None
        self._bom = b""  # the first bytes, while they may still be a split BOM
        self._at_start = True
        # With no cap the comparisons below still run, against a bound no stream reaches.
        self._limit = sys.maxsize // 2 if max_event_bytes is None else max_event_bytes
        self._max_line = self._limit + _LINE_SLACK
        self._exact_from = self._limit // 4  # fewer characters than this fit the cap in any encoding
        self._pending: list[bytes] = []  # pieces of the unfinished line, joined once it ends
        self._pending_len = 0
        self._skip_lf = False  # the last chunk ended in CR: an LF starting the next one is its pair
        self._data: list[str] = []
        self._data_chars = 0
        self._type = ""
        self._id_buffer = last_event_id
        self._id_set = False
        self._block_retry: int | None = None

    def feed(self, chunk: bytes, received_at: float = 0.0) -> list[Event | Heartbeat]:
        """Parse one chunk. Raises `EventTooLarge`; the parser is unusable after that."""
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
        pending = self._pending
        if end < 0:  # the middle of a line: just keep it
            if chunk:
                pending.append(chunk)
                self._pending_len += len(chunk)
                if self._pending_len > self._max_line:
                    raise EventTooLarge(self._limit)  # rule 34: memory never grows with one line
            return []
        end += 1
        rest = chunk[end:]
        if pending:
            pending.append(chunk[:end])
            head = b"".join(pending)
            pending.clear()
        else:
            head = chunk[:end] if rest else chunk
        # Rules 1 and 3: UTF-8 whatever the Content-Type's charset says; bad bytes become U+FFFD.
        text = head.decode("utf-8", "replace")
        if "\r" in text:
            # Rule 6: a CR ends its line now; remember it so a following LF is not a second end.
            self._skip_lf = not rest and text[-1] == "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        # Rule 4: only CR, LF and CRLF end lines (str.splitlines would also split on U+2028 etc.).
        lines = text.split("\n")
        lines.pop()  # the text ends with a line end: the piece after it is empty
        self._pending_len = len(rest)
        if rest:
            pending.append(rest)
            if self._pending_len > self._max_line:
                raise EventTooLarge(self._limit)
        return self._lines(lines, received_at)

    def _lines(self, lines: list[str], received_at: float) -> list[Event | Heartbeat]:
        # Hot loop: buffers live in locals and are written back once at the end.
        out: list[Event | Heartbeat] = []
        append = out.append
        data = self._data
        data_chars = self._data_chars
        etype = self._type
        id_buffer = self._id_buffer
        id_set = self._id_set
        block_retry = self._block_retry
        last_id = self.last_event_id
        limit = self._limit
        for line in lines:
            if not line:  # rule 8: a blank line dispatches
                last_id = id_buffer  # rule 16: even when nothing fires
                if data:  # rule 17: no data, no event
                    text = "\n".join(data)  # rules 13 and 18: LF-joined, one trailing LF off
                    # Characters never outnumber bytes, so only a long event can be over the cap.
                    if (
                        data_chars > self._exact_from
                        and not text.isascii()
                        and len(text.encode("utf-8", "replace")) > limit
                    ):
                        raise EventTooLarge(limit)
                    append(
                        _new_event(
                            Event,
                            (etype or "message", text, last_id, block_retry, id_set, received_at),
                        )
                    )
                    data = []
                    data_chars = 0
                etype = ""  # rule 21: rules 19 and 21 keep a type from leaking into the next block
                id_set = False
                block_retry = None
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
                data_chars += len(value) + 1
                if data_chars > limit + 1:  # rule 34: over the cap however it is encoded
                    raise EventTooLarge(limit)
            elif name == "event":
                etype = value
            elif name == "id":
                if "\0" not in value:  # rule 14
                    id_buffer = value
                    id_set = True
            elif name == "retry" and value.isascii() and value.isdigit():  # rule 15: ASCII digits only
                self.retry = block_retry = int(value)
        self._data = data
        self._data_chars = data_chars
        self._type = etype
        self._id_buffer = id_buffer
        self._id_set = id_set
        self._block_retry = block_retry
        self.last_event_id = last_id
        return out

    def close(self) -> None:
        """The stream ended. An unfinished block is dropped with its `id` (rule 22)."""
        self._pending.clear()
        self._pending_len = 0
        self._data = []
        self._data_chars = 0
        self._type = ""
        self._id_buffer = self.last_event_id
        self._id_set = False
        self._block_retry = None
