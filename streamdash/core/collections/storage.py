"""Collections on disk: a folder per collection, one `.toml` file per request, subfolders as groups.

Teams keep these folders in git, so writes are atomic, keys come out in one fixed order, and a
request saved without changes leaves its file byte-for-byte alone (comments included). A file that
fails to parse is reported and never overwritten. Every failure surfaces as a `CollectionError`
whose message is one line naming the file.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import errno
import functools
import itertools
import os
import re
import secrets
import stat
import sys
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

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
    "sweep_stale_temps",
]

COLLECTION_FILE = "collection.toml"
ALERTS_FILE = "alerts.toml"  # streamdash.core.alerts reads it; not a request
_RESERVED_AT_ROOT = (COLLECTION_FILE, ALERTS_FILE)  # never read or written as requests there
ENV_DIR = "env"  # reserved at the root for environments
SUFFIX = ".toml"
TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"\..+\.[0-9a-f]{8}\.tmp")  # what _create_temp makes, and nothing else
_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
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

    with contextlib.suppress(OSError):
        sweep_stale_temps(root / ENV_DIR, os.listdir(root / ENV_DIR))
    for folder, dirnames, filenames in os.walk(root, onerror=unreadable):
        sweep_stale_temps(Path(folder), filenames)
        group = Path(folder).relative_to(root).parts
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and (group or d != ENV_DIR))
        for name in [d for d in dirnames if d.endswith(SUFFIX)]:  # a folder named x.toml: a mistake
            dirnames.remove(name)
            collection.errors.append(LoadError(Path(folder, name), None, "not a regular file (a folder)"))
        for filename in sorted(filenames):
            if filename.startswith(".") or not filename.endswith(SUFFIX):
                continue
            if not group and filename in _RESERVED_AT_ROOT:
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

    An error part-way leaves the original untouched and no temp file behind; a kill -9 part-way
    leaves the original and at most a hidden temp file, which the next load sweeps away (see
    `sweep_stale_temps`).
    """
    path = Path(path)
    _publish(path, text.encode("utf-8"), lambda tmp: os.replace(tmp, path), keep_mode=True)


def write_private(path: Path, text: str) -> None:
    """`atomic_write` of a file that holds credentials (a cookie jar): mode 0600 before it takes
    the name, so it is never readable by others, not even for a moment."""
    path = Path(path)

    def put(tmp: Path) -> None:
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)

    _publish(path, text.encode("utf-8"), put, keep_mode=False)


def _publish(path: Path, data: bytes, put: Callable[[Path], None], *, keep_mode: bool) -> None:
    """Write `data` to a hidden temp file beside `path`, fsync it, and `put` it in place.

    The temp file is locked while it is written, so a load never sweeps a live one. Should a load
    slip in between its creation and its lock and sweep it, the whole write starts again."""
    for attempt in itertools.count():
        tmp, fd = _create_temp(path)
        try:
            _lock(fd)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            if keep_mode:
                _copy_mode(path, tmp)
            put(tmp)
        except FileNotFoundError:
            if attempt >= 2 or os.path.lexists(tmp) or not path.parent.is_dir():
                tmp.unlink(missing_ok=True)
                raise
            continue  # swept under us: go again
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        finally:
            os.close(fd)
        _fsync_dir(path.parent)
        return


def _create_temp(path: Path) -> tuple[Path, int]:
    """An exclusive, hidden temp file beside `path` (same folder, so the rename is atomic)."""
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue


def _lock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)


def sweep_stale_temps(folder: Path, names: Iterable[str]) -> None:
    """Remove the temp files of writes that were killed (kill -9, power loss) among `names`.

    They hold nothing the user was told was saved: the write they belong to never finished, so
    the request file still says what it said. A temp file still locked by a live writer stays.
    Where there is no `flock` (Windows) they are only ignored: hidden names never load."""
    if fcntl is None:
        return
    for name in names:
        if _TEMP_NAME.fullmatch(name):
            with contextlib.suppress(OSError):
                _sweep(Path(folder, name))


def _sweep(tmp: Path) -> None:
    fd = os.open(tmp, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            return
        assert fcntl is not None
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises while its writer lives
        now = os.stat(tmp, follow_symlinks=False)
        if (now.st_dev, now.st_ino) == (opened.st_dev, opened.st_ino):
            os.unlink(tmp)
    finally:
        os.close(fd)


def _rename_noreplace(src: Path, dst: Path) -> None:
    """Move `src` to `dst` in one step, raising FileExistsError rather than replace `dst`.

    `os.replace` would overwrite another request and claiming the name with an empty file first
    leaves a ghost request on a kill -9; Linux's renameat2(RENAME_NOREPLACE) does both at once.
    Elsewhere: Windows' rename never replaces; otherwise a hard link then an unlink, where a kill
    between the two leaves the file under both names (the content is whole under each); on a
    disk without hard links, a check then os.replace (racy against another writer, never torn)."""
    if sys.platform == "win32":
        os.rename(src, dst)
        return
    renameat2 = _renameat2()
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), _RENAME_NOREPLACE) == 0:
            return
        err = ctypes.get_errno()
        if err == errno.EEXIST:
            raise FileExistsError(err, os.strerror(err), str(dst))
        if err not in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
            raise OSError(err, os.strerror(err), str(src))
    try:
        os.link(src, dst)
    except FileExistsError:
        raise
    except OSError:  # no hard links either (FAT, some network disks): check, then move
        if os.path.lexists(dst):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst)) from None
        os.replace(src, dst)
        return
    os.unlink(src)


