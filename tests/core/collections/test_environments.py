from __future__ import annotations

from pathlib import Path

import pytest

from streamdash.core.collections.environments import (
    Environment,
    UnknownEnvironment,
    load_environments,
    variables_for,
)
from streamdash.core.collections.models import Collection, CollectionError
from streamdash.core.collections.storage import load_collection


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_env_files_by_name(tmp_path):
    write(tmp_path / "env" / "staging.toml", '[variables]\nbase_url = "https://s"\nport = 8080\n')
    write(tmp_path / "env" / "prod.toml", 'production = true\n[variables]\nbase_url = "https://p"\n')
    write(tmp_path / "env" / ".hidden.toml", "garbage = [")
    write(tmp_path / "env" / "notes.txt", "not an env")
    envs = load_environments(tmp_path)
    assert list(envs) == ["prod", "staging"]
    assert envs["staging"] == Environment(
        "staging", {"base_url": "https://s", "port": "8080"}, False, tmp_path / "env" / "staging.toml"
    )
    assert envs["prod"].production is True


def test_no_env_folder_means_none(tmp_path):
    assert load_environments(tmp_path) == {}


def test_env_folder_is_not_read_as_requests(tmp_path):
    write(tmp_path / "env" / "local.toml", '[variables]\nx = "1"\n')
    write(tmp_path / "ping.toml", 'url = "http://x"\n')
    collection = load_collection(tmp_path)
    assert [r.name for r in collection.requests] == ["ping"]
    assert collection.errors == []


def test_bad_toml_names_file_and_line(tmp_path):
    path = write(tmp_path / "env" / "bad.toml", '[variables]\nbase_url = "x"\noops = \n')
    with pytest.raises(CollectionError) as info:
        load_environments(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{path}:3: invalid TOML")
    assert "\n" not in message


def test_bad_values_name_key_and_line(tmp_path):
    path = write(tmp_path / "env" / "bad.toml", 'production = "yes"\n')
    with pytest.raises(CollectionError, match=r"bad\.toml:1: production: must be true or false"):
        load_environments(tmp_path)
    write(path, '[variables]\nok = "1"\nnested = { a = 1 }\n')
    with pytest.raises(CollectionError, match=r"bad\.toml:3: variables\.nested: must be a string"):
        load_environments(tmp_path)


def test_errors_list_collects_and_skips(tmp_path):
    write(tmp_path / "env" / "bad.toml", "x = [")
    write(tmp_path / "env" / "good.toml", '[variables]\na = "1"\n')
    errors = []
    envs = load_environments(tmp_path, errors)
    assert list(envs) == ["good"]
    assert len(errors) == 1 and errors[0].path.name == "bad.toml"


def test_variables_for_overlays_collection_defaults(tmp_path):
    collection = Collection(tmp_path, "c", variables={"base_url": "default", "keep": "k"})
    envs = {"dev": Environment("dev", {"base_url": "dev-url", "new": "n"})}
    assert variables_for(collection, None, envs) == {"base_url": "default", "keep": "k"}
    assert variables_for(collection, "dev", envs) == {"base_url": "dev-url", "keep": "k", "new": "n"}
    assert collection.variables == {"base_url": "default", "keep": "k"}


def test_unknown_environment_lists_known_ones(tmp_path):
    collection = Collection(tmp_path, "c")
    envs = {"dev": Environment("dev"), "staging": Environment("staging")}
    with pytest.raises(UnknownEnvironment) as info:
        variables_for(collection, "prod", envs)
    assert str(info.value) == "unknown environment 'prod' (known: dev, staging)"
    assert isinstance(info.value, ValueError)
    with pytest.raises(UnknownEnvironment, match=r"known: none"):
        variables_for(collection, "prod", {})


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="FIFOs are a POSIX thing")
def test_env_fifo_device_and_huge_file_are_skipped_and_named(tmp_path):
    import os

    write(tmp_path / "env" / "local.toml", '[variables]\nbase_url = "http://l"\n')
    os.mkfifo(tmp_path / "env" / "fifo.toml")
    os.symlink("/dev/zero", tmp_path / "env" / "zero.toml")
    write(tmp_path / "env" / "big.toml", '[variables]\nx = """' + "a" * (2 << 20) + '"""\n')
    errors: list = []
    envs = load_environments(tmp_path, errors)
    assert list(envs) == ["local"]
    assert sorted((e.path.name, e.message) for e in errors) == [
        ("big.toml", "larger than 1 MiB (the limit for a collection file)"),
        ("fifo.toml", "not a regular file (a FIFO)"),
        ("zero.toml", "not a regular file (a character device)"),
    ]
