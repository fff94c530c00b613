"""`callsim doctor`, run as a user runs it, against the audio rig."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MOUTH, SPEAKER, AudioSandbox

from simulator.cli.doctor import heard_share

pytestmark = [pytest.mark.audio, pytest.mark.model, pytest.mark.timeout(300)]


def doctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulator", "doctor", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


def settings_file(text: str) -> Path:
    path = Path(os.environ["CALLSIM_HOME"]) / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def check_lines(output: str) -> dict[str, str]:
    """'ok    speaker: ...' -> {'speaker': 'ok'} for every check line."""
    lines = {}
    for line in output.splitlines():
        status, _, rest = line.partition(" ")
        if status in ("ok", "FAIL", "info") and ":" in rest:
            lines[rest.strip().split(":", 1)[0]] = status
    return lines


@pytest.fixture
def speaker_leaks_into_mouth(audio_sandbox: AudioSandbox) -> Iterator[None]:
    """Laptop speakers: whatever plays on the speaker reaches the microphone (a PulseAudio loopback)."""
    env = audio_sandbox.subprocess_env()
    module = subprocess.run(
        ["pactl", "load-module", "module-loopback", f"source={SPEAKER}.monitor", f"sink={MOUTH}", "latency_msec=20"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    try:
        yield
    finally:
        subprocess.run(["pactl", "unload-module", module], env=env, capture_output=True)


def test_doctor_passes_on_a_working_machine(audio_sandbox: AudioSandbox) -> None:
    result = doctor(audio_sandbox.subprocess_env())
    assert result.returncode == 0, result.stdout + result.stderr
    checks = check_lines(result.stdout)
    for name in ("microphone", "speaker", "persona voice", "speech model", "speech-to-text", "test tone"):
        assert checks.get(name) == "ok", (name, result.stdout)
    assert "callsim_" not in result.stderr and "Traceback" not in result.stderr
    assert "default (ALSA)" in result.stdout  # the device list
    assert checks.get("audio mode") == "info"
    assert "headset" in result.stdout and "speaker" in result.stdout
    assert "did not pick the tone up" in result.stdout  # mouth and speaker are separate sinks
    assert result.stdout.rstrip().endswith("all checks passed")


def test_doctor_notices_the_microphone_hearing_the_speaker(
    audio_sandbox: AudioSandbox, speaker_leaks_into_mouth: None
) -> None:
    result = doctor(audio_sandbox.subprocess_env())
    assert result.returncode == 0, result.stdout + result.stderr
    tone_line = next(line for line in result.stdout.splitlines() if "test tone" in line)
    assert "the microphone hears the speaker" in tone_line
    level = float(tone_line.split("tone heard at ")[1].split(" dBFS")[0])
    assert level > -30
    assert 'set mode = "speaker"' in result.stdout


def test_doctor_explains_speaker_mode_when_set(audio_sandbox: AudioSandbox) -> None:
    settings_file('[audio]\nmode = "speaker"\n')
    result = doctor(audio_sandbox.subprocess_env(), "--no-tone")
    assert result.returncode == 0, result.stdout
    mode_line = next(line for line in result.stdout.splitlines() if line.startswith("info  audio mode"))
    assert "speaker ([audio] mode in" in mode_line
    assert "test tone" not in result.stdout


def test_a_missing_device_fails_with_one_line_each_and_exit_1(audio_sandbox: AudioSandbox) -> None:
    settings_file('[audio]\noutput_device = "no-such-speaker-xyz"\n')
    result = doctor(audio_sandbox.subprocess_env())
    assert result.returncode == 1
    checks = check_lines(result.stdout)
    assert checks["speaker"] == "FAIL" and checks["microphone"] == "ok"
    assert checks["test tone"] == "FAIL"
    speaker_line = next(line for line in result.stdout.splitlines() if line.startswith("FAIL  speaker"))
    assert "no-such-speaker-xyz" in speaker_line and "callsim practice --text" in speaker_line
    assert "Traceback" not in result.stdout + result.stderr
    assert "check(s) failed" in result.stdout


def test_a_broken_settings_file_is_a_failed_check_not_a_crash(audio_sandbox: AudioSandbox) -> None:
    path = settings_file("[audio\nmode = 1\n")
    result = doctor(audio_sandbox.subprocess_env(), "--no-tone")
    assert result.returncode == 1
    settings_line = next(line for line in result.stdout.splitlines() if line.startswith("FAIL  settings"))
    assert str(path) in settings_line
    assert check_lines(result.stdout)["speech-to-text"] == "ok"  # the other checks still ran
    assert "Traceback" not in result.stdout + result.stderr


def test_heard_share_counts_expected_words() -> None:
    assert heard_share("How can I help you today?", "how can i help you today") == 1.0
    assert heard_share("How can I help you today?", "how can you") == pytest.approx(0.5)
    assert heard_share("How can I help you today?", "") == 0.0
