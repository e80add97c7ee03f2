"""Collections on real files: load, save, naming, atomic writes, first run, rendering."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from streamdash.core.collections import storage
from streamdash.core.collections.models import CollectionError, SavedRequest, StreamSettings
from streamdash.core.collections.storage import (
    COLLECTION_FILE,
    atomic_write,
    delete_request,
    duplicate_request,
    ensure_collection,
    load_collection,
    rename_request,
    request_from_toml,
    request_to_toml,
    save_request,
    slugify,
)
from streamdash.core.collections.template import MissingVariable, render, render_request
from streamdash.core.sse.stream import RetryPolicy

HAND_WRITTEN = '''\
# A hand-written file: comments and layout must survive an unchanged save.
name = "Price ticker"          # display name
kind = "sse"
method = "GET"
url = "{{base_url}}/streams/ticker"
body = \'\'\'{"a": 1}\'\'\'

[query]                        # order kept
symbol = "ACME"

[stream]
read_timeout = 30
'''


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def files(root: Path) -> list[str]:
    """Every file under root, hidden ones included (temp files must not linger)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def by_name(collection, name: str) -> SavedRequest:
    return next(r for r in collection.requests if r.name == name)


# --- loading -----------------------------------------------------------------------------------


def test_load_reads_groups_metadata_and_skips_what_is_not_a_request(tmp_path):
    write(tmp_path / COLLECTION_FILE, 'name = "Shop"\n[variables]\nbase_url = "http://x"\nport = 8000\n')
    write(tmp_path / "health.toml", 'url = "{{base_url}}/health"\n')
    write(tmp_path / "orders" / "list.toml", 'name = "List orders"\n')
    write(tmp_path / "orders" / "admin" / "purge.toml", 'method = "DELETE"\n')
    write(tmp_path / "orders" / "README.md", "not a request")
    write(tmp_path / ".hidden.toml", "kind = 1")
    write(tmp_path / ".git" / "config.toml", "kind = 1")
    write(tmp_path / "env" / "dev.toml", "base_url = 1")
    write(tmp_path / "orders" / COLLECTION_FILE, 'name = "a request named like the metadata file"\n')

    collection = load_collection(tmp_path)

    assert collection.errors == []
    assert collection.name == "Shop"
    assert collection.variables == {"base_url": "http://x", "port": "8000"}
    assert [(r.group, r.name) for r in collection.requests] == [
        ((), "health"),
        (("orders",), "a request named like the metadata file"),
        (("orders",), "List orders"),
        (("orders", "admin"), "purge"),
    ]
    assert by_name(collection, "purge").path == tmp_path / "orders" / "admin" / "purge.toml"


def test_a_collection_without_metadata_is_named_after_its_folder(tmp_path):
    root = tmp_path / "payments"
    write(root / "a.toml", "")
    collection = load_collection(root)
    assert (collection.name, collection.variables, collection.errors) == ("payments", {}, [])


def test_bad_files_are_listed_with_path_and_line_and_skipped(tmp_path):
    write(tmp_path / "good.toml", 'name = "Good"\n')
    broken = write(tmp_path / "broken.toml", 'name = "x"\nurl = "unterminated\n')
    bad_kind = write(tmp_path / "g" / "kind.toml", 'name = "x"\n\nkind = "grpc"\n')
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b'name = "caf\xe9"\n')

    collection = load_collection(tmp_path)

    assert [r.name for r in collection.requests] == ["Good"]
    errors = {e.path: e for e in collection.errors}
    assert set(errors) == {broken, bad_kind, latin1}
    assert errors[broken].line == 2
    assert str(errors[broken]).startswith(f"{broken}:2: invalid TOML")
    assert errors[bad_kind].line == 3
    assert str(errors[bad_kind]).startswith(f"{bad_kind}:3: kind: ")
    assert "UTF-8" in errors[latin1].message


def test_a_bad_collection_toml_is_an_error_not_a_crash(tmp_path):
    meta = write(tmp_path / COLLECTION_FILE, "[variables]\nbase_url = { a = 1 }\n")
    write(tmp_path / "a.toml", "")
    collection = load_collection(tmp_path)
    assert [r.name for r in collection.requests] == ["a"]
    assert [(e.path, e.line) for e in collection.errors] == [(meta, 2)]
    assert "variables.base_url" in collection.errors[0].message


