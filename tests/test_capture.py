"""Caller inputs: audio files through the microphone's VAD/turn/STT path, barge-in, no-microphone errors."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import jiwer
import numpy as np
import pytest
from conftest import recorded_speech

from simulator.config import Settings
from simulator.voice.capture import AudioFileError, AudioFileInput, Listener, MicrophoneInput, rms
from simulator.voice.ports import InputEvent, InputLevel, InputStatus, SimulatedClock, Utterance, WallClock
from simulator.voice.stt import Transcriber
from simulator.voice.vad import WINDOW_SAMPLES, WINDOW_SECONDS

pytestmark = pytest.mark.model

NORMALISE = jiwer.Compose(
    [
        jiwer.ToLowerCase(),
        jiwer.RemovePunctuation(),
        jiwer.RemoveMultipleSpaces(),
        jiwer.Strip(),
        jiwer.ReduceToListOfListOfWords(),
    ]
)
LINES = [
    "Good morning, could I speak to the head of operations please?",
    "I am calling about the new warehouse you opened last month.",
    "Would Thursday morning at ten work for a short call?",
    "Thank you for your help, I will call back tomorrow.",
    "I will call you back on Thursday morning.",
]
# The line the single-listen microphone tests say. It is said in one breath: espeak leaves no pause in it long
# enough to end a turn (LINES[3] has a 220 ms comma pause, which a loaded machine can stretch past the 350 ms
# end-of-sentence pause). And tiny.en hears it the same however the rig shifts or resamples it:
# `bench/line_stability.py` gives it WER 0.00 in 30 varied runs, where LINES[1] ("calling about" heard as
# "calling him out of", which failed CI once) goes over 0.25 in 10 of 30.
ONE_BREATH = 4
JFK = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."


def wer(references: list[str], hypotheses: list[str]) -> float:
    return float(jiwer.wer(references, hypotheses, reference_transform=NORMALISE, hypothesis_transform=NORMALISE))


def espeak(text: str, path: Path, words_per_minute: int = 150) -> Path:
    subprocess.run(
        ["espeak-ng", "-v", "en", "-s", str(words_per_minute), "-w", str(path), text], check=True, capture_output=True
    )
    return path


def samples_of(path: Path) -> np.ndarray:
    from faster_whisper import decode_audio

    return decode_audio(str(path), sampling_rate=16000)


def write_wav(path: Path, audio: np.ndarray) -> Path:
    import wave

    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return path


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    model = Transcriber()
    model.load()
    return model


@pytest.fixture(scope="module")
def lines(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("caller")
    return [espeak(line, folder / f"line-{index}.wav") for index, line in enumerate(LINES)]


class LinePlaying:
    """A persona line 'playing' for a while: what the session hands to listen() (records stop())."""

    def __init__(self, seconds: float, level: float = 0.0) -> None:
        self.text = "Good morning, Daniel Reyes's office, Priya speaking. How can I help?"
        self._level = level
        self._until = time.monotonic() + seconds
        self.stopped = threading.Event()

    @property
    def done(self) -> bool:
        return self.stopped.is_set() or time.monotonic() >= self._until

    @property
    def interrupted(self) -> bool:
        return self.stopped.is_set()

    @property
    def first_audio_at(self) -> float | None:
        return 0.0

    @property
    def finished_at(self) -> float | None:
        return time.monotonic() if self.done else None

    def level(self) -> float:
        return 0.0 if self.done else self._level

    def heard_fraction(self) -> float:
        return 0.5

    def wait(self, timeout: float | None = None) -> bool:
        deadline = time.monotonic() + (timeout if timeout is not None else 1e9)
        while not self.done and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.done

    def stop(self) -> None:
        self.stopped.set()


# -- audio files ----------------------------------------------------------------------------------------


def test_each_file_is_one_turn_with_the_right_words(transcriber: Transcriber, lines: list[Path]) -> None:
    clock = SimulatedClock()
    caller = AudioFileInput(lines, Settings(), transcriber, ["Thursday"], clock)
    events: list[InputEvent] = []
    heard = []
    for _ in lines:
        utterance = caller.listen(None, events.append)
        assert utterance is not None
        heard.append(utterance)
    assert caller.listen(None, events.append) is None
    caller.close()
    assert wer(LINES, [utterance.text for utterance in heard]) <= 0.25, [u.text for u in heard]
    previous_end = 0.0
    for utterance, speech_end in zip(heard, caller.speech_ends, strict=True):
        assert previous_end < utterance.start < utterance.end
        assert utterance.end == pytest.approx(speech_end, abs=0.15)  # end of speech, on the call clock
        assert utterance.transcript_ready is not None and utterance.transcript_ready >= utterance.end
        previous_end = utterance.end
    assert clock.now() >= (heard[-1].transcript_ready or 0.0)
    statuses = [event.status for event in events if isinstance(event, InputStatus)]
    assert statuses[:3] == ["listening", "hearing", "idle"]
    assert any(isinstance(event, InputLevel) and event.level > 0.3 for event in events)


def test_real_speech_from_a_flac_file(transcriber: Transcriber) -> None:
    caller = AudioFileInput([recorded_speech("jfk.flac")], Settings(), transcriber, [], SimulatedClock())
    utterance = caller.listen(None, lambda _event: None)
    assert utterance is not None
    assert wer([JFK], [utterance.text]) <= 0.10, utterance.text
    assert caller.listen(None, lambda _event: None) is None


def test_silence_and_noise_are_no_turn(transcriber: Transcriber, lines: list[Path], tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    silence = write_wav(tmp_path / "silence.wav", np.zeros(16000 * 2, dtype=np.float32))
    hiss = write_wav(tmp_path / "hiss.wav", (rng.standard_normal(16000 * 2) * 0.02).astype(np.float32))
    cough = np.zeros(16000, dtype=np.float32)
    cough[4000:6400] = rng.standard_normal(2400) * 0.5
    bang = write_wav(tmp_path / "cough.wav", cough.astype(np.float32))
    caller = AudioFileInput([silence, hiss, bang, lines[2]], Settings(), transcriber, [], SimulatedClock())
    utterance = caller.listen(None, lambda _event: None)
    assert utterance is not None
    assert wer([LINES[2]], [utterance.text]) <= 0.25  # the first turn is the line, after 3 files of nothing
    assert caller.listen(None, lambda _event: None) is None


def test_a_file_with_pauses_inside_is_still_one_turn(
    transcriber: Transcriber, lines: list[Path], tmp_path: Path
) -> None:
    pause = np.zeros(int(1.5 * 16000), dtype=np.float32)
    both = write_wav(tmp_path / "both.wav", np.concatenate([samples_of(lines[1]), pause, samples_of(lines[2])]))
    caller = AudioFileInput([both], Settings(), transcriber, [], SimulatedClock())
    utterance = caller.listen(None, lambda _event: None)
    assert utterance is not None
    assert wer([LINES[1] + " " + LINES[2]], [utterance.text]) <= 0.25, utterance.text
    assert caller.listen(None, lambda _event: None) is None


def test_a_pause_after_and_in_a_file_does_not_split_the_turn(transcriber: Transcriber, tmp_path: Path) -> None:
    first = samples_of(espeak("We work with freight companies like yours and", tmp_path / "a.wav"))
    second = samples_of(espeak("I think we could help with your new depot.", tmp_path / "b.wav"))
    first = first[: np.flatnonzero(np.abs(first) > 0.01)[-1] + 1]
    joined = write_wav(tmp_path / "and.wav", np.concatenate([first, np.zeros(9600, dtype=np.float32), second]))
    listener_turns = []
    caller = AudioFileInput([joined], Settings(), transcriber, [], SimulatedClock())
    original = caller._listener.handle

    def spy(window: np.ndarray, now: float, notify: Any) -> Any:
        utterance = original(window, now, notify)
        if utterance is not None:
            listener_turns.append(utterance)
        return utterance

    caller._listener.handle = spy  # type: ignore[method-assign]
    utterance = caller.listen(None, lambda _event: None)
    assert utterance is not None
    assert len(listener_turns) == 1, [turn.text for turn in listener_turns]  # VAD/turns gave one turn
    assert "yours" in utterance.text.lower() and "help" in utterance.text.lower()


def test_files_are_fed_at_wall_clock_pace_on_a_real_clock(transcriber: Transcriber, lines: list[Path]) -> None:
    clock = WallClock()
    caller = AudioFileInput([lines[2]], Settings(), transcriber, [], clock)
    caller.warm_up()
    began = time.monotonic()
    utterance = caller.listen(None, lambda _event: None)
    took = time.monotonic() - began
    assert utterance is not None
    length = len(samples_of(lines[2])) / 16000
    assert took >= length  # not faster than someone saying it
    assert utterance.end == pytest.approx(caller.speech_ends[0], abs=0.15)
    assert utterance.transcript_ready is not None and utterance.transcript_ready <= clock.now()
    caller.close()


def test_the_caller_waits_for_the_persona_to_finish(transcriber: Transcriber, lines: list[Path]) -> None:
    playing = LinePlaying(0.5)
    caller = AudioFileInput([lines[2]], Settings(), transcriber, [], WallClock())
    utterance = caller.listen(playing, lambda _event: None)
    assert utterance is not None
    assert not playing.stopped.is_set()  # a file does not talk over the persona
    assert utterance.start >= 0.5


def test_unreadable_audio_is_one_line(transcriber: Transcriber, tmp_path: Path) -> None:
    with pytest.raises(AudioFileError) as missing:
        AudioFileInput([tmp_path / "nope.wav"], Settings(), transcriber, [], SimulatedClock())
    assert "nope.wav" in str(missing.value) and "\n" not in str(missing.value)
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(AudioFileError) as broken:  # found before the call starts, not at its turn
        AudioFileInput([recorded_speech("jfk.flac"), junk], Settings(), transcriber, [], SimulatedClock())
    words = "cannot decode this audio (a damaged or unusual file); use wav, flac, mp3 or ogg"
    assert str(broken.value) == f"{junk}: {words}"
    lines = tmp_path / "lines.txt"  # PyAV reads a longer text file as a picture, with no sound in it
    lines.write_text("".join(f"Hi Priya, this is Sam Carter from Brightline Analytics. Line {n}\n" for n in range(30)))
    with pytest.raises(AudioFileError) as text:
        AudioFileInput([lines], Settings(), transcriber, [], SimulatedClock())
    assert str(text.value) == f"{lines}: not an audio file (no sound in it); use wav, flac, mp3 or ogg"


# -- barge-in (the listener shared by microphone and files) ----------------------------------------------


def feed(listener: Listener, audio: np.ndarray, start: float = 0.0) -> list[Utterance]:
    """Feed audio (then 2 s of silence) window by window; return the utterances that came out."""
    audio = np.concatenate([audio, np.zeros(32000, dtype=np.float32)])
    audio = audio[: len(audio) // WINDOW_SAMPLES * WINDOW_SAMPLES]
    out = []
    for index, window in enumerate(audio.reshape(-1, WINDOW_SAMPLES)):
        utterance = listener.handle(window, start + (index + 1) * WINDOW_SECONDS, lambda _event: None)
        if utterance is not None:
            out.append(utterance)
    return out


def scaled(audio: np.ndarray, target_rms: float) -> np.ndarray:
    loud = audio[np.abs(audio) > 0.01]
    return (audio * (target_rms / rms(loud))).astype(np.float32)


def test_talking_over_the_persona_stops_it(transcriber: Transcriber, lines: list[Path]) -> None:
    listener = Listener(Settings(), transcriber, [], background=False)
    playing = LinePlaying(60)
    listener.begin(playing, lambda _event: None)
    heard = feed(listener, samples_of(lines[0]))
    assert playing.stopped.is_set()
    assert listener.barged_in
    assert len(heard) == 1 and wer([LINES[0]], [heard[0].text]) <= 0.25  # what was said over it is heard


def test_a_backchannel_does_not_interrupt(transcriber: Transcriber, tmp_path: Path) -> None:
    listener = Listener(Settings(), transcriber, [], background=False)
    playing = LinePlaying(60)
    listener.begin(playing, lambda _event: None)
    mm_hm = samples_of(espeak("Yeah.", tmp_path / "yeah.wav", words_per_minute=190))
    loud = np.flatnonzero(np.abs(mm_hm) > 0.01)
    assert (loud[-1] - loud[0]) / 16000 < 0.35  # a backchannel is short
    heard = feed(listener, mm_hm)
    assert not playing.stopped.is_set()
    assert heard == []  # and it is not a turn of its own


def test_speaker_mode_ignores_the_personas_echo(transcriber: Transcriber, lines: list[Path]) -> None:
    settings = Settings.model_validate({"audio": {"mode": "speaker"}})
    listener = Listener(settings, transcriber, [], background=False)
    playing = LinePlaying(60, level=0.1)
    listener.begin(playing, lambda _event: None)
    echo = scaled(samples_of(lines[1]), 0.08)  # the persona's voice coming back, quieter than it plays
    assert feed(listener, echo) == []
    assert not playing.stopped.is_set()
    caller = scaled(samples_of(lines[0]), 0.3)  # the caller, close to the mic
    heard = feed(listener, caller, start=10.0)
    assert playing.stopped.is_set()
    assert len(heard) == 1


def test_headset_mode_lets_any_speech_interrupt(transcriber: Transcriber, lines: list[Path]) -> None:
    listener = Listener(Settings(), transcriber, [], background=False)
    playing = LinePlaying(60, level=0.1)
    listener.begin(playing, lambda _event: None)
    feed(listener, scaled(samples_of(lines[1]), 0.08))
    assert playing.stopped.is_set()


# -- the microphone --------------------------------------------------------------------------------------


def test_no_microphone_is_one_line(transcriber: Transcriber) -> None:
    from simulator.voice.devices import AudioUnavailable

    settings = Settings.model_validate({"audio": {"input_device": "no such microphone anywhere"}})
    mic = MicrophoneInput(settings, transcriber, [], WallClock())
    with pytest.raises(AudioUnavailable) as caught:
        mic.listen(None, lambda _event: None)
    assert "\n" not in str(caught.value)
    assert "microphone" in str(caught.value)
    mic.close()


def test_the_audio_callback_only_copies(transcriber: Transcriber) -> None:
    mic = MicrophoneInput(Settings(), transcriber, [], WallClock())
    block = np.ones((WINDOW_SAMPLES, 1), dtype=np.float32)
    mic.on_audio(block, WINDOW_SAMPLES, None, None)
    block[:] = 0.0  # PortAudio reuses its buffer
    item = mic._queue.get_nowait()
    assert item is not None
    queued, _at = item
    assert queued.shape == (WINDOW_SAMPLES,) and queued.min() == 1.0
    mic.close()


def test_close_wakes_a_waiting_listen(transcriber: Transcriber) -> None:
    mic = MicrophoneInput(Settings(), transcriber, [], WallClock())
    mic._stream = object()  # as if the device were open: listen() waits on the queue
    result: list[object] = ["not returned"]
    thread = threading.Thread(target=lambda: result.__setitem__(0, mic.listen(None, lambda _event: None)))
    thread.start()
    time.sleep(0.1)
    mic._stream = None
    mic.close()
    thread.join(2)
    assert not thread.is_alive()
    assert result[0] is None


def test_the_wrap_up_listen_gives_up_after_silence_once_the_persona_is_done(transcriber: Transcriber) -> None:
    mic = MicrophoneInput(Settings(), transcriber, [], WallClock())
    mic._stream = object()  # as if the device were open and silent: listen() waits on the queue
    mic.give_up_after = 0.4
    started = time.monotonic()
    try:
        assert mic.listen(LinePlaying(0.6), lambda _event: None) is None
    finally:
        mic._stream = None
        mic.close()
    waited = time.monotonic() - started
    assert 0.6 + 0.4 <= waited < 0.6 + 0.4 + 1.0  # the quiet counts from the end of the persona's line


# -- the microphone on the PulseAudio rig (tests/conftest.py: the caller's mouth is the default input) ----


def say_later(audio_sandbox: Any, wav: Path, delay: float) -> threading.Thread:
    def speak() -> None:
        time.sleep(delay)
        audio_sandbox.say_into_mouth(wav)

    thread = threading.Thread(target=speak, daemon=True)
    thread.start()
    return thread


@pytest.mark.audio
@pytest.mark.timeout(120)
def test_the_microphone_hears_a_caller_line(audio_sandbox: Any, transcriber: Transcriber, lines: list[Path]) -> None:
    clock = WallClock()
    mic = MicrophoneInput(Settings(), transcriber, [], clock)
    try:
        mic.warm_up()
        mic.start()
        events: list[InputEvent] = []
        speaking = say_later(audio_sandbox, lines[ONE_BREATH], 0.5)
        utterance = mic.listen(None, events.append)
        speaking.join(30)
    finally:
        mic.close()
    assert utterance is not None
    assert wer([LINES[ONE_BREATH]], [utterance.text]) <= 0.25, utterance.text
    length = len(samples_of(lines[ONE_BREATH])) / 16000
    assert 0.3 < utterance.start < 2.5  # said 0.5 s after the stream opened (paplay takes a moment)
    assert utterance.end - utterance.start == pytest.approx(length, abs=0.6)
    assert utterance.transcript_ready is not None and utterance.end < utterance.transcript_ready <= clock.now()
    assert any(isinstance(event, InputLevel) and event.level > 0.3 for event in events)
    statuses = [event.status for event in events if isinstance(event, InputStatus)]
    assert statuses[0] == "listening" and "hearing" in statuses and statuses[-1] == "idle"


@pytest.mark.audio
@pytest.mark.timeout(120)
def test_talking_over_the_persona_at_the_microphone_stops_it(
    audio_sandbox: Any, transcriber: Transcriber, lines: list[Path]
) -> None:
    clock = WallClock()
    mic = MicrophoneInput(Settings(), transcriber, [], clock)
    playing = LinePlaying(30)
    stopped_at: list[float] = []

    def note_the_stop() -> None:
        if playing.stopped.wait(30):
            stopped_at.append(clock.now())

    threading.Thread(target=note_the_stop, daemon=True).start()
    try:
        mic.warm_up()
        mic.start()
        speaking = say_later(audio_sandbox, lines[ONE_BREATH], 0.3)
        utterance = mic.listen(playing, lambda _event: None)
        speaking.join(30)
    finally:
        mic.close()
    assert utterance is not None and mic.barged_in
    assert wer([LINES[ONE_BREATH]], [utterance.text]) <= 0.25, utterance.text  # what was said over the persona
    assert stopped_at, "the persona was not stopped"
    # stopped once the caller had talked for longer than a backchannel (400 ms), and promptly after that
    assert 0.4 <= stopped_at[0] - utterance.start <= 0.4 + 0.2 + 0.1


@pytest.mark.audio
@pytest.mark.timeout(120)
def test_push_to_talk_at_the_microphone(audio_sandbox: Any, transcriber: Transcriber, lines: list[Path]) -> None:
    settings = Settings.model_validate({"listening": {"mode": "push_to_talk"}})
    mic = MicrophoneInput(settings, transcriber, [], WallClock())
    result: list[Utterance | None] = []
    try:
        mic.warm_up()
        mic.start()
        listening = threading.Thread(target=lambda: result.append(mic.listen(None, lambda _event: None)))
        listening.start()
        audio_sandbox.say_into_mouth(lines[0])  # said without the key held: not a turn
        time.sleep(0.5)
        assert listening.is_alive()
        mic.press()
        audio_sandbox.say_into_mouth(lines[3])
        time.sleep(0.2)
        mic.release()
        listening.join(30)
    finally:
        mic.close()
    assert result and result[0] is not None
    assert wer([LINES[3]], [result[0].text]) <= 0.25, result[0].text
