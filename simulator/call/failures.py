"""What to tell the user when something fails: one line, never a traceback.

Errors meant for the user (a bad scenario file, no microphone, a locked history...) are shown as they are;
anything else is shown as one line and its full trace appended to the log. The command line and the app
both use this, so a failure reads the same in both.
"""

from __future__ import annotations

import traceback


def known_errors() -> tuple[type[BaseException], ...]:
    """Errors whose message is meant for the user as it is (one line, with FILE:LINE:COL where there is one)."""
    from simulator.call.prospect_role import RoleCuesError
    from simulator.config import SettingsError
    from simulator.history.store import HistoryError
    from simulator.scenario.loader import ScenarioError
    from simulator.transcript import TranscriptError
    from simulator.voice.capture import AudioFileError
    from simulator.voice.devices import AudioUnavailable
    from simulator.voice.recording import RecordingError
    from simulator.voice.stt import ModelUnavailable
    from simulator.voice.tts import SpeechError

    return (
        SettingsError,
        TranscriptError,
        HistoryError,
        ScenarioError,
        AudioUnavailable,
        AudioFileError,
        ModelUnavailable,
        SpeechError,
        RecordingError,
        RoleCuesError,
    )


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
    if isinstance(error, known_errors()):
        return str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"unexpected error: {type(error).__name__}: {error}{log_crash(error)}"