def test_a_missing_folder_loads_as_an_empty_collection_with_an_error(tmp_path):
    collection = load_collection(tmp_path / "nope")
    assert collection.requests == []
    assert len(collection.errors) == 1 and "not found" in str(collection.errors[0])


# --- writing format ----------------------------------------------------------------------------


def test_canonical_text_round_trips_byte_for_byte(tmp_path):
    req = SavedRequest(
        name="Create item",
        method="post",
        url="{{base_url}}/api/items",
        query=[("b", "2"), ("a", "1")],
        headers=[("Content-Type", "application/json"), ("Accept", "application/json")],
        body='{\n  "price": "$5",\n  "re": "^a$"\n}\n',
        description="Creates one item.",
    )
    text = request_to_toml(req)
    path = write(tmp_path / "create-item.toml", text)
    loaded = load_collection(tmp_path).requests[0]
    assert request_to_toml(loaded) == text
    assert loaded.same_content(replace(req, method="POST"))
    # keys in a fixed order, tables after scalars, and the body readable as JSON
    assert text.startswith('name = "Create item"\nkind = "rest"\nmethod = "POST"\nurl = ')
    assert "body = '''\n{\n  \"price\": \"$5\"," in text
    assert text.index("[query]") < text.index("[headers]")
    assert "[stream]" not in text
    before = path.read_bytes()
    save_request(load_collection(tmp_path), loaded)
    assert path.read_bytes() == before


def test_a_multi_line_description_round_trips_and_an_empty_one_leaves_the_file(tmp_path):
    req = SavedRequest(name="Health", url="{{base_url}}/api/health",
                       description='Is it up?\nSays "ok" [bold]or[/] not.\ttab')
    path = write(tmp_path / "health.toml", request_to_toml(req))
    loaded = load_collection(tmp_path).requests[0]
    assert loaded.description == req.description
    assert request_to_toml(loaded) == path.read_text()
    save_request(load_collection(tmp_path), replace(loaded, description=""))
    assert "description" not in path.read_text()
    assert load_collection(tmp_path).requests[0].description == ""


def test_saving_an_unchanged_hand_written_file_leaves_it_byte_identical(tmp_path):
    path = write(tmp_path / "ticker.toml", HAND_WRITTEN)
    collection = load_collection(tmp_path)
    before = path.read_bytes()
    saved = save_request(collection, collection.requests[0])
    assert path.read_bytes() == before
    assert saved.path == path
    assert files(tmp_path) == ["ticker.toml"]


def test_saving_a_change_rewrites_in_canonical_form_and_again_is_stable(tmp_path):
    path = write(tmp_path / "ticker.toml", HAND_WRITTEN)
    collection = load_collection(tmp_path)
    changed = replace(collection.requests[0], url="{{base_url}}/streams/logs")
    save_request(collection, changed)
    first = path.read_bytes()
    assert b"# A hand-written file" not in first
    assert b'url = "{{base_url}}/streams/logs"' in first
    save_request(collection, load_collection(tmp_path).requests[0])
    assert path.read_bytes() == first
    assert request_to_toml(load_collection(tmp_path).requests[0]).encode() == first


def test_unknown_keys_survive_a_save(tmp_path):
    path = write(
        tmp_path / "r.toml",
        'name = "r"\nfuture_flag = true\n\n[stream]\nreconnect = false\nresume_mode = "smart"\n\n'
        '[auth]\nkind = "bearer"\n',
    )
    collection = load_collection(tmp_path)
    save_request(collection, replace(collection.requests[0], url="http://changed"))
    reloaded = load_collection(tmp_path).requests[0]
    assert reloaded.url == "http://changed"
    assert reloaded.extra == {
        "future_flag": True, "auth": {"kind": "bearer"}, "stream": {"resume_mode": "smart"},
    }
    assert reloaded.stream.reconnect is False
    text = path.read_text()
    positions = [text.index(s) for s in ("future_flag", "[stream]", "resume_mode", "[auth]")]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    "body",
    ["", "'quoted'", "a ''' b", "tab\there", "crlf\r\nline", "bell\a", "back\\slash", "é ünïcode",
     "\nleading"],
)
def test_any_body_round_trips(tmp_path, body):
    req = SavedRequest(name="b", body=body)
    assert request_from_toml(request_to_toml(req), tmp_path / "b.toml").body == body


