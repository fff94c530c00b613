"""Text from a file, the user or speech-to-text, made safe to show on a terminal.

A scenario is shared between people, so a persona line may hold an OSC 52 clipboard write, a window title,
a CSI that clears the screen, a C1 control (U+009B is CSI on its own), BEL, backspace or a carriage return
that hides what came before. Every character that a terminal would act on instead of showing is written
as its `\\uXXXX` escape, so it shows literally and no sequence can form, however the text is split into
writes. The same escape is what JSON uses, so a JSON document passed through stays valid and reads back
to the same strings. Lone surrogates (which cannot be encoded) and bidirectional overrides (which
reorder what is shown) are escaped too. Pure: no terminal or Textual import.
"""

from __future__ import annotations

import re

_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# C0 controls but tab and newline; DEL and C1; lone surrogates; bidi controls.
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_BIDI_CONTROLS}]")
# In one line, tab and newline (and the Unicode line breaks) are escaped too.
_UNSAFE_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029{_BIDI_CONTROLS}]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def terminal_safe(text: str) -> str:
    """text with every character a terminal acts on (escapes, controls, BEL, BS, CR) shown as `\\uXXXX`.

    Tab and newline are kept: they move the cursor forward only.
    """
    return _UNSAFE.sub(_escaped, text)


def one_line(text: str) -> str:
    """terminal_safe, with tab and line breaks escaped as well: for a table cell or a quoted value."""
    return _UNSAFE_IN_LINE.sub(_escaped, text)


def is_terminal_safe(text: str) -> bool:
    """True when terminal_safe would leave text as it is."""
    return _UNSAFE.search(text) is None


class SafeStream:
    """A text stream that passes every write through terminal_safe: the command line's stdout and stderr.

    Each character is judged on its own, so an escape split over two writes is still caught.
    """

    def __init__(self, stream: object) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_safe(text))  # type: ignore[attr-defined]
        return len(text)

    def isatty(self) -> bool:
        """False, so no library (Rich's help, click's colours) writes its own escape codes through the filter."""
        return False

    def __getattr__(self, name: str) -> object:
        if name == "buffer":  # no way around the filter (click writes to a stream's buffer if it can find one)
            raise AttributeError(name)
        return getattr(self._stream, name)
