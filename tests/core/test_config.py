"""Locations from platformdirs or the environment; settings from config.toml, warnings not crashes."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from streamdash.core.config import Locations, Settings, load_settings


def locations_in(tmp_path: Path) -> Locations:
    return Locations(config_dir=tmp_path / "config", data_dir=tmp_path / "data", state_dir=tmp_path / "state")


def write_config(locations: Locations, text: str) -> Path:
    locations.config_dir.mkdir(parents=True, exist_ok=True)
    path = locations.config_dir / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_locations_default_to_platformdirs():
    locations = Locations.from_env({})
    assert locations.config_dir == platformdirs.user_config_path("streamdash", appauthor=False)
    assert locations.data_dir == platformdirs.user_data_path("streamdash", appauthor=False)
    assert locations.state_dir == platformdirs.user_state_path("streamdash", appauthor=False)


def test_each_location_can_be_moved_by_the_environment(tmp_path):
    environ = {
        "STREAMDASH_CONFIG_DIR": str(tmp_path / "c"),
        "STREAMDASH_DATA_DIR": str(tmp_path / "d"),
        "STREAMDASH_STATE_DIR": str(tmp_path / "s"),
    }
    locations = Locations.from_env(environ)
    assert locations == Locations(tmp_path / "c", tmp_path / "d", tmp_path / "s")
    assert locations.default_collection == tmp_path / "d" / "collections" / "default"
    assert locations.config_file == tmp_path / "c" / "config.toml"


def test_an_override_alone_moves_only_its_own_folder(tmp_path):
    locations = Locations.from_env({"STREAMDASH_DATA_DIR": str(tmp_path), "STREAMDASH_STATE_DIR": "  "})
    assert locations.data_dir == tmp_path
    assert locations.config_dir == platformdirs.user_config_path("streamdash", appauthor=False)
    assert locations.state_dir == platformdirs.user_state_path("streamdash", appauthor=False)


def test_a_tilde_in_an_override_means_home():
    assert Locations.from_env({"STREAMDASH_DATA_DIR": "~/sd"}).data_dir == Path.home() / "sd"


def test_no_config_file_means_defaults_and_no_warnings(tmp_path):
    assert load_settings(locations_in(tmp_path)) == (Settings(), [])
    assert Settings() == Settings(refresh_hz=20.0, buffer_size=100_000, theme="textual-dark")


def test_a_good_config_file_is_read(tmp_path):
    locations = locations_in(tmp_path)
    write_config(locations, 'refresh_hz = 5\nbuffer_size = 20_000\ntheme = "nord"\n')
    settings, warnings = load_settings(locations)
    assert warnings == []
    assert settings == Settings(refresh_hz=5.0, buffer_size=20_000, theme="nord")
    assert isinstance(settings.refresh_hz, float)


def test_each_bad_value_warns_and_falls_back_on_its_own(tmp_path):
    locations = locations_in(tmp_path)
    path = write_config(locations, 'theme = "nord"\nrefresh_hz = 500\nbuffer_size = true\nrefresh_rate = 5\n')
    settings, warnings = load_settings(locations)
    assert settings == Settings(theme="nord")
    assert len(warnings) == 3
    assert all("\n" not in w and w.startswith(f"{path}:") for w in warnings)
    refresh, buffer, unknown = warnings
    assert refresh.startswith(f"{path}:2: refresh_hz must be a number from 0.5 to 60")
    assert buffer.startswith(f"{path}:3: buffer_size must be a whole number")
    assert unknown == f"{path}:4: unknown setting 'refresh_rate' (ignored)"


def test_range_edges(tmp_path):
    locations = locations_in(tmp_path)
    write_config(locations, "refresh_hz = 0.5\nbuffer_size = 10_000_000\n")
    assert load_settings(locations) == (Settings(refresh_hz=0.5, buffer_size=10_000_000), [])
    write_config(locations, "refresh_hz = 0.4\nbuffer_size = 999\n")
    settings, warnings = load_settings(locations)
    assert settings == Settings() and len(warnings) == 2
    write_config(locations, 'buffer_size = 5000.0\ntheme = ""\n')
    settings, warnings = load_settings(locations)
    assert settings == Settings()
    assert [w.split(": ")[1].split()[0] for w in warnings] == ["buffer_size", "theme"]


def test_a_syntax_error_gives_defaults_and_a_warning_with_the_line(tmp_path):
    locations = locations_in(tmp_path)
    path = write_config(locations, "refresh_hz = 5\ntheme = \n")
    settings, warnings = load_settings(locations)
    assert settings == Settings()
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{path}:2: invalid TOML")
    assert warnings[0].endswith("using default settings")


def test_a_file_that_is_not_utf8_gives_a_warning(tmp_path):
    locations = locations_in(tmp_path)
    locations.config_dir.mkdir(parents=True)
    (locations.config_dir / "config.toml").write_bytes(b'theme = "caf\xe9"\n')
    settings, warnings = load_settings(locations)
    assert settings == Settings()
    assert len(warnings) == 1 and "UTF-8" in warnings[0]


def test_a_config_file_that_is_a_fifo_or_dev_zero_warns_instead_of_hanging(tmp_path):
    import os

    locations = locations_in(tmp_path)
    locations.config_dir.mkdir(parents=True)
    path = locations.config_dir / "config.toml"
    os.mkfifo(path)  # read_bytes() blocked here, at every start
    assert load_settings(locations) == (
        Settings(), [f"{path}: cannot read: not a regular file (a FIFO); using default settings"])
    path.unlink()
    os.symlink("/dev/zero", path)  # read_bytes() read until memory ran out
    assert load_settings(locations) == (
        Settings(), [f"{path}: cannot read: not a regular file (a character device); using default settings"])