def test_repeated_query_keys_are_kept_as_an_array(tmp_path):
    req = SavedRequest(name="q", query=[("tag", "a"), ("x", "1"), ("tag", "b")])
    text = request_to_toml(req)
    assert request_from_toml(text, tmp_path / "q.toml").query == [("tag", "a"), ("tag", "b"), ("x", "1")]


def test_a_rest_request_writes_stream_only_when_it_holds_something():
    assert "[stream]" not in request_to_toml(SavedRequest(name="r"))
    assert "[stream]" in request_to_toml(SavedRequest(name="s", kind="sse"))
    custom = SavedRequest(name="r", stream=StreamSettings(retry_policy=RetryPolicy.STRICT))
    assert 'retry_policy = "strict"' in request_to_toml(custom)


def test_measure_options_are_written_only_when_set_and_read_back(tmp_path):
    plain = request_to_toml(SavedRequest(name="s", kind="sse"))
    assert "latency_field" not in plain and "assemble" not in plain and "silence_alarm" not in plain
    settings = StreamSettings(latency_field="meta.ts", assemble="choices.0.delta.content", silence_alarm=5.0)
    text = request_to_toml(SavedRequest(name="s", kind="sse", stream=settings))
    assert 'latency_field = "meta.ts"' in text and "silence_alarm = 5.0" in text
    assert request_from_toml(text, tmp_path / "s.toml").stream == settings


# --- refusing to overwrite ---------------------------------------------------------------------


def test_a_file_that_failed_to_parse_is_never_overwritten(tmp_path):
    broken = write(tmp_path / "broken.toml", 'name = "x"\nurl = = "oops"\n')
    before = broken.read_bytes()
    collection = load_collection(tmp_path)
    assert collection.errors[0].path == broken and collection.errors[0].line == 2

    attempt = SavedRequest(name="x", url="http://fixed", path=broken)
    with pytest.raises(CollectionError) as caught:
        save_request(collection, attempt)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{broken}:2: refusing to overwrite")
    with pytest.raises(CollectionError):
        rename_request(collection, attempt, "y")
    assert broken.read_bytes() == before
    assert files(tmp_path) == ["broken.toml"]


def test_a_file_broken_after_loading_is_not_overwritten_either(tmp_path):
    path = write(tmp_path / "r.toml", 'name = "r"\n')
    collection = load_collection(tmp_path)
    path.write_text("name = \n")  # someone edits it badly in another window
    with pytest.raises(CollectionError, match="refusing to overwrite"):
        save_request(collection, replace(collection.requests[0], url="http://x"))
    assert path.read_text() == "name = \n"


def test_an_invalid_request_is_refused_before_anything_is_written(tmp_path):
    collection = load_collection(tmp_path)
    with pytest.raises(CollectionError, match="kind"):
        save_request(collection, SavedRequest(name="bad", kind="grpc"))  # type: ignore[arg-type]
    assert files(tmp_path) == []


# --- new files, duplicate, rename, delete ------------------------------------------------------


def test_new_requests_get_slugged_names_and_never_overwrite(tmp_path):
    collection = load_collection(tmp_path)
    first = save_request(collection, SavedRequest(name="Price Ticker!"))
    second = save_request(collection, SavedRequest(name="price ticker"))
    third = save_request(collection, SavedRequest(name="Price-ticker"))
    assert [p.path.name for p in (first, second, third)] == [
        "price-ticker.toml", "price-ticker-2.toml", "price-ticker-3.toml",
    ]
    names = [r.name for r in load_collection(tmp_path).requests]
    assert names == ["price ticker", "Price Ticker!", "Price-ticker"]
    assert len(collection.requests) == 3


def test_a_new_request_in_a_group_creates_the_folders(tmp_path):
    collection = load_collection(tmp_path)
    saved = save_request(collection, SavedRequest(name="Purge", group=("orders", "admin")))
    assert saved.path == tmp_path / "orders" / "admin" / "purge.toml"
    assert saved.group == ("orders", "admin")
    assert [(r.group, r.name) for r in load_collection(tmp_path).requests] == [(("orders", "admin"), "Purge")]


def test_a_request_named_collection_does_not_become_the_metadata_file(tmp_path):
    collection = load_collection(tmp_path)
    saved = save_request(collection, SavedRequest(name="Collection"))
    assert saved.path.name == "collection-2.toml"
    assert [r.name for r in load_collection(tmp_path).requests] == ["Collection"]


