"""Collections on disk: a folder per collection, one `.toml` file per request, subfolders as groups.

Teams keep these folders in git, so writes are atomic, keys come out in one fixed order, and a
request saved without changes leaves its file byte-for-byte alone (comments included). A file that
fails to parse is reported and never overwritten. Every failure surfaces as a `CollectionError`
whose message is one line naming the file.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import os
import secrets
import stat
import tomllib
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import tomli_w

from streamdash.core.collections.models import (
    REQUEST_KEYS,
    STREAM_KEYS,
    Collection,
    CollectionError,
    LoadError,
    SavedRequest,
    StreamSettings,
    collection_meta_from_data,
    parse_toml,
    request_from_data,
)
from streamdash.core.files import FileRefused, read_regular_file
from streamdash.core.sse.silence import DEFAULT_SILENCE_THRESHOLD

__all__ = [
    "COLLECTION_FILE",
    "ENV_DIR",
    "atomic_write",
    "delete_request",
    "duplicate_request",
    "ensure_collection",
    "load_collection",
    "read_request",
    "rename_request",
    "request_from_toml",
    "request_to_toml",
    "save_request",
    "slugify",
]

COLLECTION_FILE = "collection.toml"
ENV_DIR = "env"  # reserved at the root for environments
SUFFIX = ".toml"
_MAX_SLUG = 60
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}


# --- reading -----------------------------------------------------------------------------------


def read_text_file(path: Path) -> str:
    """A collection file's text (UTF-8, BOM allowed); unreadable, not UTF-8, not a regular file or
    over `MAX_FILE_BYTES` is a one-line error (see `streamdash.core.files`)."""
    try:
        data = read_regular_file(path)
    except FileRefused as exc:
        raise CollectionError(LoadError(path, None, str(exc))) from None
    except OSError as exc:
        raise CollectionError(LoadError(path, None, f"cannot read: {exc.strerror or exc}")) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CollectionError(LoadError(path, line, "not UTF-8 text")) from None


def request_from_toml(text: str, path: Path, *, group: tuple[str, ...] = ()) -> SavedRequest:
    """Parse and validate one request file's text; raises CollectionError with path and line."""
    return request_from_data(parse_toml(text, path), path, text, group)


def read_request(path: Path, group: tuple[str, ...] = ()) -> SavedRequest:
    return request_from_toml(read_text_file(path), path, group=group)


def load_collection(root: Path) -> Collection:
    """Read a whole collection. Never raises for bad files: they are listed in `errors`."""
    root = Path(root)
    collection = Collection(root=root, name=root.name)
    if not root.is_dir():
        collection.errors.append(LoadError(root, None, "collection folder not found"))
        return collection

    meta = root / COLLECTION_FILE
    if os.path.lexists(meta):
        try:
            text = read_text_file(meta)
            name, collection.variables = collection_meta_from_data(parse_toml(text, meta), meta, text)
            collection.name = name or collection.name
        except CollectionError as exc:
            collection.errors.append(exc.error)

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        collection.errors.append(LoadError(where, None, f"cannot read folder: {exc.strerror or exc}"))

    for folder, dirnames, filenames in os.walk(root, onerror=unreadable):
        group = Path(folder).relative_to(root).parts
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and (group or d != ENV_DIR))
        for name in [d for d in dirnames if d.endswith(SUFFIX)]:  # a folder named x.toml: a mistake
            dirnames.remove(name)
            collection.errors.append(LoadError(Path(folder, name), None, "not a regular file (a folder): skipped"))
        for filename in sorted(filenames):
            if filename.startswith(".") or not filename.endswith(SUFFIX):
                continue
            if not group and filename == COLLECTION_FILE:
                continue
            try:
                collection.requests.append(read_request(Path(folder, filename), group))
            except CollectionError as exc:
                collection.errors.append(exc.error)
    collection.sort()
    return collection


# --- writing -----------------------------------------------------------------------------------


