"""Rule 35: which ids a stream already delivered, remembered in bounded bytes.

After a resume a server may replay events the watcher has already shown; the stream suppresses
those by id. Ids are whatever the server sends (we measured 200 KB ones), so the filter keeps a
16-byte BLAKE2b digest of a long id instead of the id: 10,000 remembered ids cost about 2 MB
whatever their size. Ids of up to `SHORT_ID` characters are kept as they are (no cheaper as a
digest, and hashing them would cost every event a call); a `str` never equals a digest's `bytes`,
so the two kinds cannot collide.
"""

from __future__ import annotations

from collections import deque
from hashlib import blake2b

SHORT_ID = 32


def _key(event_id: str) -> str | bytes:
    if len(event_id) <= SHORT_ID:
        return event_id
    return blake2b(event_id.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class Dedup:
    """The last `window` distinct ids delivered, and whether the stream is replaying.

    Only ids set in their own block count, and only until the first new id on a resumed
    connection: a live stream that reuses ids is never thinned out.
    """

    __slots__ = ("window", "replaying", "_seen", "_order")

    def __init__(self, window: int) -> None:
        self.window = window
        self.replaying = False
        self._seen: set[str | bytes] = set()
        self._order: deque[str | bytes] = deque()

    def delivered(self, event_id: str) -> bool:
        return _key(event_id) in self._seen

    def remember(self, event_id: str) -> None:
        key = _key(event_id)
        if key in self._seen:
            return
        self._seen.add(key)
        self._order.append(key)
        if len(self._order) > self.window:
            self._seen.discard(self._order.popleft())