def test_groups_that_escape_or_are_reserved_are_refused(tmp_path):
    collection = load_collection(tmp_path)
    for group in [("..",), ("a/b",), (".hidden",), ("env",)]:
        with pytest.raises(CollectionError):
            save_request(collection, SavedRequest(name="x", group=group))
    assert files(tmp_path) == []


def test_slugify():
    assert slugify("Price ticker") == "price-ticker"
    assert slugify("  Crème brûlée / v2 ") == "creme-brulee-v2"
    assert slugify("!!!") == "request"
    assert slugify("con") == "con-request"
    assert len(slugify("x" * 500)) <= 60


def test_duplicate_writes_a_copy_beside_the_original(tmp_path):
    write(tmp_path / "orders" / "list.toml", 'name = "List"\nurl = "http://x"\n[headers]\nA = "1"\n')
    collection = load_collection(tmp_path)
    original = collection.requests[0]
    copy = duplicate_request(collection, original)
    assert copy.path == tmp_path / "orders" / "list-copy.toml"
    assert (copy.name, copy.url, copy.headers) == ("List copy", "http://x", [("A", "1")])
    assert copy.group == ("orders",)
    again = duplicate_request(collection, original)
    assert again.path.name == "list-copy-2.toml"
    assert files(tmp_path) == ["orders/list-copy-2.toml", "orders/list-copy.toml", "orders/list.toml"]
    assert [r.name for r in collection.requests] == ["List", "List copy", "List copy"]


def test_rename_moves_the_file_and_refuses_to_clobber(tmp_path):
    write(tmp_path / "a.toml", 'name = "A"\nurl = "http://a"\n')
    taken = write(tmp_path / "b.toml", 'name = "B"\n')
    collection = load_collection(tmp_path)
    a = by_name(collection, "A")

    with pytest.raises(CollectionError, match="already exists"):
        rename_request(collection, a, "B")
    assert taken.read_text() == 'name = "B"\n'
    assert (tmp_path / "a.toml").read_text() == 'name = "A"\nurl = "http://a"\n'

    renamed = rename_request(collection, a, "Alpha one")
    assert renamed.path == tmp_path / "alpha-one.toml"
    assert renamed.name == "Alpha one" and renamed.url == "http://a"
    assert files(tmp_path) == ["alpha-one.toml", "b.toml"]
    assert sorted(r.name for r in collection.requests) == ["Alpha one", "B"]
    assert load_collection(tmp_path).requests[0].name == "Alpha one"


def test_rename_to_the_same_slug_only_rewrites_the_name(tmp_path):
    write(tmp_path / "price.toml", 'name = "Price"\n')
    collection = load_collection(tmp_path)
    renamed = rename_request(collection, collection.requests[0], "PRICE")
    assert renamed.path == tmp_path / "price.toml"
    assert load_collection(tmp_path).requests[0].name == "PRICE"
    assert len(collection.requests) == 1


def test_delete_removes_the_file(tmp_path):
    write(tmp_path / "a.toml", "")
    write(tmp_path / "b.toml", "")
    collection = load_collection(tmp_path)
    delete_request(collection, by_name(collection, "a"))
    assert files(tmp_path) == ["b.toml"]
    assert [r.name for r in collection.requests] == ["b"]


# --- atomic_write ------------------------------------------------------------------------------


def test_atomic_write_creates_and_replaces(tmp_path):
    path = tmp_path / "f.toml"
    atomic_write(path, "one\n")
    atomic_write(path, "two\n")
    assert path.read_text() == "two\n"
    assert files(tmp_path) == ["f.toml"]


def test_atomic_write_keeps_the_original_when_the_replace_fails(tmp_path, monkeypatch):
    path = write(tmp_path / "f.toml", "original\n")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write(path, "new\n")
    assert path.read_text() == "original\n"
    assert files(tmp_path) == ["f.toml"]


