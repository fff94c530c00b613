"""Persona speech: pyttsx3 synthesis into a buffer, so playback is ours to start and to stop.

pyttsx3 keeps one engine per process and is not thread-safe, so one dedicated thread owns the engine and
serves a queue of requests. Each line is written with `save_to_file` to a temporary file and read back as
float32 samples; `say()` is never used (espeak's driver shells out to aplay for it, which cannot be
stopped). espeak-ng on Linux; pyttsx3's own drivers (nsss, sapi5) on macOS and Windows.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import re
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from simulator.errors import CallsimError
from simulator.scenario.model import Voice

log = logging.getLogger(__name__)

_ENGINE_LOCK = threading.Lock()  # pyttsx3 has one engine per process: two synthesisers never drive it at once
SYNTHESIS_TIMEOUT = 30.0  # seconds; espeak-ng writes minutes of speech in well under a second

Warn = Callable[[str], None]


class Speech(NamedTuple):
    """Synthesised audio: mono float32 samples in [-1, 1] and their sample rate."""

    samples: np.ndarray
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


@dataclass(frozen=True)
class VoiceInfo:
    """A voice the platform's speech engine offers."""

    id: str
    name: str
    languages: tuple[str, ...] = ()


class SpeechError(CallsimError):
    """The speech engine failed (missing espeak-ng, a broken driver); one line for the user."""


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+")
_SPEAKABLE = re.compile(r"\w")


def split_sentences(text: str) -> list[str]:
    """Split a line into sentences so the first can play while the rest is synthesised."""
    parts = [part.strip() for part in _SENTENCE_END.split(text.strip())]
    return [part for part in parts if part]


def stream_pieces(text: str) -> list[str]:
    """The first sentence alone, then the rest of the line: how a line is synthesised for streaming."""
    sentences = split_sentences(text)
    return sentences[:1] + ([" ".join(sentences[1:])] if len(sentences) > 1 else [])


def is_speakable(text: str) -> bool:
    """Empty or punctuation-only text would make some drivers hang or fail; it is silence instead."""
    return bool(_SPEAKABLE.search(text or ""))


def driver_name() -> str:
    """The pyttsx3 driver for this platform (nsss on macOS, sapi5 on Windows, espeak elsewhere)."""
    if sys.platform == "darwin":
        return "nsss"
    if sys.platform == "win32":
        return "sapi5"
    return "espeak"


