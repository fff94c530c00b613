"""Persona lines on a real (null-sink) speaker, recorded from its monitor: heard, timed, stoppable."""

from __future__ import annotations

import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from conftest import AudioSandbox

from simulator.config import Audio
from simulator.scenario.model import Voice
from simulator.voice.devices import AudioUnavailable, check_input, check_output, list_devices
from simulator.voice.playback import SpeakerVoice, TeeVoice, WavFileVoice, resample, rms
from simulator.voice.ports import SimulatedClock, WallClock
from simulator.voice.tts import Speech, Synthesizer, shared_synthesizer

pytestmark = [pytest.mark.audio, pytest.mark.timeout(120)]

LONG_LINE = (
    "Thanks for calling Halden Freight. Daniel is in back to back meetings this afternoon, and he has asked "
    "me to screen every call about vendors, so before I take a message I need to know who you are, which "
    "company you are with, and what exactly this is regarding."
)
SHORT_LINE = "Halden Freight, Priya speaking. How can I help?"


class ToneSynthesizer(Synthesizer):
    """A steady tone instead of speech: no pauses between words, so the moment sound stops is exact."""

    def __init__(self, seconds: float = 6.0) -> None:
        super().__init__()
        self.seconds = seconds

    def synthesize(self, text: str, voice: Voice) -> Speech:
        rate = 22050
        count = int(self.seconds * rate * len(text) / max(1, len(LONG_LINE)))
        tone = 0.4 * np.sin(2 * np.pi * 440 * np.arange(count) / rate)
        return Speech(tone.astype(np.float32), rate)


@pytest.fixture
def speaker(audio_sandbox: AudioSandbox) -> SpeakerVoice:
    return SpeakerVoice(Audio(), WallClock())


def test_devices_of_the_rig_are_found(audio_sandbox: AudioSandbox) -> None:
    devices = list_devices()
    assert any(device.outputs > 0 for device in devices)
    assert any(device.default_output for device in devices)
    assert check_output().outputs > 0
    assert check_input().inputs > 0


def test_a_line_plays_on_the_speaker_and_is_recorded(audio_sandbox: AudioSandbox, speaker: SpeakerVoice) -> None:
    full = shared_synthesizer().synthesize(SHORT_LINE, Voice(variant="f3"))
    recorder = audio_sandbox.record()
    clock_start = speaker._clock.now()
    playback = speaker.speak(SHORT_LINE, Voice(variant="f3"))
    assert time.monotonic() - recorder.started_at < 30
    assert playback.wait(full.seconds + 5)
    time.sleep(0.3)
    recording = recorder.stop()

    assert playback.done and not playback.interrupted
    assert playback.heard_fraction() == 1.0
    assert playback.first_audio_at is not None and playback.finished_at is not None
    assert playback.first_audio_at - clock_start < 0.5  # latency from speak() to sound
    assert abs((playback.finished_at - playback.first_audio_at) - full.seconds) < 0.4
    active = recording.active()
    assert active is not None, "the speaker's monitor heard only silence"
    assert recording.loud_seconds() > 0.5 * full.seconds
    assert active[1] - active[0] == pytest.approx(full.seconds, abs=0.4)
    assert recording.rms() > 0.01
    assert playback.level() == 0.0


def test_level_follows_what_is_playing(audio_sandbox: AudioSandbox, speaker: SpeakerVoice) -> None:
    playback = speaker.speak(LONG_LINE, Voice())
    levels = []
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        levels.append(playback.level())
        time.sleep(0.02)
    playback.stop()
    assert playback.wait(1.0)
    assert max(levels) > 0.05
    assert playback.level() == 0.0


def test_stop_silences_the_speaker_within_200_ms(audio_sandbox: AudioSandbox) -> None:
    """Barge-in timing, measured on the speaker's monitor with a gap-free tone."""
    clock = WallClock()
    voice_out = SpeakerVoice(Audio(), clock, synthesizer=ToneSynthesizer(seconds=6.0))
    recorder = audio_sandbox.record()
    playback = voice_out.speak(LONG_LINE, Voice())
    time.sleep(1.5)
    stopped_at = clock.now()
    playback.stop()
    assert playback.wait(0.5), "stop() did not end the line"
    ended = clock.now()
    time.sleep(0.5)
    recording = recorder.stop()

    assert ended - stopped_at < 0.2
    assert playback.interrupted
    assert playback.first_audio_at is not None
    active = recording.active(threshold=0.05)
    assert active is not None
    played = active[1] - active[0]  # how long the tone sounded, from the monitor's own timeline
    asked = stopped_at - playback.first_audio_at  # how long it should have sounded
    assert played - asked < 0.2, (played, asked)
    assert played > asked - 0.15, (played, asked)
    assert 0.0 < playback.heard_fraction() < 0.5
    assert playback.heard_fraction() == pytest.approx(asked / 6.0, abs=0.08)


def test_barge_in_on_speech_cuts_the_line_short(audio_sandbox: AudioSandbox, speaker: SpeakerVoice) -> None:
    full = shared_synthesizer().synthesize(LONG_LINE, Voice())
    recorder = audio_sandbox.record()
    playback = speaker.speak(LONG_LINE, Voice())
    time.sleep(2.0)
    playback.stop()
    playback.stop()  # twice is fine
    assert playback.wait(0.3)
    time.sleep(0.3)
    recording = recorder.stop()
    assert playback.interrupted
    assert 0.1 < playback.heard_fraction() < 0.6
    assert recording.active() is not None
    assert recording.loud_seconds() < 0.6 * full.seconds
    assert playback.finished_at is not None and playback.first_audio_at is not None
    assert playback.finished_at - playback.first_audio_at < 2.5