def test_atomic_write_keeps_the_original_when_the_text_cannot_be_encoded(tmp_path):
    path = write(tmp_path / "f.toml", "original\n")
    with pytest.raises(UnicodeEncodeError):
        atomic_write(path, "lone surrogate \udc80")
    assert path.read_text() == "original\n"
    assert files(tmp_path) == ["f.toml"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_atomic_write_keeps_the_file_mode(tmp_path):
    path = write(tmp_path / "f.toml", "x")
    path.chmod(0o640)
    atomic_write(path, "y")
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_failed_save_leaves_neither_a_temp_file_nor_a_claimed_name(tmp_path, monkeypatch):
    collection = load_collection(tmp_path)

    def broken_rename(src, dst):
        raise OSError(13, "Permission denied")

    # A new file is moved into place without replacing anything (never os.replace): break that.
    monkeypatch.setattr(storage, "_rename_noreplace", broken_rename)
    with pytest.raises(CollectionError, match="cannot create a request file here: Permission denied") as caught:
        save_request(collection, SavedRequest(name="New"))
    assert "\n" not in str(caught.value)
    assert files(tmp_path) == []
    assert collection.requests == []


# --- first run ---------------------------------------------------------------------------------


def test_ensure_collection_writes_the_example_once(tmp_path):
    root = tmp_path / "data" / "collections" / "default"
    collection = ensure_collection(root)
    assert collection.errors == []
    assert collection.name == "My collection"
    assert collection.variables == {"base_url": "http://127.0.0.1:8000"}
    kinds = sorted(r.kind for r in collection.requests)
    assert kinds == ["rest", "sse"]
    assert all(r.url.startswith("{{base_url}}/") for r in collection.requests)

    snapshot = {name: (root / name).read_bytes() for name in files(root)}
    victim = collection.requests[0]
    delete_request(collection, victim)  # the user's own changes must not be undone
    again = ensure_collection(root)
    assert len(again.requests) == 1
    assert {name: (root / name).read_bytes() for name in files(root)} == {
        k: v for k, v in snapshot.items() if k != victim.path.name
    }


def test_ensure_collection_leaves_an_existing_collection_alone(tmp_path):
    write(tmp_path / "mine.toml", "# mine\n")
    collection = ensure_collection(tmp_path)
    assert [r.name for r in collection.requests] == ["mine"]
    assert files(tmp_path) == ["mine.toml"]


def test_ensure_collection_fills_an_empty_folder_unless_told_not_to(tmp_path):
    assert ensure_collection(tmp_path / "bare", example=False).requests == []
    assert files(tmp_path / "bare") == []
    assert len(ensure_collection(tmp_path / "bare").requests) == 2


def test_ensure_collection_reports_a_path_that_is_a_file(tmp_path):
    blocker = write(tmp_path / "file", "")
    with pytest.raises(CollectionError) as caught:
        ensure_collection(blocker / "sub")
    assert str(blocker) in str(caught.value)


# --- render ------------------------------------------------------------------------------------


def test_render_substitutes_variables_with_optional_spaces():
    variables = {"base_url": "http://h:1", "api.v": "2", "my-id": "7"}
    assert render("{{base_url}}/v{{ api.v }}/{{  my-id }}", variables) == "http://h:1/v2/7"


def test_render_never_touches_dollars_or_other_braces():
    body = '{"price": "$5", "re": "^a$", "tpl": "${HOME} $base_url", "obj": {"a": {}}, "x": "{{ no! }}"}'
    assert render(body, {"base_url": "no", "HOME": "no"}) == body


def test_render_reads_the_environment():
    assert render("Bearer {{env:TOKEN}}", {}, environ={"TOKEN": "s3cret"}) == "Bearer s3cret"
    name, value = next((k, v) for k, v in os.environ.items() if k.isidentifier())
    assert render(f"{{{{env:{name}}}}}", {}) == value


def test_render_does_not_expand_values_twice():
    assert render("{{a}}", {"a": "{{b}}", "b": "no"}) == "{{b}}"


def test_missing_variables_are_named():
    with pytest.raises(MissingVariable) as caught:
        render("{{base_url}}/x", {})
    assert isinstance(caught.value, KeyError)
    assert caught.value.name == "base_url"
    assert "base_url" in str(caught.value)
    with pytest.raises(MissingVariable, match="env:NOPE"):
        render("{{env:NOPE}}", {}, environ={})


def test_render_request_renders_url_query_headers_and_body(tmp_path):
    req = SavedRequest(
        name="r",
        url="{{base}}/items",
        query=[("{{k}}", "{{v}}")],
        headers=[("Authorization", "Bearer {{env:TOKEN}}")],
        body='{"id": "{{v}}", "cost": "$1"}',
        path=tmp_path / "r.toml",
    )
    out = render_request(req, {"base": "http://h", "k": "K", "v": "V"}, environ={"TOKEN": "t"})
    assert out.url == "http://h/items"
    assert out.query == [("{{k}}", "V")]
    assert out.headers == [("Authorization", "Bearer t")]
    assert out.body == '{"id": "V", "cost": "$1"}'
    assert req.url == "{{base}}/items"  # the original is untouched
    with pytest.raises(MissingVariable) as caught:
        render_request(req, {}, environ={})
    assert str(caught.value).startswith(f"{tmp_path / 'r.toml'}: unknown variable 'base'")


# --- hostile files: only regular files, under a size limit, each skip named --------------------


def hostile_collection(root: Path) -> dict[str, Path]:
    """A collection with one good request and every kind of file that once hung or ate memory."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "good.toml").write_text('name = "good"\nurl = "http://127.0.0.1:1/"\n', encoding="utf-8")
    bad = {
        "fifo": root / "x.toml",
        "zero": root / "zero.toml",
        "big": root / "big.toml",
        "folder": root / "y.toml",
    }
    os.mkfifo(bad["fifo"])
    os.symlink("/dev/zero", bad["zero"])
    bad["big"].write_text('name = "big"\nbody = """' + "a" * (2 << 20) + '"""\n', encoding="utf-8")
    bad["folder"].mkdir()
    (bad["folder"] / "inner.toml").write_text('name = "inner"\n', encoding="utf-8")
    return bad


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_load_skips_fifo_device_huge_file_and_folder_named_toml_and_names_each(tmp_path):
    bad = hostile_collection(tmp_path / "c")
    coll = load_collection(tmp_path / "c")  # a FIFO read would block here for ever
    assert [r.name for r in coll.requests] == ["good"]
    by_path = {error.path: error.message for error in coll.errors}
    assert set(by_path) == set(bad.values())
    assert "not a regular file (a FIFO)" in by_path[bad["fifo"]]
    assert "not a regular file (a character device)" in by_path[bad["zero"]]
    assert "larger than 1 MiB" in by_path[bad["big"]]
    assert "not a regular file (a folder)" in by_path[bad["folder"]]
    assert all("\n" not in str(error) for error in coll.errors)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX thing")
def test_load_names_a_collection_file_that_is_a_fifo(tmp_path):
    root = tmp_path / "c"
    root.mkdir()
    os.mkfifo(root / COLLECTION_FILE)
    coll = load_collection(root)
    assert [(e.path, e.message) for e in coll.errors] == [
        (root / COLLECTION_FILE, "not a regular file (a FIFO)")
    ]


def test_a_request_file_just_under_the_limit_loads(tmp_path):
    from streamdash.core.files import MAX_FILE_BYTES

    head = 'name = "near"\nbody = """'
    tail = '"""\n'
    text = head + "a" * (MAX_FILE_BYTES - len(head) - len(tail)) + tail
    assert len(text.encode()) == MAX_FILE_BYTES
    (tmp_path / "near.toml").write_text(text, encoding="utf-8")
    coll = load_collection(tmp_path)
    assert coll.errors == []
    assert [r.name for r in coll.requests] == ["near"]


def test_save_new_requests_writes_them_all_sorted_and_keeps_what_was_written_before_a_failure(tmp_path):
    """The batch path an import uses (one sort at the end instead of one per request)."""
    from streamdash.core.collections.models import CollectionError
    from streamdash.core.collections.storage import ensure_collection, load_collection, save_new_requests

    collection = ensure_collection(tmp_path / "c", example=False)
    batch = [SavedRequest(name=n, url="https://h/" + n, group=g) for n, g in
             [("b", ()), ("a", ()), ("z", ("g",)), ("a", ())]]
    saved = save_new_requests(collection, batch)
    assert [(r.group, r.name, r.path.name) for r in saved] == [((), "b", "b.toml"), ((), "a", "a.toml"),
                                                               (("g",), "z", "z.toml"), ((), "a", "a-2.toml")]
    assert [(r.group, r.path.name) for r in collection.requests] == [
        ((), "a-2.toml"), ((), "a.toml"), ((), "b.toml"), (("g",), "z.toml")]
    assert [r.path.name for r in load_collection(tmp_path / "c").requests] == [r.path.name for r in collection.requests]
    bad = [SavedRequest(name="ok", url="https://h/ok"), SavedRequest(name="x", url="https://h/x", group=("env",))]
    with pytest.raises(CollectionError):
        save_new_requests(collection, bad)
    assert "ok" in [r.name for r in collection.requests]  # written before the refusal: listed