def _read_audio(path: Path) -> Speech:
    """Read what the driver wrote: WAV (espeak, sapi5) with the standard library, AIFF (nsss) with PyAV."""
    if path.stat().st_size == 0:
        return Speech(np.zeros(0, dtype=np.float32), 22050)
    try:
        with wave.open(str(path), "rb") as wav:
            rate = wav.getframerate()
            width = wav.getsampwidth()
            channels = wav.getnchannels()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError):
        return _read_with_av(path)
    if width == 2:
        samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 1:
        samples = (np.frombuffer(frames, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 4:
        samples = np.frombuffer(frames, dtype="<i4").astype(np.float32) / 2147483648.0
    else:
        return _read_with_av(path)
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return Speech(np.ascontiguousarray(samples, dtype=np.float32), rate)


def _read_with_av(path: Path) -> Speech:
    import av  # installed with faster-whisper; reads the AIFF macOS writes

    chunks: list[np.ndarray] = []
    rate = 22050
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.rate or rate
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    return Speech(samples.astype(np.float32), rate)


def _silence_driver_prints(driver: str) -> None:
    """pyttsx3's espeak driver prints 'Audio saved to ...' on stdout; that would corrupt `--json` output.

    Shadowing `print` in that module only (rather than redirecting the process's stdout) keeps other
    threads' output, such as a transcript being printed, intact.
    """
    import importlib

    try:
        module = importlib.import_module(f"pyttsx3.drivers.{driver}")
    except Exception:  # the engine would have failed to load already; nothing to silence
        return
    module.print = lambda *args, **kwargs: None  # type: ignore[attr-defined]


class _Request(NamedTuple):
    text: str
    voice: Voice
    result: Future[Speech]


class Synthesizer:
    """Owns the one pyttsx3 engine of the process on its own thread; `synthesize` may be called from any."""

    def __init__(self, driver: str | None = None, warn: Warn | None = None) -> None:
        self.driver = driver or driver_name()
        self._warn = warn or log.warning
        self._requests: queue.Queue[_Request | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._ready: Future[list[VoiceInfo]] = Future()
        self._resolved: dict[tuple[str | None, str | None], str | None] = {}
        self._warned: set[str] = set()
        self._default_voice: str | None = None
        self._tempdir: str | None = None

    # -- any thread ------------------------------------------------------------------------------------

    def synthesize(self, text: str, voice: Voice) -> Speech:
        """Speak `text` in `voice` into a buffer; empty or unspeakable text gives no samples."""
        if not is_speakable(text):
            return Speech(np.zeros(0, dtype=np.float32), 22050)
        self._start()
        result: Future[Speech] = Future()
        self._requests.put(_Request(text, voice, result))
        return result.result()

    def synthesize_stream(self, text: str, voice: Voice) -> Iterator[Speech]:
        """The first sentence alone (to start playing it at once), then the rest of the line in one piece."""
        for piece in stream_pieces(text):
            yield self.synthesize(piece, voice)

    def voices(self) -> list[VoiceInfo]:
        """The voices this platform's engine offers."""
        self._start()
        return self._ready.result()

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._requests.put(None)
            thread.join(timeout=5)

    # -- the engine thread -----------------------------------------------------------------------------

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="callsim-tts", daemon=True)
                self._thread.start()
        if self._ready.done() and self._ready.exception() is not None:
            raise SpeechError(str(self._ready.exception()))

    def _serve(self) -> None:
        with tempfile.TemporaryDirectory(prefix="callsim-tts-") as tempdir:
            self._tempdir = tempdir
            try:
                with _ENGINE_LOCK:
                    engine = self._open_engine()
            except Exception as error:  # no espeak-ng, a broken driver: every request gets one clear line
                message = f"speech synthesis is unavailable ({self.driver}): {error}"
                self._ready.set_exception(SpeechError(message))
                self._fail_requests()
                return
            while True:
                request = self._requests.get()
                if request is None:
                    break
                if not request.result.set_running_or_notify_cancel():
                    continue
                try:
                    with _ENGINE_LOCK:
                        speech = self._render(engine, request.text, request.voice)
                    request.result.set_result(speech)
                except Exception as error:
                    request.result.set_exception(SpeechError(f"could not synthesise speech: {error}"))

    def _fail_requests(self) -> None:
        error = self._ready.exception()
        while True:
            request = self._requests.get()
            if request is None:
                return
            request.result.set_exception(error or SpeechError("speech synthesis is unavailable"))

    def _open_engine(self) -> Any:
        import pyttsx3

        engine = pyttsx3.init(self.driver)
        _silence_driver_prints(self.driver)
        self._engine_errors: list[BaseException] = []
        self._utterance_done = threading.Event()
        engine.connect("error", self._on_engine_error)
        engine.connect("finished-utterance", self._on_utterance_done)
        self._default_voice = _as_str(engine.getProperty("voice"))
        voices = []
        for found in engine.getProperty("voices") or []:
            voices.append(
                VoiceInfo(
                    id=str(found.id),
                    name=str(found.name or found.id),
                    languages=tuple(str(language) for language in (found.languages or ())),
                )
            )
        self._engine = engine  # keep it alive: pyttsx3 holds engines only weakly
        # One short line first: until its first run loop pyttsx3 queues property changes and applies them
        # inside runAndWait, where espeak's driver may cancel them; afterwards they apply at once.
        self._save(engine, "ok")
        self._ready.set_result(voices)
        return engine

    def _on_utterance_done(self, name: object = None, completed: bool = True, **_: object) -> None:
        self._utterance_done.set()

    def _on_engine_error(self, name: object = None, exception: BaseException | None = None, **_: object) -> None:
        if exception is not None:
            self._engine_errors.append(exception)

    def _render(self, engine: Any, text: str, voice: Voice) -> Speech:
        wanted = self._voice_name(voice)
        if wanted is not None:
            engine.setProperty("voice", wanted)
        engine.setProperty("rate", voice.rate)
        engine.setProperty("volume", voice.volume)
        speech = self._save(engine, text)
        if wanted is not None and self.driver == "espeak" and "+" in wanted:
            current = _as_str(engine.getProperty("voice")) or ""
            if current.lower() != wanted.lower():
                # espeak ignores a variant it does not know; say so once and stop asking for it
                self._warn_once(wanted, f"espeak-ng has no variant {voice.variant!r}; using {current or 'default'}")
                self._resolved[(voice.id, voice.variant)] = wanted.split("+", 1)[0]
        return speech

    def _save(self, engine: Any, text: str) -> Speech:
        assert self._tempdir is not None
        suffix = ".aiff" if self.driver in ("nsss", "avspeech") else ".wav"
        fd, name = tempfile.mkstemp(suffix=suffix, dir=self._tempdir)
        os.close(fd)
        path = Path(name)
        try:
            self._utterance_done.clear()
            engine.save_to_file(text, str(path))
            self._settle()
            engine.runAndWait()
            # espeak's driver synthesises on espeak's own thread and runAndWait may return before the file
            # is written; its 'finished-utterance' notification comes after the write
            if self.driver == "espeak" and not self._utterance_done.wait(SYNTHESIS_TIMEOUT):
                raise SpeechError("espeak-ng did not finish the line")
            return _read_audio(path)
        finally:
            path.unlink(missing_ok=True)

    def _settle(self) -> None:
        """Let espeak apply queued settings (voice, rate, volume) before runAndWait, which cancels pending work."""
        if self.driver != "espeak":
            return
        from pyttsx3.drivers import _espeak

        deadline = time.monotonic() + 1.0
        while _espeak.IsPlaying() and time.monotonic() < deadline:
            time.sleep(0.001)

    def _voice_name(self, voice: Voice) -> str | None:
        """The name to give the driver for a scenario voice; an unknown id falls back to the default."""
        key = (voice.id, voice.variant)
        if key in self._resolved:
            return self._resolved[key]
        base = self._match_voice(voice.id) if voice.id else self._default_voice
        if voice.id and base is None:
            self._warn_once(
                voice.id, f"voice {voice.id!r} is not installed here; the persona speaks with the default voice"
            )
            base = self._default_voice
        name = base
        if voice.variant:
            if self.driver == "espeak" and base:
                name = f"{base.split('+', 1)[0]}+{voice.variant}"
            else:
                self._warn_once(f"variant:{voice.variant}", f"voice variant {voice.variant!r} needs espeak-ng; ignored")
        self._resolved[key] = name
        return name

    def _match_voice(self, wanted: str) -> str | None:
        voices = self._ready.result()
        needle = wanted.lower()
        base, _, variant = needle.partition("+")
        for info in voices:
            ident = info.id.lower()
            if needle in (ident, info.name.lower()):
                return info.id
            if base in (ident, info.name.lower()) or ident.rsplit("/", 1)[-1] == base:
                return f"{info.id}+{variant}" if variant and self.driver == "espeak" else info.id
        return None

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self._warn(message)


def _as_str(value: object) -> str | None:
    return str(value) if value else None


_shared: Synthesizer | None = None
_shared_lock = threading.Lock()


def shared_synthesizer() -> Synthesizer:
    """The process's one synthesiser (pyttsx3 allows one engine per process), started on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Synthesizer()
            atexit.register(_shared.close)
        return _shared


def synthesize(text: str, voice: Voice) -> Speech:
    """Speak `text` in `voice` into a buffer: `(samples float32 mono, rate)`."""
    return shared_synthesizer().synthesize(text, voice)


def synthesize_stream(text: str, voice: Voice) -> Iterator[Speech]:
    """Like `synthesize`, in pieces: the first sentence first so playback can start sooner."""
    return shared_synthesizer().synthesize_stream(text, voice)
