"""Caller inputs that need no microphone: a lines file, and text typed in the TUI or the terminal."""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterable

from simulator.transcript import MAX_TURN_CHARS
from simulator.voice.ports import Clock, InputStatus, Notify, Playback, Utterance

CALLER_WORDS_PER_MINUTE = 150.0  # a typical conversational pace, for the timing of text turns
CALLER_GAP_SECONDS = 0.6  # the caller's pause before answering


def _speak_typed(clock: Clock, text: str, playing: Playback | None) -> Utterance:
    """Time a text turn as if it were said: after the persona's line, a short gap, then speaking time."""
    text = text[:MAX_TURN_CHARS]  # the last bound: entry points refuse longer turns with a message
    if playing is not None:
        playing.wait()
    clock.advance(CALLER_GAP_SECONDS)
    start = clock.now()
    clock.advance(len(text.split()) * 60.0 / CALLER_WORDS_PER_MINUTE)
    end = clock.now()
    return Utterance(text=text, start=start, end=end, transcript_ready=end)


class LinesInput:
    """One caller turn per line; the call ends when the lines run out."""

    def __init__(self, lines: Iterable[str], clock: Clock) -> None:
        self._lines = [line.strip() for line in lines if line.strip()]
        self._clock = clock

    def listen(self, playing: Playback | None, notify: Notify) -> Utterance | None:
        if not self._lines:
            return None
        notify(InputStatus("listening"))
        return _speak_typed(self._clock, self._lines.pop(0), playing)

    def close(self) -> None:
        self._lines.clear()


_CLOSED = object()


class TypedInput:
    """Text typed by the caller (TUI input box or a terminal prompt); `submit` may come from any thread."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._queue: queue.Queue[object] = queue.Queue()

    def submit(self, text: str) -> None:
        self._queue.put(text)

    def close(self) -> None:
        self._queue.put(_CLOSED)

    def listen(self, playing: Playback | None, notify: Notify) -> Utterance | None:
        notify(InputStatus("listening"))
        item = self._queue.get()
        if item is _CLOSED:
            self._queue.put(_CLOSED)  # stay closed for any later listen
            return None
        assert isinstance(item, str)
        if playing is not None and not playing.done:
            playing.stop()  # typing over a persona line interrupts it, as talking would
        return _speak_typed(self._clock, item, playing)


class PromptInput:
    """Typed turns read from a terminal prompt (`callsim practice --text`); end of input ends the call."""

    def __init__(self, clock: Clock, read_line: Callable[[], str | None]) -> None:
        self._clock = clock
        self._read_line = read_line

    def listen(self, playing: Playback | None, notify: Notify) -> Utterance | None:
        if playing is not None:
            playing.wait()
        notify(InputStatus("listening"))
        while True:
            line = self._read_line()
            if line is None:
                return None
            if line.strip():
                return _speak_typed(self._clock, line.strip(), None)

    def close(self) -> None:
        return None
