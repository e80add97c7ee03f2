"""Request history: every send and a summary of its answer, as JSON lines in the state folder.

What is kept is the request as saved (its `{{variables}}` and `{{env:NAME}}` placeholders, not
their values; a literal secret in its URL or body masked), the URL as sent with secret parameters
masked, masked headers, and the answer's status, time, size, masked headers and a capped body
(JSON fields named like secrets masked: a token endpoint's `access_token`). Every secret the
request was sent with, an OAuth2 token included, is masked wherever it shows. So a history file never holds a secret
that the collection kept out of its own files, and an entry can be sent again. The file is
trimmed to the newest half when it grows past its cap.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from streamdash.core.collections import SavedRequest, atomic_write
from streamdash.core.http.secrets import (
    mask_headers,
    mask_secret_fields,
    mask_secrets,
    mask_url,
    mask_urls,
)
from streamdash.core.http.send import ResponseSummary

HISTORY_FILE = "history.jsonl"
MAX_BODY_CHARS = 64 * 1024
MAX_SENT_BODY_CHARS = 8 * 1024
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class HistoryEntry:
    at: float
    collection: str
    key: str
    name: str
    method: str
    url_template: str
    url: str  # as sent, secrets masked
    headers: list[tuple[str, str]]  # the saved (unrendered) headers, secrets masked
    body_template: str | None
    status: int | None
    reason: str = ""
    elapsed_s: float = 0.0
    size: int = 0
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: str = ""
    body_cut: bool = False
    error: str | None = None
    body_note: str = ""  # why the body is kept raw ("body is encoded as foo, ...; shown raw")
    # What went out, rendered (the saved headers and body are templates: two sends under two
    # environments differ only here), secrets masked, the body cut at MAX_SENT_BODY_CHARS.
    sent_headers: list[tuple[str, str]] = field(default_factory=list)
    sent_body: str | None = None

    def to_request(self) -> SavedRequest:
        """The request again, for re-sending: placeholders render anew; masked values stay
        masked (prefer the collection's own request when it still exists)."""
        return SavedRequest(
            name=self.name,
            method=self.method,
            url=self.url_template,
            headers=list(self.headers),
            body=self.body_template,
        )


def _root(collection: Path | str) -> str:
    """A collection as the history names it: its absolute folder (the same from any cwd)."""
    return os.path.abspath(collection) if str(collection) else ""


def _mask_saved_headers(headers: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Saved headers whose value is a `{{placeholder}}` template are kept (they hold no secret
    and make the entry re-sendable); literal secrets are masked."""
    return [
        (name, value) if "{{" in value else mask_headers([(name, value)])[0]
        for name, value in headers
    ]


def _sent_parts(sent: tuple[Sequence[tuple[str, str]], bytes | None] | None,
                hide: Callable[[str], str]) -> dict[str, Any]:
    if sent is None:
        return {}
    headers, body = sent
    parts: dict[str, Any] = {"sent_headers": [(k, hide(v)) for k, v in mask_headers(list(headers))]}
    if body:
        text = body[: MAX_SENT_BODY_CHARS * 4].decode("utf-8", "replace")
        parts["sent_body"] = mask_secret_fields(hide(text))[:MAX_SENT_BODY_CHARS]
    return parts


class History:
    def __init__(self, folder: Path, max_bytes: int = MAX_FILE_BYTES) -> None:
        self.path = folder / HISTORY_FILE
        self.max_bytes = max_bytes
        self.damaged = 0  # lines skipped by the last read

    def record(
        self,
        *,
        collection: Path | str,
        key: str,
        request: SavedRequest,
        summary: ResponseSummary,
        secrets: Collection[str] = (),
        sent: tuple[Sequence[tuple[str, str]], bytes | None] | None = None,
    ) -> HistoryEntry:
        """Append one send. `secrets` are the values the request was filled in with from the
        environment or its auth: masked wherever they show, the answer's body included (an echo
        server sends the token straight back). `sent`: the headers and body as prepared."""

        def hide(text: str) -> str:
            return mask_secrets(text, secrets)

        full = summary.text() if summary.status is not None else ""
        # Masked before it is cut (a secret across the cut must not leave its head behind), and
        # only as much as is kept: the cost does not grow with what the server sent.
        room = MAX_BODY_CHARS + 3 * max((len(secret) for secret in secrets), default=0) + 4096
        text = mask_secret_fields(hide(full[:room]))
        entry = HistoryEntry(
            at=summary.sent_at or time.time(),
            collection=_root(collection),
            key=key,
            name=request.name,
            method=request.method,
            url_template=mask_url(hide(request.url)),
            url=mask_url(hide(summary.url)),
            headers=_mask_saved_headers(request.headers),
            body_template=hide(request.body) if request.body else request.body,
            status=summary.status,
            reason=summary.reason,
            elapsed_s=round(summary.elapsed_s, 6),
            size=summary.size,
            response_headers=[(k, hide(v)) for k, v in mask_headers(summary.headers)],
            response_body=text[:MAX_BODY_CHARS],
            body_cut=len(full) > MAX_BODY_CHARS or summary.truncated,
            error=mask_urls(hide(summary.error)) if summary.error else summary.error,
            body_note=summary.body_note,
            **_sent_parts(sent, hide),
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(asdict(entry), ensure_ascii=False) + "\n"
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(line)  # one write per entry: a crash loses at most this line
        if self.path.stat().st_size > self.max_bytes:
            self._trim()
        return entry

    def _trim(self) -> None:
        """Keep the newest entries that fit in half the cap (so trimming is rare)."""
        lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
        kept: list[str] = []
        total = 0
        for line in reversed(lines):
            total += len(line.encode("utf-8"))
            if total > self.max_bytes // 2:
                break
            kept.append(line)
        kept.reverse()
        atomic_write(self.path, "".join(kept))

    def entries(self, limit: int | None = 200, *, collection: Path | str | None = None) -> list[HistoryEntry]:
        """Newest first; only those of `collection` (its root) when given. A damaged line is
        skipped and counted in `damaged`."""
        wanted = None if collection is None else _root(collection)
        self.damaged = 0
        try:
            lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return []
        out: list[HistoryEntry] = []
        for line in reversed(lines):
            if limit is not None and len(out) >= limit:
                break
            try:
                data = json.loads(line)
                data["headers"] = [tuple(pair) for pair in data["headers"]]
                data["sent_headers"] = [tuple(pair) for pair in data.get("sent_headers", [])]
                data["response_headers"] = [tuple(pair) for pair in data["response_headers"]]
                entry = HistoryEntry(**data)
            except (ValueError, TypeError, KeyError):
                self.damaged += 1
                continue
            if wanted is None or entry.collection == wanted:
                out.append(entry)
        return out

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path)


def format_entry_line(entry: HistoryEntry, columns: Sequence[int] = (19, 24, 7, 6)) -> str:
    """One line for a history list: when, name, method, status/time."""
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.at))
    status = str(entry.status) if entry.status is not None else "ERR"
    return (
        f"{when:<{columns[0]}} {entry.name[: columns[1]]:<{columns[1]}} "
        f"{entry.method:<{columns[2]}} {status:>{columns[3]}} {entry.elapsed_s * 1000:.0f} ms"
    )
