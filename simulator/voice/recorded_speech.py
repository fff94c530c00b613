"""The words of one party's track with their times: Silero VAD (faster-whisper's), then Whisper with word timestamps.

Speech is found on the whole track first (ten minutes at a time: the VAD's working memory grows with what it
is given), then packed into windows that fill Whisper's 30 s input with the silences between them left out,
so the encoder works on speech only. Each window is transcribed on its own: memory stays flat
for any length, progress is reported and a cancel is honoured between windows, and each word's time is
mapped back to the recording's clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.voice.recording import SAMPLE_RATE, as_float
from simulator.voice.stt import Transcriber, is_hallucination

WINDOW_SECONDS = 28.0  # the longest span of speech (longer ones are split by the VAD at a pause)
WINDOW_LIMIT_SECONDS = 29.8  # Whisper's input is 30 s: what it hears of a group of spans stays within
VAD_BLOCK_SECONDS = 600.0  # the VAD takes a block at once (~50 MB for ten minutes); one-minute blocks missed turns
VAD_THRESHOLD = 0.5
MIN_SILENCE_MS = 300  # a pause this long separates two stretches of speech
PAD_SECONDS = 0.15  # audio either side of a span that Whisper hears (a word's edges), not counted as speech
MIN_SPEECH_MS = 120  # a click or a breath is not speech
GAP_SECONDS = 0.3  # silence put between two spans of speech in one window


class Cancelled(Exception):
    """The user stopped the transcription; nothing was saved."""


@dataclass(frozen=True)
class Word:
    start: float  # seconds on the recording's clock
    end: float
    text: str  # as Whisper wrote it, with its leading space


@dataclass(frozen=True)
class Span:
    """A stretch of speech in the track, in samples."""

    start: int
    end: int

    @property
    def seconds(self) -> float:
        return (self.end - self.start) / SAMPLE_RATE


# (speech seconds done, speech seconds in all) after each window
ProgressCallback = Callable[[float, float], None]


def speech_spans(track: np.ndarray) -> list[Span]:
    """Where there is speech in a track (int16 at 16 kHz), by faster-whisper's Silero VAD."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        threshold=VAD_THRESHOLD,
        min_silence_duration_ms=MIN_SILENCE_MS,
        speech_pad_ms=0,  # the spans are where speech is; Whisper gets PAD_SECONDS more either side
        min_speech_duration_ms=MIN_SPEECH_MS,
        max_speech_duration_s=WINDOW_SECONDS,
    )
    block = int(VAD_BLOCK_SECONDS * SAMPLE_RATE)
    spans: list[Span] = []
    for offset in range(0, len(track), block):
        samples = as_float(track[offset : offset + block])
        for found in get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE):
            span = Span(offset + int(found["start"]), offset + int(found["end"]))
            if spans and span.start - spans[-1].end <= 1 and span.start == offset:  # speech across two blocks
                spans[-1] = Span(spans[-1].start, span.end)
            else:
                spans.append(span)
    return spans


def windows(spans: Sequence[Span]) -> list[list[Span]]:
    """Spans packed in order into groups that fit one Whisper window with their padding and gaps.

    What Whisper hears of a group (each span, PAD_SECONDS either side, GAP_SECONDS between) must stay
    within its 30 s input: anything longer is decoded as a second, mostly empty window, which doubles the
    encoder's work and invites Whisper's invented "thank you".
    """
    packed: list[list[Span]] = []
    current: list[Span] = []
    seconds = GAP_SECONDS
    for span in spans:
        heard = span.seconds + 2 * PAD_SECONDS + GAP_SECONDS
        if current and seconds + heard > WINDOW_LIMIT_SECONDS:
            packed.append(current)
            current, seconds = [], GAP_SECONDS
        current.append(span)
        seconds += heard
    if current:
        packed.append(current)
    return packed


class TrackTranscriber:
    """Transcribes tracks with the loaded Whisper model, reporting progress and honouring a cancel."""

    def __init__(self, transcriber: Transcriber, cancel: threading.Event | None = None) -> None:
        self.transcriber = transcriber
        self.cancel = cancel or threading.Event()

    def words(
        self, track: np.ndarray, spans: Sequence[Span], on_window: Callable[[float], None] = lambda _s: None
    ) -> list[Word]:
        """Every word said on the track, in order; `on_window(seconds of speech)` after each window."""
        model = self.transcriber.whisper_model()
        found: list[Word] = []
        for group in windows(spans):
            if self.cancel.is_set():
                raise Cancelled("cancelled")
            found.extend(self._window_words(model, track, group))
            on_window(sum(span.seconds for span in group))
        if self.cancel.is_set():
            raise Cancelled("cancelled")
        return found

    def _window_words(self, model: Any, track: np.ndarray, group: Sequence[Span]) -> list[Word]:
        """One Whisper decode over the group's spans, each after GAP_SECONDS of silence, words on the call's clock.

        Text-only decoding (no timestamp tokens) with the words aligned afterwards: tiny.en's timestamp
        tokens sometimes jump over a sentence when speech is packed tight, and the words' own alignment
        does not need them. The short silences between spans keep sentences from running together.
        """
        gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
        pad = int(PAD_SECONDS * SAMPLE_RATE)
        heard = [Span(max(0, span.start - pad), min(len(track), span.end + pad)) for span in group]
        pieces = [gap]
        for span in heard:
            pieces += [as_float(track[span.start : span.end]), gap]
        audio = np.concatenate(pieces)
        # where each heard span starts inside the window, in seconds
        inside = GAP_SECONDS + np.cumsum([0.0] + [span.seconds + GAP_SECONDS for span in heard])[:-1]
        segments, _info = model.transcribe(
            audio,
            language="en",
            beam_size=self.transcriber.settings.beam_size,
            best_of=1,
            temperature=0.0,
            condition_on_previous_text=False,
            without_timestamps=True,
            word_timestamps=True,
            vad_filter=False,
        )
        words: list[Word] = []
        for segment in segments:
            if is_hallucination(segment.text, segment.no_speech_prob, segment.avg_logprob):
                continue
            for word in segment.words or ():
                if word.word.strip():
                    words.append(_on_the_call(word.start, word.end, word.word, inside, heard, group))
        return words


def _on_the_call(
    start: float, end: float, text: str, inside: np.ndarray, heard: Sequence[Span], group: Sequence[Span]
) -> Word:
    """A word's window times moved to the recording's clock, inside the span of speech it was said in."""
    middle = (start + end) / 2
    piece = max(0, int(np.searchsorted(inside - GAP_SECONDS / 2, middle, side="right")) - 1)
    span = group[piece]
    span_start, span_end = span.start / SAMPLE_RATE, span.end / SAMPLE_RATE
    shift = heard[piece].start / SAMPLE_RATE - float(inside[piece])
    moved_start = min(max(span_start, start + shift), span_end)
    moved_end = min(max(moved_start, end + shift), span_end)
    return Word(moved_start, moved_end, text)
