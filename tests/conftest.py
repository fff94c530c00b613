"""Shared fixtures: a private CALLSIM_HOME for every test, and the real-audio rig.

The rig is a private PulseAudio daemon (scripts/audio-sandbox.sh) with two null sinks:
`callsim_mouth`, whose monitor is the default source (what the caller says goes in there and the
microphone hears it), and `callsim_speaker`, the default sink (what callsim plays; its monitor is recorded
to check what the personas said). `make test` starts it and exports PULSE_SERVER; a plain `pytest` starts
one of its own. In CI (CI=true) a missing rig fails the audio tests; elsewhere they are skipped with the
reason, so a machine without PulseAudio can still run the rest.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
TEST_AUDIO = REPO / "tests" / "data" / "audio"


def recorded_speech(name: str) -> Path:
    """Real recorded speech kept with the tests (see tests/data/audio/README.md)."""
    path = TEST_AUDIO / name
    assert path.is_file(), f"test audio {path} is missing"
    return path


SANDBOX_SCRIPT = REPO / "scripts" / "audio-sandbox.sh"
MOUTH = "callsim_mouth"
SPEAKER = "callsim_speaker"
RECORD_RATE = 16000


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def callsim_in_process(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    """Run the `callsim` entry point in this process, behind the same guard that turns errors into one line."""
    from simulator.cli import main

    monkeypatch.setattr(sys, "argv", ["callsim", *args])
    code = 0
    try:
        main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _private_callsim_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the real user folders (settings, history, user scenarios)."""
    home = tmp_path_factory.mktemp("callsim-home")
    monkeypatch.setenv("CALLSIM_HOME", str(home))
    return home


# -- the audio rig -------------------------------------------------------------------------------------