def test_a_new_line_stops_the_one_still_playing(audio_sandbox: AudioSandbox, speaker: SpeakerVoice) -> None:
    first = speaker.speak(LONG_LINE, Voice())
    time.sleep(0.5)
    second = speaker.speak(SHORT_LINE, Voice(variant="f3"))
    assert first.done and first.interrupted
    assert second.wait(10) and not second.interrupted
    speaker.close()


def test_stop_before_any_sound_is_clean(audio_sandbox: AudioSandbox, speaker: SpeakerVoice) -> None:
    playback = speaker.speak(LONG_LINE, Voice())
    playback.stop()
    assert playback.wait(1.0)
    assert playback.interrupted
    assert playback.heard_fraction() < 0.1


def test_an_unknown_output_device_is_one_clear_line(audio_sandbox: AudioSandbox) -> None:
    with pytest.raises(AudioUnavailable) as caught:
        SpeakerVoice(Audio(output_device="no-such-speaker-xyz"), WallClock())
    message = str(caught.value)
    assert "\n" not in message
    assert "no speaker found" in message and "callsim practice --text" in message
    with pytest.raises(AudioUnavailable, match="no microphone found"):
        check_input("no-such-microphone-xyz")


# -- WAV files and the tee (no sound device needed) ----------------------------------------------------


def read(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wav:
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32) / 32768
        return data, wav.getframerate()


def test_wav_file_voice_writes_numbered_lines_and_lets_their_time_pass(tmp_path: Path) -> None:
    clock = SimulatedClock()
    voice_out = WavFileVoice(tmp_path / "out", clock)
    first = voice_out.speak(SHORT_LINE, Voice(variant="f3"), speaker="gatekeeper")
    second = voice_out.speak("Daniel Reyes.", Voice(variant="m3"), speaker="executive")
    third = voice_out.speak("Goodbye.", Voice())
    voice_out.close()
    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert names == ["01-gatekeeper.wav", "02-executive.wav", "03-persona.wav"]
    samples, rate = read(tmp_path / "out" / "01-gatekeeper.wav")
    assert rate == 22050 and rms(samples) > 0.02
    seconds = len(samples) / rate
    assert first.first_audio_at is not None and first.finished_at is not None
    assert first.finished_at - first.first_audio_at == pytest.approx(seconds, abs=0.01)
    assert second.first_audio_at is not None and second.first_audio_at > first.finished_at
    assert third.done and third.heard_fraction() == 1.0
    assert clock.now() > seconds


def test_tee_plays_and_writes_the_same_line(audio_sandbox: AudioSandbox, tmp_path: Path) -> None:
    clock = WallClock()
    files = WavFileVoice(tmp_path, clock, advance_clock=False)
    tee = TeeVoice(SpeakerVoice(Audio(), clock), files)
    before = clock.now()
    playback = tee.speak(SHORT_LINE, Voice(), speaker="gatekeeper")
    assert clock.now() - before < 0.2  # returns at once
    assert playback.wait(10)
    tee.close()
    samples, rate = read(tmp_path / "01-gatekeeper.wav")
    assert len(samples) / rate == pytest.approx((playback.finished_at or 0) - (playback.first_audio_at or 0), abs=0.4)


def test_resample_keeps_duration_and_pitch() -> None:
    rate = 22050
    tone = np.sin(2 * np.pi * 300 * np.arange(rate) / rate).astype(np.float32)
    out = resample(tone, rate, 48000)
    assert len(out) == 48000
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(np.argmax(spectrum) * 48000 / len(out) - 300) < 2
    assert resample(tone, rate, rate) is not None and len(resample(tone, rate, rate)) == rate


ALSA_PROBE = """
import ctypes, ctypes.util, sys
if sys.argv[1] == "callsim":
    from simulator.voice.devices import load_sounddevice
    load_sounddevice()
alsa = ctypes.cdll.LoadLibrary(ctypes.util.find_library("asound"))
pcm = ctypes.c_void_p()
assert alsa.snd_pcm_open(ctypes.byref(pcm), b"no_such_pcm_device", 0, 0) < 0
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ALSA is Linux's sound layer")
def test_alsa_chatter_never_reaches_the_terminal() -> None:
    """ALSA prints 'ALSA lib ...' for every device it cannot open; callsim's loader silences it."""
    plain = subprocess.run([sys.executable, "-c", ALSA_PROBE, "plain"], capture_output=True, text=True, timeout=60)
    assert plain.returncode == 0 and "ALSA lib" in plain.stderr  # the noise this is about
    quiet = subprocess.run([sys.executable, "-c", ALSA_PROBE, "callsim"], capture_output=True, text=True, timeout=60)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""


MISSING_PORTAUDIO = """
import ctypes.util
real = ctypes.util.find_library
ctypes.util.find_library = lambda name: None if "portaudio" in name else real(name)  # as if not installed
from simulator.voice.devices import AudioUnavailable, load_sounddevice
try:
    load_sounddevice()
except AudioUnavailable as error:
    print(error)
"""


def test_missing_portaudio_is_one_line_not_a_traceback() -> None:
    result = subprocess.run([sys.executable, "-c", MISSING_PORTAUDIO], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert "PortAudio" in lines[0] and "libportaudio2" in lines[0] and "callsim practice --text" in lines[0]
    assert "Traceback" not in result.stderr
