"""End of turn: speech start, sentence-aware pauses, speculative transcription, push-to-talk."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from simulator.config import Listening, SpeechToText
from simulator.voice.stt import Transcriber, TranscriptionResult
from simulator.voice.turns import (
    NotSpeech,
    PartialTranscript,
    SpeechStarted,
    TurnDetector,
    TurnEnded,
    TurnEvent,
    ends_on_trailing_word,
    pause_needed_ms,
    sounds_finished,
)
from simulator.voice.vad import WINDOW_SAMPLES, WINDOW_SECONDS, StreamingVad

SPEECH, QUIET = 0.95, 0.02


class Words:
    """Stands in for Whisper in timing tests: says `text`, and records how much audio it was given."""

    def __init__(self, text: str | Callable[[int], str], seconds: float = 0.05) -> None:
        self.text = text
        self.seconds = seconds
        self.calls: list[int] = []

    def __call__(self, audio: np.ndarray) -> TranscriptionResult:
        self.calls.append(len(audio))
        text = self.text(len(self.calls)) if callable(self.text) else self.text
        return TranscriptionResult(text, 0.01, -0.2, self.seconds)


class Feeder:
    """Feeds (window, probability) pairs with a running call-clock time; collects the events."""

    def __init__(self, detector: TurnDetector) -> None:
        self.detector = detector
        self.now = 0.0
        self.events: list[TurnEvent] = []

    def feed(self, probability: float, windows: int = 1) -> list[TurnEvent]:
        new: list[TurnEvent] = []
        for _ in range(windows):
            self.now += WINDOW_SECONDS
            window = np.full(WINDOW_SAMPLES, 0.1 if probability > 0.5 else 0.0, dtype=np.float32)
            new += self.detector.feed(window, probability, self.now)
        self.events += new
        return new

    def until_turn_ends(self, limit_windows: int = 200) -> TurnEnded:
        for _ in range(limit_windows):
            for event in self.feed(QUIET):
                if isinstance(event, TurnEnded):
                    return event
        raise AssertionError(f"no end of turn; events: {self.events}")


def detector(words: Words, **settings: object) -> TurnDetector:
    return TurnDetector(Listening.model_validate(settings), words, background=False)


def ended(events: list[TurnEvent]) -> list[TurnEnded]:
    return [event for event in events if isinstance(event, TurnEnded)]


@pytest.mark.parametrize(
    ("text", "finished", "trailing"),
    [
        ("Is Daniel around?", True, False),
        ("I'll call back on Tuesday.", True, False),
        ("Great!", True, False),
        ("I noticed you opened a hub and", False, True),
        ("We work with companies like yours and...", False, True),
        ("I was wondering, um.", False, True),
        ("So.", False, True),
        ("because of the new depot,", False, False),  # a comma alone waits like unpunctuated text
        ("I was reading about the new depot", False, False),
        ("Who am I speaking with?", True, False),
        ("Who should I talk to?", True, False),
        ("Is he free, or?", False, True),
        ("I would like to talk to the.", False, True),
        ("Great, I will call him on Wednesday at two then.", True, False),
        ("I'd like that.", True, False),
        ("Could we talk on Thursday at 10?", True, False),
        ("Would Thursday at 10 work.", True, False),
        ("", False, False),
    ],
)
def test_finished_sentences_and_trailing_words(text: str, finished: bool, trailing: bool) -> None:
    assert sounds_finished(text) is finished
    assert ends_on_trailing_word(text) is trailing


def test_pause_needed_depends_on_the_words() -> None:
    settings = Listening(end_pause_ms=300, trailing_pause_ms=900)
    assert pause_needed_ms("Is Daniel around?", settings) == 300
    assert pause_needed_ms("I was calling about the hub and", settings) == 900
    assert pause_needed_ms("I was calling about the hub", settings) == 450


def test_speech_starts_after_a_few_speech_windows() -> None:
    feeder = Feeder(detector(Words("Hello."), speech_start_ms=96))
    assert feeder.feed(SPEECH, 2) == []
    feeder.feed(QUIET)  # a blip is not speech
    assert feeder.feed(SPEECH, 2) == []
    started = feeder.feed(SPEECH)
    assert len(started) == 1 and isinstance(started[0], SpeechStarted)
    assert started[0].at == pytest.approx(feeder.now - 3 * WINDOW_SECONDS)


def test_a_question_ends_the_turn_after_the_short_pause() -> None:
    feeder = Feeder(detector(Words("Is Daniel around?"), end_pause_ms=350, trailing_pause_ms=900))
    feeder.feed(SPEECH, 40)
    speech_end = feeder.now
    turn = feeder.until_turn_ends()
    assert turn.text == "Is Daniel around?"
    assert turn.end == pytest.approx(speech_end)
    assert 0.35 <= turn.decided_at - turn.end < 0.35 + 2 * WINDOW_SECONDS
    assert turn.start == pytest.approx(speech_end - 40 * WINDOW_SECONDS)
    assert len(turn.audio) >= 40 * WINDOW_SAMPLES  # the speech, plus the pre-roll before the VAD fired
    assert turn.discarded_speculations == 0


def test_a_trailing_and_waits_for_the_long_pause() -> None:
    feeder = Feeder(detector(Words("I noticed you opened a new hub and"), end_pause_ms=350, trailing_pause_ms=900))
    feeder.feed(SPEECH, 40)
    turn = feeder.until_turn_ends()
    assert 0.9 <= turn.decided_at - turn.end < 0.9 + 2 * WINDOW_SECONDS


def test_the_turn_waits_for_a_slow_transcription() -> None:
    feeder = Feeder(detector(Words("Is Daniel around?", seconds=0.6), speculative_pause_ms=96, end_pause_ms=350))
    feeder.feed(SPEECH, 30)
    turn = feeder.until_turn_ends()
    # speculation starts after ~96 ms of pause and takes 0.6 s: the turn ends when its text is there
    assert 0.096 + 0.6 <= turn.decided_at - turn.end < 0.096 + 0.6 + 3 * WINDOW_SECONDS


def test_speculation_is_thrown_away_when_the_caller_goes_on() -> None:
    words = Words(lambda call: "I noticed you opened a hub and" if call == 1 else "I noticed the hub and the depot.")
    feeder = Feeder(detector(words, speculative_pause_ms=96, end_pause_ms=350, trailing_pause_ms=900))
    feeder.feed(SPEECH, 30)
    feeder.feed(QUIET, 12)  # a 384 ms pause: transcribed speculatively ("... and": keep waiting)
    assert len(words.calls) == 1
    assert not ended(feeder.events)
    assert any(isinstance(event, PartialTranscript) for event in feeder.events)
    feeder.feed(SPEECH, 30)  # the caller goes on
    turn = feeder.until_turn_ends()
    assert turn.text == "I noticed the hub and the depot."
    assert turn.discarded_speculations == 1
    assert len(words.calls) == 2 and words.calls[1] > words.calls[0] + 30 * WINDOW_SAMPLES
    assert len(ended(feeder.events)) == 1


def test_noise_that_whisper_hears_no_words_in_is_not_a_turn() -> None:
    feeder = Feeder(detector(Words("")))
    feeder.feed(SPEECH, 8)
    for _ in range(40):
        feeder.feed(QUIET)
    assert not ended(feeder.events)
    assert any(isinstance(event, NotSpeech) for event in feeder.events)
    assert not feeder.detector.in_turn


def test_a_turn_is_cut_at_the_maximum_length() -> None:
    feeder = Feeder(detector(Words("On and on"), max_turn_seconds=2))
    events = feeder.feed(SPEECH, 100)
    turns = ended(events)
    assert len(turns) == 1
    assert turns[0].decided_at - turns[0].start == pytest.approx(2.0, abs=3 * WINDOW_SECONDS)


def test_push_to_talk_takes_the_audio_between_press_and_release() -> None:
    words = Words("Hello Priya.")
    feeder = Feeder(detector(words, mode="push_to_talk"))
    feeder.feed(SPEECH, 20)  # talking without the key held is not a turn
    assert feeder.events == []
    feeder.detector.press()
    feeder.feed(QUIET, 25)  # whatever the VAD says, the key decides
    feeder.detector.release()
    released = feeder.now
    turn = feeder.until_turn_ends()
    assert turn.text == "Hello Priya."
    assert 25 * WINDOW_SAMPLES <= len(turn.audio) <= 36 * WINDOW_SAMPLES
    # transcription (50 ms here) starts at release, not after a pause
    assert 0.05 <= turn.decided_at - released <= 0.05 + 2 * WINDOW_SECONDS
    assert len(ended(feeder.events)) == 1


def test_speculation_runs_in_the_background_and_is_picked_up_by_poll() -> None:
    words = Words("Is Daniel around?", seconds=0.0)

    def slowly(audio: np.ndarray) -> TranscriptionResult:
        time.sleep(0.2)
        return words(audio)

    slow = TurnDetector(Listening(), slowly, background=True)
    feeder = Feeder(slow)
    try:
        feeder.feed(SPEECH, 30)
        feeder.feed(QUIET, 4)  # speculation under way on the worker thread
        assert slow.transcribing
        feeder.feed(QUIET, 8)  # 384 ms of pause: long enough, but the text is not there yet
        assert not ended(feeder.events)
        deadline = time.monotonic() + 5
        turns: list[TurnEnded] = []
        while not turns and time.monotonic() < deadline:
            time.sleep(0.01)
            turns = ended(slow.poll(feeder.now))
        assert turns and turns[0].text == "Is Daniel around?"
    finally:
        slow.close()


# -- with real speech --------------------------------------------------------------------------------------


def espeak(text: str, path: Path) -> np.ndarray:
    from faster_whisper import decode_audio

    subprocess.run(["espeak-ng", "-v", "en", "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    audio = decode_audio(str(path), sampling_rate=16000)
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    return audio[: loud[-1] + 1]


@pytest.mark.model
def test_a_pause_after_and_does_not_end_the_turn(tmp_path: Path) -> None:
    first = espeak("We work with freight companies like yours and", tmp_path / "first.wav")
    second = espeak("I think we could help with your new depot.", tmp_path / "second.wav")
    pause = np.zeros(int(0.6 * 16000), dtype=np.float32)
    audio = np.concatenate([np.zeros(4096, dtype=np.float32), first, pause, second, np.zeros(32000, dtype=np.float32)])
    audio = audio[: len(audio) // WINDOW_SAMPLES * WINDOW_SAMPLES]
    transcriber = Transcriber(SpeechToText())
    turns = TurnDetector(Listening(), lambda samples: transcriber.transcribe(samples, []), background=False)
    vad = StreamingVad()
    events: list[TurnEvent] = []
    for index, window in enumerate(audio.reshape(-1, WINDOW_SAMPLES)):
        events += turns.feed(window, vad.probability(window), (index + 1) * WINDOW_SECONDS)
    finished = ended(events)
    assert len(finished) == 1, events
    text = finished[0].text.lower()
    assert "yours" in text and "help with your new" in text, text
    assert finished[0].discarded_speculations >= 1  # "... yours and..." was transcribed, then thrown away
    partials = [event.text for event in events if isinstance(event, PartialTranscript)]
    assert any(partial.rstrip(". ").lower().endswith("and") for partial in partials), partials


def test_a_detector_closed_mid_call_takes_no_more_work() -> None:
    words = Words("Is Daniel around?")
    closing = TurnDetector(Listening(), words, background=True)
    feeder = Feeder(closing)
    feeder.feed(SPEECH, 20)
    closing.close()  # the caller hung up
    feeder.feed(QUIET, 30)  # windows still in hand are handled without error, and lead nowhere
    assert words.calls == []
    assert not ended(feeder.events)


def test_a_final_comma_waits_like_unpunctuated_text_not_like_a_trailing_and() -> None:
    from simulator.config import Listening
    from simulator.voice.turns import pause_needed_ms

    settings = Listening()
    assert pause_needed_ms("is Daniel the right person to talk to about route costs,", settings) == pause_needed_ms(
        "is Daniel the right person to talk to about route costs", settings
    )
    assert pause_needed_ms("we looked at your hubs and,", settings) == settings.trailing_pause_ms
