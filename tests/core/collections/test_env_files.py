"""Writing environments and the collection's variables (the app's editor): the files stay
readable by the loader, keep what they held beside the variables, and never get a secret."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from streamdash.core.collections import SavedRequest, load_collection
from streamdash.core.collections.env_files import (
    delete_environment,
    parse_variable_lines,
    save_collection_variables,
    save_environment,
    variable_lines,
)
from streamdash.core.collections.environments import load_environments, missing_hint, variables_for
from streamdash.core.collections.models import CollectionError
from streamdash.core.collections.secret_values import load_secret_values
from streamdash.core.http.execute import Executor
from streamdash.core.http.prepare import PrepareError
from streamdash.core.http.transport import ClientPool


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "collection.toml").write_text(
        '# the shop API\nname = "shop"\ntimeout = 5\n\n[variables]\nbase_url = "http://127.0.0.1:1"\n\n'
        '[auth]  # every request\ntype = "bearer"\ntoken = "{{token}}"\n'
    )
    return tmp_path


def test_lines_parse_and_say_which_line_is_wrong():
    assert parse_variable_lines("# c\n\nbase_url = http://x:1/a=b \n token=  t \n") == [
        ("base_url", "http://x:1/a=b"), ("token", "t")]
    for text, reason in [("a = 1\nnope\n", "line 2: want name = value"),
                         ("a b = 1\n", "line 1: 'a b' is not a variable name"),
                         ("a = 1\na = 2\n", "line 2: 'a' is given twice")]:
        with pytest.raises(ValueError, match=reason):
            parse_variable_lines(text)
    assert parse_variable_lines(variable_lines({"a": "1", "b": "{{env:B}}"})) == [("a", "1"), ("b", "{{env:B}}")]


def test_a_new_environment_is_read_back_and_its_secret_goes_to_the_secrets_file(root):
    saved = save_environment(root, "staging", [("base_url", "https://staging.example"), ("token", "s3cr3t"),
                                               ("api", "{{env:API}}")], production=False)
    assert saved.moved == ("staging_token",)
    text = (root / "env" / "staging.toml").read_text()
    assert "s3cr3t" not in text and 'token = "{{staging_token}}"' in text
    secrets_file = root / ".secrets.toml"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert ".secrets.toml" in (root / ".gitignore").read_text()
    envs = load_environments(root)
    variables = variables_for(load_collection(root), "staging", envs, load_secret_values(root))
    executor = Executor(ClientPool())
    prepared = executor.prepare(SavedRequest(name="r", url="{{base_url}}/x", headers=[("X-Token", "{{token}}")]),
                                variables)
    assert prepared.headers == (("X-Token", "s3cr3t"),)  # the reference resolves, one level deep
    assert "s3cr3t" in prepared.secrets  # and is masked wherever it shows


def test_a_value_naming_a_plain_variable_stays_as_written(root):
    executor = Executor(ClientPool())
    prepared = executor.prepare(SavedRequest(name="r", url="http://h/{{a}}"), {"a": "{{b}}", "b": "x"})
    assert prepared.url == "http://h/%7B%7Bb%7D%7D"  # one pass: only secrets are followed


def test_edit_keeps_other_keys_and_rename_moves_the_file(root):
    env_dir = root / "env"
    env_dir.mkdir()
    (env_dir / "dev.toml").write_text('# mine\nowner = "me"\n\n[variables]\nbase_url = "http://a"\n\n[later]\nx = 1\n')
    save_environment(root, "local", [("base_url", "http://b")], production=True, old_name="dev")
    assert not (env_dir / "dev.toml").exists()
    text = (env_dir / "local.toml").read_text()
    assert text.startswith("production = true\n# mine\nowner = \"me\"")
    data = tomllib.loads(text)
    assert data == {"production": True, "owner": "me", "variables": {"base_url": "http://b"}, "later": {"x": 1}}
    assert load_environments(root)["local"].production is True


def test_a_taken_or_bad_name_is_refused_in_one_line(root):
    save_environment(root, "dev", [])
    with pytest.raises(CollectionError, match="an environment named 'dev' exists already"):
        save_environment(root, "dev", [("a", "1")])
    with pytest.raises(CollectionError, match=r"environment name '\.\./x'"):
        save_environment(root, "../x", [])
    assert sorted(p.name for p in (root / "env").iterdir()) == ["dev.toml"]


def test_delete_environment(root):
    save_environment(root, "dev", [("a", "1")])
    delete_environment(root, "dev")
    assert load_environments(root) == {}
    with pytest.raises(CollectionError, match="no such environment file"):
        delete_environment(root, "dev")


def test_collection_variables_replace_only_their_table(root):
    save_collection_variables(root, [("base_url", "http://new"), ("password", "hunter2")])
    text = (root / "collection.toml").read_text()
    assert text.startswith('# the shop API\nname = "shop"\ntimeout = 5\n\n[variables]\nbase_url = "http://new"\n')
    assert "[auth]  # every request" in text and "hunter2" not in text
    assert load_secret_values(root) == {"password": "hunter2"}
    assert load_collection(root).variables == {"base_url": "http://new"}


def test_collection_variables_appended_when_there_were_none(tmp_path):
    (tmp_path / "collection.toml").write_text('name = "c"')
    save_collection_variables(tmp_path, [("a", "1")])
    assert tomllib.loads((tmp_path / "collection.toml").read_text()) == {"name": "c", "variables": {"a": "1"}}


def test_a_missing_variable_names_the_environment_that_defines_it(root):
    save_environment(root, "staging", [("region", "eu")])
    save_environment(root, "prod", [("region", "us")])
    assert missing_hint("region", root, None) == "(defined in environments prod, staging; in use: none)"
    assert missing_hint("nope", root, None) == ""
    assert missing_hint("env:X", root, None) == ""
    executor = Executor(ClientPool(), collection_root=root)
    request = SavedRequest(name="r", url="http://h/{{region}}")
    with pytest.raises(PrepareError) as caught:
        executor.prepare(request, {})
    assert str(caught.value) == "r: unknown variable 'region' (defined in environments prod, staging; in use: none)"
    assert caught.value.missing == "region"