@functools.cache
def _renameat2() -> Any:
    """glibc's renameat2 (2.28+), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


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


DEFAULTS = StreamSettings()


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
        **({"oversize": str(settings.oversize)} if settings.oversize != DEFAULTS.oversize else {}),
        **(
            {"heartbeat_events": list(settings.heartbeat_events)}
            if settings.heartbeat_events != DEFAULTS.heartbeat_events
            else {}
        ),
        **({"columns": list(settings.columns)} if settings.columns else {}),
        **({"template": settings.template} if settings.template else {}),
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


def _write_new_file(folder: Path, name: str, text: str, *, at_root: bool) -> Path:
    """Write `text` to a new file named from `name`, adding -2, -3... rather than replace anything.

    The file appears whole or not at all: the text goes to a temp file that is then moved to the
    first free name (never an empty file first to claim the name: a kill -9 left that behind as a
    ghost request)."""
    stem = slugify(name)
    names = (f"{stem if n == 1 else f'{stem}-{n}'}{SUFFIX}" for n in itertools.count(1))
    candidates = (folder / n for n in names if not (at_root and n in _RESERVED_AT_ROOT))
    chosen: list[Path] = []

    def put(tmp: Path) -> None:
        for candidate in candidates:
            try:
                _rename_noreplace(tmp, candidate)
            except FileExistsError:
                continue
            chosen.append(candidate)
            return

    _publish(folder / f"{stem}{SUFFIX}", text.encode("utf-8"), put, keep_mode=False)  # umask's mode
    return chosen[0]


def _remember(collection: Collection, saved: SavedRequest, *old_paths: Path | None) -> None:
    """Replace what the collection held at these paths by `saved`. A path is resolved only when
    its file name matches one of these: resolving every one on every save was most of the time
    of a big import (see `save_new_requests` for the rest)."""
    gone = [p for p in (*old_paths, saved.path) if p is not None]
    names = {p.name for p in gone}
    collection.requests = [
        r for r in collection.requests
        if r is not saved
        and not (r.path is not None and r.path.name in names and any(_same_path(r.path, p) for p in gone))
    ]
    collection.requests.append(saved)
    collection.sort()


def _checked(req: SavedRequest, path: Path, group: tuple[str, ...]) -> tuple[str, SavedRequest]:
    """The text to write and the request as it will load back; never write what cannot be read."""
    text = request_to_toml(req)
    return text, request_from_toml(text, path, group=group)


def _write_new(collection: Collection, req: SavedRequest, folder: Path) -> SavedRequest:
    group = _group_of(collection.root, folder, req.group)
    text, saved = _checked(req, folder / f"{slugify(req.name)}{SUFFIX}", group)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = _write_new_file(folder, req.name, text, at_root=_same_path(folder, collection.root))
    except OSError as exc:
        raise _fail(folder, f"cannot create a request file here: {exc.strerror or exc}") from None
    return replace(saved, path=path, name=req.name or path.stem)


def _save_new(collection: Collection, req: SavedRequest, folder: Path) -> SavedRequest:
    saved = _write_new(collection, req, folder)
    _remember(collection, saved)
    return saved


def save_new_requests(collection: Collection, requests: Iterable[SavedRequest]) -> list[SavedRequest]:
    """Many new requests (an import) written as `save_request` writes each new one, the
    collection sorted once at the end: sorting after each of 5,000 was quadratic. A request that
    cannot be written raises CollectionError; those written before it stay, and are listed."""
    saved: list[SavedRequest] = []
    try:  # extend appends as it goes: what was written before a failure is kept
        saved.extend(_write_new(collection, replace(req, path=None), _group_folder(collection.root, req.group))
                     for req in requests)
    finally:
        collection.requests.extend(saved)
        collection.sort()
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
    if target.name in _RESERVED_AT_ROOT and _same_path(old.parent, collection.root):
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

    taken = _fail(target, f"cannot rename {old.name}: {target.name} already exists")
    if os.path.lexists(target):
        raise taken
    # Two atomic steps, so a kill -9 between them leaves the new name in the old file (a whole
    # request, already renamed) and never an empty file claiming the new one.
    saved = save_request(collection, renamed)  # new name, still at the old path
    try:
        _rename_noreplace(old, target)
    except FileExistsError:
        raise taken from None  # someone took the name meanwhile; the old file has the new name
    except OSError as exc:
        raise _fail(old, f"cannot rename to {target.name}: {exc.strerror or exc}") from None
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