def atomic_write(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8, `\\n` newlines) so readers see the old file or the new one.

    A crash or error part-way leaves the original untouched and no temp file behind. The temp file
    is hidden (leading dot), so a collection load never mistakes one for a request.
    """
    path = Path(path)
    data = text.encode("utf-8")
    tmp, fd = _create_temp(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _copy_mode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _create_temp(path: Path) -> tuple[Path, int]:
    """An exclusive, hidden temp file beside `path` (same folder, so the rename is atomic)."""
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue


def _copy_mode(original: Path, tmp: Path) -> None:
    """Keep the permissions a user gave the file; a new file gets the umask's, as usual."""
    with contextlib.suppress(OSError):
        os.chmod(tmp, stat.S_IMODE(original.stat().st_mode))


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; not possible on every platform, so best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def request_to_toml(req: SavedRequest) -> str:
    """The file text for `req`: fixed key order, defaults left out, unknown keys kept.

    Order: name, kind, method, url, description, body, unknown scalars, [query], [headers],
    [stream], unknown tables. A non-empty body is a `'''literal'''` when it can be, so JSON reads
    in a diff as JSON rather than as a wall of `\\"`.
    """
    method = req.method.strip().upper()
    head: dict[str, Any] = {"name": req.name, "kind": req.kind, "method": method, "url": req.url}
    if req.description:
        head["description"] = req.description
    tail: dict[str, Any] = {}
    if req.query:
        tail["query"] = _table(req.query)
    if req.headers:
        tail["headers"] = _table(req.headers)
    if (stream := _stream_table(req)) is not None:
        tail["stream"] = stream
    # tomli_w writes a table's plain values before its sub-tables, so unknown scalars land after
    # the body and unknown tables after [stream], each group in dict order.
    tail.update((key, value) for key, value in req.extra.items() if key not in REQUEST_KEYS)

    expected = {**head, **({} if req.body is None else {"body": req.body}), **tail}
    text = _dumps(head)
    if req.body is not None:
        text += _body_line(req.body)
    if tail:
        rest = _dumps(tail)
        text += ("\n" if rest.startswith("[") else "") + rest
    if tomllib.loads(text) != expected:  # e.g. a raw CR in a multi-line string reads back as LF
        text = tomli_w.dumps(expected)  # every string escaped on one line: always exact
    return text


def _dumps(data: dict[str, Any]) -> str:
    return tomli_w.dumps(data, multiline_strings=True)


