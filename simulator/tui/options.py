"""How the app runs calls, handed to each screen that needs it (screens never reach back into the app)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simulator.config import Settings

SpeakChoice = Literal["auto", "speaker", "silent"]


@dataclass(frozen=True)
class AppOptions:
    """How the app runs calls; the tests pick a silent voice, typed input and a steady cursor."""

    scenario_id: str | None = None  # open the Prepare screen of this scenario (id or path) at start
    typed: bool = False  # type the caller's turns even when a microphone is there
    speak: SpeakChoice = "auto"  # persona lines on the speaker, silent, or speaker when one exists
    seed: int = 0
    save: bool = True  # keep calls in the history
    cursor_blink: bool = True
    settings: Settings | None = None  # the settings file with command-line overrides; None: read the file
