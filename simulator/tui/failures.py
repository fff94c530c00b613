"""Failures inside the app become one line on screen; unexpected ones also go to the log with their trace."""

from __future__ import annotations

import traceback


def known_errors() -> tuple[type[BaseException], ...]:
    """Errors whose message is meant for the user as it is."""
    from simulator.config import SettingsError
    from simulator.history.store import HistoryError
    from simulator.scenario.loader import ScenarioError
    from simulator.transcript import TranscriptError
    from simulator.voice.devices import AudioUnavailable
    from simulator.voice.stt import ModelUnavailable

    return (SettingsError, HistoryError, ScenarioError, TranscriptError, AudioUnavailable, ModelUnavailable)


def one_line(error: BaseException) -> str:
    """The message for the screen; the full trace of an unexpected error is appended to the log."""
    if isinstance(error, known_errors()):
        return str(error).splitlines()[0] if str(error) else type(error).__name__
    from simulator.config import log_path

    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write("".join(traceback.format_exception(error)))
        where = f" (details in {path})"
    except OSError:
        where = ""
    return f"unexpected error: {type(error).__name__}: {error}{where}"