def _table(pairs: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    """Pairs as a TOML table; a repeated key becomes an array so no pair is lost."""
    table: dict[str, str | list[str]] = {}
    for key, value in pairs:
        if key not in table:
            table[key] = value
        elif isinstance(existing := table[key], list):
            existing.append(value)
        else:
            table[key] = [existing, value]
    return table


def _stream_table(req: SavedRequest) -> dict[str, Any] | None:
    """Always for SSE (so the knobs are visible); for REST only if something would be lost."""
    unknown = req.extra.get("stream")
    unknown = {k: v for k, v in unknown.items() if k not in STREAM_KEYS} if isinstance(unknown, dict) else {}
    settings = req.stream
    if req.kind != "sse" and settings == StreamSettings() and not unknown:
        return None
    return {
        "retry_policy": str(settings.retry_policy),
        "read_timeout": float(settings.read_timeout),
        "max_event_bytes": int(settings.max_event_bytes),
        "last_event_id": settings.last_event_id,
        "reconnect": bool(settings.reconnect),
        # What the app measures: written only when set, so plain stream files stay short.
        **({"latency_field": settings.latency_field} if settings.latency_field else {}),
        **({"assemble": settings.assemble} if settings.assemble else {}),
        **(
            {"silence_alarm": float(settings.silence_alarm)}
            if settings.silence_alarm != DEFAULT_SILENCE_THRESHOLD
            else {}
        ),
        **unknown,
    }


def _body_line(body: str) -> str:
    literal_ok = (
        body
        and "'''" not in body
        and not body.startswith("'")
        and not body.endswith("'")
        and not any((ord(c) < 0x20 and c not in "\t\n") or ord(c) == 0x7F for c in body)
    )
    if not literal_ok:
        return _dumps({"body": body})
    opener = "'''\n" if "\n" in body else "'''"  # TOML drops a newline right after the opener
    return f"body = {opener}{body}'''\n"


# --- saving ------------------------------------------------------------------------------------


def _fail(path: Path, message: str, line: int | None = None) -> CollectionError:
    return CollectionError(LoadError(path, line, message))


def _same_path(a: Path, b: Path) -> bool:
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def _refuse_if_broken(collection: Collection, path: Path) -> None:
    """Never overwrite a file that failed to load: the user's text is all we have of it."""
    for error in collection.errors:
        if _same_path(error.path, path):
            raise _fail(path, f"refusing to overwrite a file that failed to load ({error.message})",
                        error.line)


def _unchanged_on_disk(path: Path, req: SavedRequest) -> bool:
    """True if the file already says exactly this; raises if it exists but does not parse now."""
    if not path.exists():
        return False
    try:
        on_disk = read_request(path, req.group)
    except CollectionError as exc:
        raise _fail(path, f"refusing to overwrite a file that does not load ({exc.error.message})",
                    exc.error.line) from None
    return on_disk.same_content(req)


def _group_of(root: Path, folder: Path, fallback: tuple[str, ...]) -> tuple[str, ...]:
    """The group a folder stands for; a folder outside the collection keeps the given group."""
    try:
        return Path(os.path.abspath(folder)).relative_to(os.path.abspath(root)).parts
    except ValueError:
        return fallback


def _group_folder(root: Path, group: tuple[str, ...]) -> Path:
    for part in group:
        if not part or part in {".", ".."} or part.startswith(".") or any(s in part for s in "/\\\0"):
            raise _fail(root, f"invalid group name {part!r}")
    if group and group[0] == ENV_DIR:
        raise _fail(root / ENV_DIR, f"the {ENV_DIR!r} folder is reserved for environments")
    return root.joinpath(*group)


def slugify(name: str) -> str:
    """A file stem for a display name: lower-case ASCII words joined by `-`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in ascii_name.lower()).split()
    slug = "-".join(words)[:_MAX_SLUG].strip("-") or "request"
    return f"{slug}-request" if slug in _WINDOWS_RESERVED else slug


def _claim_new_file(folder: Path, name: str, *, at_root: bool) -> Path:
    """Create an empty file named from `name`, adding -2, -3... rather than replace anything."""
    stem = slugify(name)
    for n in itertools.count(1):
        candidate = folder / f"{stem if n == 1 else f'{stem}-{n}'}{SUFFIX}"
        if at_root and candidate.name == COLLECTION_FILE:
            continue
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return candidate
    raise AssertionError("unreachable")


def _remember(collection: Collection, saved: SavedRequest, *old_paths: Path | None) -> None:
    gone = [p for p in (*old_paths, saved.path) if p is not None]
    collection.requests = [
        r for r in collection.requests
        if r is not saved and not (r.path is not None and any(_same_path(r.path, p) for p in gone))
    ]
    collection.requests.append(saved)
    collection.sort()


def _checked(req: SavedRequest, path: Path, group: tuple[str, ...]) -> tuple[str, SavedRequest]:
    """The text to write and the request as it will load back; never write what cannot be read."""
    text = request_to_toml(req)
    return text, request_from_toml(text, path, group=group)


def _save_new(collection: Collection, req: SavedRequest, folder: Path) -> SavedRequest:
    group = _group_of(collection.root, folder, req.group)
    text, saved = _checked(req, folder / f"{slugify(req.name)}{SUFFIX}", group)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = _claim_new_file(folder, req.name, at_root=_same_path(folder, collection.root))
    except OSError as exc:
        raise _fail(folder, f"cannot create a request file here: {exc.strerror or exc}") from None
    try:
        atomic_write(path, text)
    except BaseException as exc:
        path.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _fail(path, f"cannot write: {exc.strerror or exc}") from None
        raise
    saved = replace(saved, path=path, name=req.name or path.stem)
    _remember(collection, saved)
    return saved


def save_request(collection: Collection, req: SavedRequest) -> SavedRequest:
    """Write `req` to its file (or a new one in its group's folder) and update the collection.

    Returns the request as it now reads from disk, with `path` and `group` filled in. A request
    that is already what its file says is not rewritten, so hand-written comments survive.
    """
    if req.path is None:
        return _save_new(collection, req, _group_folder(collection.root, req.group))
    path = req.path
    _refuse_if_broken(collection, path)
    text, saved = _checked(req, path, _group_of(collection.root, path.parent, req.group))
    if not _unchanged_on_disk(path, saved):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, text)
        except OSError as exc:
            raise _fail(path, f"cannot write: {exc.strerror or exc}") from None
    _remember(collection, saved)
    return saved


def duplicate_request(collection: Collection, req: SavedRequest) -> SavedRequest:
    """A copy named "<name> copy" in a new file beside the original."""
    clone = replace(copy.deepcopy(req), name=f"{req.name} copy", path=None)
    folder = req.path.parent if req.path else _group_folder(collection.root, req.group)
    return _save_new(collection, clone, folder)


def rename_request(collection: Collection, req: SavedRequest, new_name: str) -> SavedRequest:
    """Set the display name and move the file to the new name's slug, never onto another file."""
    renamed = replace(req, name=new_name)
    if req.path is None:
        return save_request(collection, renamed)
    old = req.path
    _refuse_if_broken(collection, old)
    target = old.with_name(f"{slugify(new_name)}{SUFFIX}")
    if target.name == COLLECTION_FILE and _same_path(old.parent, collection.root):
        target = old.with_name(f"{slugify(new_name)}-request{SUFFIX}")
    if _same_path(target, old) or (target.exists() and os.path.samefile(target, old)):
        saved = save_request(collection, renamed)
        if not _same_path(target, old):  # only the case differs, on a case-insensitive disk
            try:
                os.replace(old, target)
            except OSError as exc:
                raise _fail(old, f"cannot rename to {target.name}: {exc.strerror or exc}") from None
            saved = replace(saved, path=target)
            _remember(collection, saved, old)
        return saved

    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except FileExistsError:
        raise _fail(target, f"cannot rename {old.name}: {target.name} already exists") from None
    except OSError as exc:
        raise _fail(target, f"cannot rename {old.name}: {exc.strerror or exc}") from None
    try:
        saved = save_request(collection, renamed)  # new name, still at the old path
        os.replace(old, target)
    except BaseException as exc:
        target.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _fail(old, f"cannot rename to {target.name}: {exc.strerror or exc}") from None
        raise
    _fsync_dir(target.parent)
    moved = replace(saved, path=target)
    _remember(collection, moved, old)
    return moved


def delete_request(collection: Collection, req: SavedRequest) -> None:
    """Remove the request's file (if it has one) and drop it from the collection."""
    if req.path is not None:
        try:
            req.path.unlink(missing_ok=True)
        except OSError as exc:
            raise _fail(req.path, f"cannot delete: {exc.strerror or exc}") from None
        _fsync_dir(req.path.parent)
    collection.requests = [
        r for r in collection.requests
        if r is not req and not (req.path is not None and r.path is not None and _same_path(r.path, req.path))
    ]


# --- first run ---------------------------------------------------------------------------------

EXAMPLE_NAME = "My collection"
EXAMPLE_VARIABLES = {"base_url": "http://127.0.0.1:8000"}


def _example_requests() -> list[SavedRequest]:
    return [
        SavedRequest(
            name="List items",
            kind="rest",
            method="GET",
            url="{{base_url}}/api/items",
            query=[("page", "1")],
            headers=[("Accept", "application/json")],
            description="A REST request: run it against `streamdash demo`.",
        ),
        SavedRequest(
            name="Price ticker",
            kind="sse",
            method="GET",
            url="{{base_url}}/streams/ticker",
            headers=[("Accept", "text/event-stream")],
            description="A live SSE stream that reconnects and resumes where it left off.",
        ),
    ]


def ensure_collection(root: Path, *, example: bool = True) -> Collection:
    """Make sure `root` is a collection folder; a new (or empty) one gets a small example."""
    root = Path(root)
    try:
        created = not root.exists()
        root.mkdir(parents=True, exist_ok=True)
        if example and (created or not any(root.iterdir())):
            meta = {"name": EXAMPLE_NAME, "variables": dict(EXAMPLE_VARIABLES)}
            atomic_write(root / COLLECTION_FILE, _dumps(meta))
            collection = Collection(root=root, name=EXAMPLE_NAME, variables=dict(EXAMPLE_VARIABLES))
            for req in _example_requests():
                save_request(collection, req)
    except OSError as exc:
        raise _fail(root, f"cannot create the collection folder: {exc.strerror or exc}") from None
    return load_collection(root)