def _pulse_ok(env: dict[str, str]) -> bool:
    """A reachable server that has both callsim sinks."""
    if shutil.which("pactl") is None:
        return False
    try:
        result = subprocess.run(
            ["pactl", "list", "short", "sinks"], env=env, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    names = {line.split("\t")[1] for line in result.stdout.splitlines() if "\t" in line}
    return result.returncode == 0 and {MOUTH, SPEAKER} <= names


def _unavailable(reason: str) -> None:
    message = f"audio rig unavailable: {reason}"
    if in_ci():
        pytest.fail(message + " (CI must run the real-audio tests: `make test` starts the rig)")
    pytest.skip(message + "; run `make test`, or install pulseaudio pulseaudio-utils libasound2-plugins")


@dataclass
class Recording:
    """What a monitor heard: mono float32 at 16 kHz."""

    samples: np.ndarray
    rate: int = RECORD_RATE

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

    def envelope(self, window: float = 0.02) -> np.ndarray:
        """RMS per `window` seconds."""
        size = max(1, int(self.rate * window))
        count = len(self.samples) // size
        if count == 0:
            return np.zeros(0)
        blocks = self.samples[: count * size].reshape(count, size).astype(np.float64)
        return np.sqrt(np.mean(blocks**2, axis=1))

    def active(self, threshold: float = 0.01, window: float = 0.02) -> tuple[float, float] | None:
        """First and last moment (seconds into the recording) the sound was above `threshold` RMS."""
        loud = np.flatnonzero(self.envelope(window) > threshold)
        if len(loud) == 0:
            return None
        return float(loud[0] * window), float((loud[-1] + 1) * window)

    def loud_seconds(self, threshold: float = 0.01, window: float = 0.02) -> float:
        return float(np.count_nonzero(self.envelope(window) > threshold) * window)

    def rms(self) -> float:
        return float(np.sqrt(np.mean(self.samples.astype(np.float64) ** 2))) if len(self.samples) else 0.0


@dataclass
class MonitorRecorder:
    """parecord on a sink's monitor, raw PCM to a file; `stop()` returns the Recording."""

    device: str
    env: dict[str, str]
    path: Path
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0

    def start(self) -> MonitorRecorder:
        self.process = subprocess.Popen(
            [
                "parecord",
                f"--device={self.device}",
                "--raw",
                "--format=s16le",
                f"--rate={RECORD_RATE}",
                "--channels=1",
                "--latency-msec=10",
                str(self.path),
            ],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.started_at = time.monotonic()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # recording has begun once data reaches the file
            if self.path.exists() and self.path.stat().st_size > 0:
                break
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"parecord failed: {self.process.stderr.read().decode() if self.process.stderr else ''}"
                )
            time.sleep(0.01)
        return self

    def so_far(self) -> Recording:
        """What has been recorded up to now (the recording goes on)."""
        data = self.path.read_bytes() if self.path.exists() else b""
        data = data[: len(data) // 2 * 2]
        return Recording(np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0)

    def wait_for_sound_then_quiet(
        self, since: float, quiet: float = 1.0, timeout: float = 60.0, threshold: float = 0.01
    ) -> float:
        """Wait until something sounded after `since` (seconds into the recording) and then stopped for
        `quiet` seconds; returns the recording time the sound ended. Used to take turns with a persona."""
        deadline = time.monotonic() + timeout
        window = 0.02
        while time.monotonic() < deadline:
            envelope = self.so_far().envelope(window)
            start = int(since / window)
            loud = np.flatnonzero(envelope[start:] > threshold)
            if len(loud):
                last = start + int(loud[-1]) + 1
                if (len(envelope) - last) * window >= quiet:
                    return last * window
            time.sleep(0.05)
        raise TimeoutError(f"no persona line ended on the speaker within {timeout:.0f} s")

    def wait_for_sound(self, since: float, timeout: float = 60.0, threshold: float = 0.01) -> float:
        """Wait until something sounds after `since`; returns when (seconds into the recording)."""
        deadline = time.monotonic() + timeout
        window = 0.02
        while time.monotonic() < deadline:
            envelope = self.so_far().envelope(window)
            start = int(since / window)
            loud = np.flatnonzero(envelope[start:] > threshold)
            if len(loud):
                return (start + int(loud[0])) * window
            time.sleep(0.02)
        raise TimeoutError(f"nothing sounded on the speaker within {timeout:.0f} s")

    def stop(self) -> Recording:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        data = self.path.read_bytes() if self.path.exists() else b""
        data = data[: len(data) // 2 * 2]
        return Recording(np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0)


@dataclass
class AudioSandbox:
    """The running rig: its client environment and helpers to talk into the mouth and listen at the speaker."""

    directory: Path
    env: dict[str, str]
    started_here: bool
    _count: int = field(default=0)

    def subprocess_env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.env)
        env.update(extra)
        return env

    def record(self, device: str = f"{SPEAKER}.monitor") -> MonitorRecorder:
        """Start recording a monitor (the speaker's by default)."""
        self._count += 1
        path = self.directory / f"recording-{self._count}.raw"
        path.unlink(missing_ok=True)
        return MonitorRecorder(device, self.subprocess_env(), path).start()

    def say_into_mouth(self, wav: Path, wait: bool = True) -> subprocess.Popen[bytes]:
        """Play a WAV file into the caller's mouth: the default microphone hears it in real time."""
        process = subprocess.Popen(
            ["paplay", f"--device={MOUTH}", "--latency-msec=10", str(wav)],
            env=self.subprocess_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if wait:
            process.wait(timeout=120)
        return process


def _start_sandbox(directory: Path) -> dict[str, str]:
    result = subprocess.run(
        ["bash", str(SANDBOX_SCRIPT), "start", str(directory)], capture_output=True, text=True, timeout=60
    )
    if result.returncode != 0:
        _unavailable(result.stderr.strip() or "scripts/audio-sandbox.sh start failed")
    env = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    if "PULSE_SERVER" not in env:
        _unavailable("scripts/audio-sandbox.sh printed no PULSE_SERVER")
    return env


@pytest.fixture(scope="session")
def audio_sandbox() -> Iterator[AudioSandbox]:
    """The private PulseAudio rig, with PULSE_SERVER set for this process before sounddevice looks at it."""
    existing = {key: os.environ[key] for key in ("PULSE_SERVER", "PULSE_CLIENTCONFIG") if key in os.environ}
    for tool in ("pulseaudio", "pactl", "parecord", "paplay", "pacat"):
        if shutil.which(tool) is None:
            _unavailable(f"{tool} is not installed")
    if "PULSE_SERVER" in existing and _pulse_ok({**os.environ, **existing}):
        directory = Path(tempfile.mkdtemp(prefix="callsim-audio-"))
        sandbox = AudioSandbox(directory, existing, started_here=False)
    else:
        directory = Path(tempfile.mkdtemp(prefix="callsim-audio-"))
        env = _start_sandbox(directory)
        if not _pulse_ok({**os.environ, **env}):
            subprocess.run(["bash", str(SANDBOX_SCRIPT), "stop", str(directory)], capture_output=True, timeout=30)
            _unavailable("the private PulseAudio daemon has no callsim sinks")
        sandbox = AudioSandbox(directory, env, started_here=True)
    saved = {key: os.environ.get(key) for key in sandbox.env}
    os.environ.update(sandbox.env)
    _rescan_portaudio()
    try:
        yield sandbox
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if sandbox.started_here:
            subprocess.run(["bash", str(SANDBOX_SCRIPT), "stop", str(directory)], capture_output=True, timeout=30)
        shutil.rmtree(directory, ignore_errors=True)


def _rescan_portaudio() -> None:
    """PortAudio lists devices once, when sounddevice is imported; if that happened already, list again."""
    if "sounddevice" in sys.modules:
        from simulator.voice.devices import rescan

        rescan()


# -- caller speech -------------------------------------------------------------------------------------


def espeak_wav(
    text: str,
    path: Path,
    voice: str = "en-us",
    words_per_minute: int = 160,
    sentence_gap: float | None = None,
) -> Path:
    """A caller line spoken by espeak-ng (the command line tool, not callsim's own speech code).

    espeak pauses long between sentences when it speaks slowly (about 0.5 s at 130 wpm); `sentence_gap`
    speaks each sentence on its own and joins them with that pause instead, as a fluent speaker would.
    """
    if shutil.which("espeak-ng") is None:
        _unavailable("espeak-ng is not installed")

    def say(words: str, target: Path) -> None:
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", str(target), words],
            check=True,
            capture_output=True,
            timeout=60,
        )

    if sentence_gap is None:
        say(text, path)
        return path
    sentences = [part for part in re.split(r"(?<=[.!?])\s+", text.strip()) if part]
    pieces: list[np.ndarray] = []
    rate = 22050
    for n, sentence in enumerate(sentences):
        part = path.with_suffix(f".part{n}.wav")
        say(sentence, part)
        samples, rate = read_wav(part)
        part.unlink()
        loud = np.flatnonzero(np.abs(samples) > 0.01)
        if len(loud):
            samples = samples[loud[0] : loud[-1] + 1]
        if pieces:
            pieces.append(np.zeros(int(sentence_gap * rate), dtype=np.float32))
        pieces.append(samples)
    edge = np.zeros(int(0.1 * rate), dtype=np.float32)
    audio = np.concatenate([edge, *pieces, edge])
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
        if wav.getnchannels() > 1:
            data = data.reshape(-1, wav.getnchannels()).mean(axis=1)
    return data, rate
