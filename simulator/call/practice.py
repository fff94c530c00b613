"""One practice call wired end to end: scenario, persona engine, caller input, persona voice, history, scoring.

The CLI (`callsim run`, `callsim practice --text`) and the Textual app build calls here, so every mode
records history and scores the same way.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from simulator.call.events import CallEvent
from simulator.call.inputs import LinesInput, PromptInput, TypedInput
from simulator.call.session import CallSession
from simulator.config import Settings, database_path, load_settings
from simulator.history.store import HistoryStore
from simulator.language.intents import load_intent_library
from simulator.language.mentions import Identity
from simulator.language.reading import Reader
from simulator.language.semantic import shared_embedder
from simulator.persona.engine import PersonaEngine
from simulator.scenario.loader import load_scenario, resolve_scenario
from simulator.scenario.model import Scenario
from simulator.scoring import score_transcript
from simulator.transcript import Transcript, Turn
from simulator.voice.ports import (
    CallerInput,
    Clock,
    PersonaVoice,
    PushToTalk,
    SimulatedClock,
    TakesTypedTurns,
    WallClock,
    WarmsUp,
)
from simulator.voice.silent import SilentVoice

CallerMode = Literal["lines", "typed", "prompt", "mic", "audio"]
ListeningMode = Literal["hands_free", "push_to_talk"]


@dataclass
class CallPlan:
    """What the user asked for: which scenario, how the caller speaks, how the personas are heard."""

    scenario: str  # an id or a path
    caller: CallerMode
    seed: int = 0
    lines: list[str] = field(default_factory=list)
    audio_files: list[Path] = field(default_factory=list)
    read_line: Callable[[], str | None] | None = None
    speak: bool = False  # play persona lines on the speaker
    persona_audio_out: Path | None = None
    save: bool = True


@dataclass
class CallResult:
    scenario: Scenario
    transcript: Transcript
    report: dict[str, Any] | None  # None when the caller said nothing: there is nothing to score
    call_id: int | None  # None when not saved (asked not to, or the caller said nothing)
    mode: CallerMode = "typed"

    @property
    def success(self) -> bool:
        return self.transcript.outcome in self.scenario.success


def load_call_scenario(reference: str) -> tuple[Scenario, Path]:
    path = resolve_scenario(reference)
    return load_scenario(path), path


class PracticeCall:
    """A call ready to run; `run()` blocks until it ends (run it in a worker thread from a UI)."""

    def __init__(
        self,
        plan: CallPlan,
        on_event: Callable[[CallEvent], None] | None = None,
        settings: Settings | None = None,
        scenario: Scenario | None = None,
    ) -> None:
        self.plan = plan
        self.settings = settings or load_settings()
        self.scenario = scenario if scenario is not None else load_call_scenario(plan.scenario)[0]
        embedder = shared_embedder()
        embedder.start()  # the sentence model loads in the background while the call sets up
        self.intents = load_intent_library(self.scenario, embedder)
        threading.Thread(target=self.intents.warm_up, name="callsim-intent-vectors").start()  # joined at exit
        self.engine = PersonaEngine(self.scenario, self.intents, seed=plan.seed, reader=self._reader())
        self.clock: Clock = WallClock() if plan.caller == "mic" or plan.speak else SimulatedClock()
        self._store: HistoryStore | None = HistoryStore(database_path()) if plan.save else None
        self._call_id: int | None = None
        self._store_lock = threading.Lock()
        self.caller = self._make_caller()
        self.voice = self._make_voice()
        self.session = CallSession(
            self.scenario,
            self.engine,
            self.caller,
            self.voice,
            self.clock,
            on_event=on_event or (lambda _event: None),
            on_turn=self._save_turn,
        )

    # -- wiring --------------------------------------------------------------------------------------

    def _reader(self) -> Reader:
        """The caller is the brief's, unless the user set their own name in settings ([caller])."""
        mine = self.settings.caller
        identity = None
        if mine.name or mine.company:
            brief = Identity.from_brief(self.scenario.brief.caller)
            identity = Identity(mine.name or brief.name, mine.company or brief.company)
        return Reader(self.scenario, self.intents, identity)

    def _make_caller(self) -> CallerInput:
        plan = self.plan
        if plan.caller == "lines":
            return LinesInput(plan.lines, self.clock)
        if plan.caller == "typed":
            return TypedInput(self.clock)
        if plan.caller == "prompt":
            assert plan.read_line is not None
            return PromptInput(self.clock, plan.read_line)
        from simulator.voice.capture import AudioFileInput, MicrophoneInput
        from simulator.voice.stt import Transcriber

        transcriber = Transcriber(self.settings.stt)
        vocabulary = self.scenario.vocabulary()
        if plan.caller == "audio":
            return AudioFileInput(plan.audio_files, self.settings, transcriber, vocabulary, self.clock)
        return MicrophoneInput(self.settings, transcriber, vocabulary, self.clock)

    def _make_voice(self) -> PersonaVoice:
        plan = self.plan
        if plan.speak:
            from simulator.voice.playback import SpeakerVoice

            speaker = SpeakerVoice(self.settings.audio, self.clock)
            if plan.persona_audio_out is not None:
                from simulator.voice.playback import TeeVoice, WavFileVoice

                return TeeVoice(speaker, WavFileVoice(plan.persona_audio_out, self.clock, advance_clock=False))
            return speaker
        if plan.persona_audio_out is not None:
            from simulator.voice.playback import WavFileVoice

            return WavFileVoice(plan.persona_audio_out, self.clock)
        return SilentVoice(self.clock)

    # -- history ------------------------------------------------------------------------------------

    def _save_turn(self, index: int, turn: Turn) -> None:
        if self._store is None:
            return
        with self._store_lock:
            if self._call_id is None:
                self._call_id = self._store.start_call(
                    self.scenario.id, [fact.fact for fact in self.scenario.research], mode=self.plan.caller
                )
            self._store.add_turn(self._call_id, index, turn)

    # -- running ------------------------------------------------------------------------------------

    def run(self) -> CallResult:
        try:
            transcript = self.session.run()
            earlier: list[str] = []
            if self._store is not None:
                earlier = self._store.earlier_openings(self.scenario.id, exclude=self._call_id)
            spoke = transcript.caller_spoke()
            report = score_transcript(transcript, earlier_openings=earlier).to_dict() if spoke else None
            if self._store is not None:
                with self._store_lock:
                    if not spoke:  # a hang-up before a word is no attempt: the persona's hello is not kept
                        if self._call_id is not None:
                            self._store.forget_call(self._call_id)
                        self._call_id = None
                    else:
                        if self._call_id is None:
                            self._call_id = self._store.start_call(
                                self.scenario.id, transcript.research, mode=self.plan.caller
                            )
                        self._store.finish_call(self._call_id, transcript.outcome, report)
            return CallResult(self.scenario, transcript, report, self._call_id, self.plan.caller)
        finally:
            self.close()

    def warm_up(self) -> bool:
        """Load the input's models now (blocking; run it beside the call); False when it has none to load."""
        if not isinstance(self.caller, WarmsUp):
            return False
        self.caller.warm_up()
        return True

    def warm_up_in_background(self) -> None:
        """Load the VAD and speech model beside the call, so the persona's first line does not wait for them.

        A failure here is left for the call to report when it first needs the model (one line, not a trace).
        """
        if not isinstance(self.caller, WarmsUp):
            return

        def load_quietly() -> None:
            with contextlib.suppress(Exception):
                self.warm_up()

        # not a daemon: a process that ends while the speech model loads would abort ("terminate called")
        threading.Thread(target=load_quietly, name="callsim-warm-up").start()

    # -- what the caller does during the call (the app's keys) --------------------------------------

    @property
    def listening_mode(self) -> ListeningMode:
        return self.settings.listening.mode

    @property
    def can_push_to_talk(self) -> bool:
        return isinstance(self.caller, PushToTalk)

    def set_listening_mode(self, mode: ListeningMode) -> None:
        """Hands-free or push-to-talk from the next audio window on (the turn detector reads it each window)."""
        if isinstance(self.caller, PushToTalk) and mode == "hands_free":
            self.caller.release()
        self.settings.listening.mode = mode

    def press_to_talk(self) -> None:
        if isinstance(self.caller, PushToTalk):
            self.caller.press()

    def release_to_talk(self) -> None:
        if isinstance(self.caller, PushToTalk):
            self.caller.release()

    def say(self, text: str) -> bool:
        """A typed caller turn; False when this call's input does not take typed text."""
        if not isinstance(self.caller, TakesTypedTurns):
            return False
        self.caller.submit(text)
        return True

    def hang_up(self) -> None:
        self.session.hang_up()

    def close(self) -> None:
        self.caller.close()
        self.voice.close()
        if self._store is not None:
            self._store.close()
            self._store = None
