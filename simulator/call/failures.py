"""What to tell the user when something fails: one line, never a traceback.

Errors meant for the user (a bad scenario file, no microphone, a locked history...) are shown as they are;
anything else is shown as one line and its full trace appended to the log. The command line and the app
both use this, so a failure reads the same in both.
"""

from __future__ import annotations

import traceback

from simulator.errors import CallsimError
from simulator.terminal_text import one_line as _one_terminal_line


def known_errors() -> tuple[type[BaseException], ...]:
    """Errors whose message is meant for the user as it is: the CallsimError family, nothing listed by hand."""
    return (CallsimError,)


def log_crash(error: BaseException) -> str:
    """Append the error's trace to the log; the words that say where it went (empty if it could not be written)."""
    from simulator.config import log_path

    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write("".join(traceback.format_exception(error)))
    except OSError:
        return ""
    return f" (details in {path})"


def one_line(error: BaseException) -> str:
    """The message for the user; an unexpected error's trace goes to the log."""
    if isinstance(error, CallsimError):
        return _one_terminal_line(error.one_line())
    return _one_terminal_line(f"unexpected error: {type(error).__name__}: {error}") + log_crash(error)
