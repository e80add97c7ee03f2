"""A listening socket on 127.0.0.1 whose accept queue is full, so a new connect hangs in the
handshake: Linux drops the SYN while the queue is full and never answers, where a closed port
would refuse at once. That makes a connect timeout deterministic without a remote host."""

from __future__ import annotations

import contextlib
import socket
import time


class FullBacklog:
    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)  # never accepted
        self.port = self._listener.getsockname()[1]
        self._fillers: list[socket.socket] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FullBacklog:
        for _ in range(4):  # more than the queue holds: the rest wait in the handshake too
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):  # the handshake goes on without us
                filler.connect(("127.0.0.1", self.port))
            self._fillers.append(filler)
        time.sleep(0.05)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for sock in [*self._fillers, self._listener]:
            sock.close()
