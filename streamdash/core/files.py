"""Reading a small file the user pointed us at, safely: only a regular file, and only so much.

A collection folder can hold anything: a FIFO named `x.toml` blocks a plain `open()` for ever, a
symlink to `/dev/zero` reads until memory runs out. So the file is opened without blocking, the
*opened* descriptor is checked (not the path: no window between the check and the read), and at
most `limit + 1` bytes are read, so a file over the limit is refused without reading it whole.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["MAX_FILE_BYTES", "FileRefused", "read_regular_file"]

MAX_FILE_BYTES = 1 << 20  # a request, an environment, collection settings, a .http import

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileRefused(OSError):
    """A file that is not read at all: not a regular file, or over the size limit.

    An `OSError`, so every handler that already reports an unreadable file reports this one the
    same way; `strerror` and `str()` are the one-line reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(0, reason)

    def __str__(self) -> str:
        return str(self.strerror)


def kind_of(mode: int) -> str:
    """What a non-regular file is, in a person's words."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def describe_size(limit: int) -> str:
    if limit % (1 << 20) == 0:
        return f"{limit >> 20} MiB"
    if limit % (1 << 10) == 0:
        return f"{limit >> 10} KiB"
    return f"{limit} bytes"


def read_regular_file(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of `path`; `FileRefused` when it is not a regular file or holds over `limit`
    bytes, `OSError` when it cannot be opened or read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(Path(path), flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise FileRefused(f"not a regular file ({kind_of(mode)})")
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    if left <= 0:
        raise FileRefused(f"larger than {describe_size(limit)} (the limit for a collection file)")
    return b"".join(chunks)
