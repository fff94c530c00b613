"""The settings file: defaults when absent, and one line naming the file for every way it can be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.config import Settings, SettingsError, load_settings


def test_no_file_means_the_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "settings.toml") == Settings()


def test_a_valid_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('[stt]\nthreads = 2\n[audio]\nmode = "speaker"\n', encoding="utf-8")
    settings = load_settings(path)
    assert settings.stt.threads == 2 and settings.audio.mode == "speaker"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[stt\n", "Expected ']'"),
        (b"[stt]\nthreads = 'many'\n", "stt.threads: "),
        (b"[listening]\nend_pause = 300\n", "unknown setting [listening] end_pause (did you mean end_pause_ms?)"),
        (b"[stt]\nbeam = 2\n", "unknown setting [stt] beam (did you mean beam_size?)"),
        (b"[sst]\nthreads = 2\n", "unknown section sst (did you mean stt?)"),
        (b"[stt]\nqqqq = 2\n", "unknown setting [stt] qqqq (known: model, device, compute_type"),
        (b'[audio]\nmode = "loud\xe9"\n', "not UTF-8 text (byte 0xe9)"),
    ],
)
def test_a_bad_file_is_one_line_naming_it(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(content)
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text, text


def test_a_folder_in_place_of_the_file_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "settings.toml"
    folder.mkdir()
    with pytest.raises(SettingsError, match="is a folder, not a settings file"):
        load_settings(folder)
