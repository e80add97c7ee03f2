"""A Session on a collection folder that keeps the notices it says, for tests to read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from streamdash.core.collections import load_collection
from streamdash.core.session import Notice, Session


@asynccontextmanager
async def noting_session(root: Path, state: Path) -> AsyncIterator[Session]:
    """`session.notices` lists every Notice, in order; closed at the end."""
    session = Session(load_collection(root), history_dir=state)
    notices: list[Notice] = []
    session.subscribe(lambda event: notices.append(event) if isinstance(event, Notice) else None)
    session.notices = notices  # type: ignore[attr-defined]
    try:
        yield session
    finally:
        await session.aclose()
