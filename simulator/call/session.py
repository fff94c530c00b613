"""The turn loop of one call: persona speaks, caller answers, engine decides, until an outcome.

After an agreed outcome the caller has one more turn to confirm it back (the wrap-up), then the persona
says goodbye.

The session owns the transcript and emits events for whatever renders the call; it knows no screen and
no device. The same loop serves typed, lines-file, audio-file and microphone calls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from simulator.call.events import (
    CallEnded,
    CallEvent,
    CallStatus,
    Interrupted,
    PersonaSpeaking,
    StatusChanged,
    TurnFinished,
    WrapUp,
)
from simulator.persona.engine import WRAP_UP_OUTCOMES, PersonaEngine, PersonaState, Reply
from simulator.scenario.model import Role, Scenario
from simulator.transcript import Latency, Transcript, Turn
from simulator.voice.ports import (
    CallerInput,
    Clock,
    GivesUpAfterSilence,
    InputEvent,
    PersonaVoice,
    Playback,
    Utterance,
)

# A caller who talks over a persona's reply this soon after it began was not done: the pause the listener
# took for the end of their turn was a breath between sentences. People pause 200-600 ms between sentences,
# and ending turns quickly is what keeps the persona's answers prompt, so some of those pauses will be
# taken for the end; the persona then stops, as a person would, and answers the whole turn.
CONTINUATION_SECONDS = 1.0
# After a yes, a caller at the microphone who says nothing for this long has hung up (the wrap-up turn).
WRAP_UP_SILENCE_SECONDS = 6.0

EventSink = Callable[[CallEvent], None]
TurnSink = Callable[[int, Turn], None]


def _ignore_event(_event: CallEvent) -> None:
    return None


def _ignore_turn(_index: int, _turn: Turn) -> None:
    return None


class _PersonaLine:
    """A persona line in flight: its reply, its playback, and where it sits in the transcript."""

    def __init__(self, speaker: Role, text: str, playback: Playback, index: int, start: float, latency: Latency | None):
        self.speaker = speaker
        self.text = text
        self.playback = playback
        self.index = index
        self.start = start
        self.latency = latency


class CallSession:
    def __init__(
        self,
        scenario: Scenario,
        engine: PersonaEngine,
        caller: CallerInput,
        voice: PersonaVoice,
        clock: Clock,
        on_event: EventSink = _ignore_event,
        on_turn: TurnSink = _ignore_turn,
    ) -> None:
        self.scenario = scenario
        self._engine = engine
        self._caller = caller
        self._voice = voice
        self._clock = clock
        self._on_event = on_event
        self._on_turn = on_turn
        self._hung_up = threading.Event()
        self._lock = threading.Lock()
        self.transcript = Transcript(
            scenario=scenario.id, research=[fact.fact for fact in scenario.research], outcome=None, turns=[]
        )
        self.state: PersonaState | None = None
        self._last_line: _PersonaLine | None = None

    # -- called from other threads -------------------------------------------------------------------

    def hang_up(self) -> None:
        """The caller ends the call: stop the persona and wake the listener."""
        self._hung_up.set()
        line = self._last_line
        if line is not None:
            line.playback.stop()
        self._caller.close()

    def repeat_last_line(self) -> None:
        """'Could you say that again?': replay the persona's last line without a new turn."""
        line = self._last_line
        if line is not None and line.playback.done and not self._hung_up.is_set():
            self._voice.speak(line.text, self.scenario.persona(line.speaker).voice, speaker=line.speaker)

    # -- the loop --------------------------------------------------------------------------------------

    def run(self) -> Transcript:
        reason: Literal["outcome", "caller_hung_up", "input_ended"] = "input_ended"
        self._status("connecting")
        reply = self._engine.opening()
        self.state = reply.state
        line = self._speak(reply, latency=None)
        answered: tuple[PersonaState, str] | None = None  # the state and the caller's words `line` answers
        while True:
            if reply.outcome is not None:
                self.transcript.outcome = reply.outcome
                if reply.outcome in WRAP_UP_OUTCOMES:
                    self._wrap_up(line, reply)
                else:
                    line.playback.wait()
                    self._finish_persona_line(line)
                reason = "caller_hung_up" if self._hung_up.is_set() else "outcome"
                break
            self._status("listening")
            utterance = self._caller.listen(line.playback, self._forward_input_event)
            continuing = answered is not None and utterance is not None and self._still_talking(line, utterance)
            self._finish_persona_line(line, yielded=continuing)
            if utterance is None or self._hung_up.is_set():
                reason = "caller_hung_up" if self._hung_up.is_set() else "input_ended"
                break
            self._record_caller(utterance)
            self._status("thinking")
            if continuing and answered is not None:
                state_before, earlier_words = answered
                words = f"{earlier_words} {utterance.text}"
            else:
                state_before, words = self.state, utterance.text
            reply = self._engine.respond(state_before, words)
            self._record_reading(reply)
            answered = (state_before, words)
            self.state = reply.state
            latency = Latency(
                end_of_speech=utterance.end,
                transcript_ready=utterance.transcript_ready,
                reply_chosen=self._clock.now(),
            )
            line = self._speak(reply, latency)
        self._status("ended")
        self._on_event(CallEnded(self.transcript, reason))
        return self.transcript

    def _wrap_up(self, line: _PersonaLine, reply: Reply) -> None:
        """After a yes, one more caller turn to confirm it back and say who follows up; then goodbye.

        A voice caller who stays quiet for WRAP_UP_SILENCE_SECONDS after the persona's line is done has
        hung up; typed callers end it with their hang-up key.
        """
        self._on_event(WrapUp(reply.outcome or ""))
        self._status("listening")
        if isinstance(self._caller, GivesUpAfterSilence):  # a microphone: silence ends the call
            self._caller.give_up_after = WRAP_UP_SILENCE_SECONDS
        utterance = self._caller.listen(line.playback, self._forward_input_event)
        self._finish_persona_line(line)
        if utterance is None or self._hung_up.is_set():
            return
        self._record_caller(utterance)
        self._record_reading(replace(reply, reading=self._engine.hear(utterance.text)))
        self._status("thinking")
        latency = Latency(
            end_of_speech=utterance.end, transcript_ready=utterance.transcript_ready, reply_chosen=self._clock.now()
        )
        goodbye = self._speak_line(line.speaker, self._engine.closing(reply.state), reply, latency)
        goodbye.playback.wait()
        self._finish_persona_line(goodbye)

    def _speak(self, reply: Reply, latency: Latency | None) -> _PersonaLine:
        """Say a reply; on a handoff the gatekeeper's 'putting you through' is its own turn first."""
        for role, text in reply.preface:
            handoff = self._speak_line(role, text, reply, latency)
            handoff.playback.wait()
            self._finish_persona_line(handoff)
            latency = None
        return self._speak_line(reply.speaker, reply.text, reply, latency)

    def _speak_line(self, speaker: Role, text: str, reply: Reply, latency: Latency | None) -> _PersonaLine:
        persona = self.scenario.persona(speaker)
        playback = self._voice.speak(text, persona.voice, speaker=speaker)
        start = playback.first_audio_at if playback.first_audio_at is not None else self._clock.now()
        index = len(self.transcript.turns)
        turn = Turn(speaker=speaker, text=text, start=start, end=start, latency=latency)
        with self._lock:
            self.transcript.turns.append(turn)
        self._on_turn(index, turn)  # kept from the moment it is said; updated with its real end when finished
        line = _PersonaLine(speaker, text, playback, index, start, latency)
        self._last_line = line
        self._status("speaking")
        self._on_event(
            PersonaSpeaking(
                index=index,
                turn=turn,
                patience=reply.state.patience.get(speaker, 0),
                interest=reply.state.interest.get(speaker, 0),
            )
        )
        return line

    @staticmethod
    def _still_talking(line: _PersonaLine, utterance: Utterance) -> bool:
        """The caller cut in at once: the reply came during a pause inside their turn, not after it."""
        return line.playback.interrupted and utterance.start - line.start <= CONTINUATION_SECONDS

    def _finish_persona_line(self, line: _PersonaLine, yielded: bool = False) -> None:
        """Close a persona turn once its playback is over: its real end, and whether it was cut off."""
        playback = line.playback
        if not playback.done:
            playback.stop()
            playback.wait(1.0)
        end = playback.finished_at if playback.finished_at is not None else self._clock.now()
        first_audio = playback.first_audio_at
        latency = line.latency
        if latency is not None and first_audio is not None:
            latency = latency.model_copy(update={"first_audio": first_audio})
        turn = self.transcript.turns[line.index].model_copy(
            update={
                "start": first_audio if first_audio is not None else line.start,
                "end": max(end, line.start),
                "interrupted": playback.interrupted,
                "heard": round(playback.heard_fraction(), 3) if playback.interrupted else None,
                "yielded": yielded,
                "latency": latency,
            }
        )
        with self._lock:
            self.transcript.turns[line.index] = turn
        if playback.interrupted:
            self._on_event(Interrupted(line.index, turn.heard or 0.0, yielded=yielded))
        self._on_turn(line.index, turn)
        self._on_event(TurnFinished(line.index, turn))

    def _record_reading(self, reply: Reply) -> None:
        """Keep what the persona understood on the caller turn it answers (history saves it again)."""
        if reply.reading is None:
            return
        with self._lock:
            index = len(self.transcript.turns) - 1
            turn = self.transcript.turns[index]
            if turn.speaker != "caller":
                return
            turn = turn.model_copy(update={"reading": reply.reading.heard()})
            self.transcript.turns[index] = turn
        self._on_turn(index, turn)

    def _record_caller(self, utterance: Utterance) -> None:
        turn = Turn(
            speaker="caller", text=utterance.text, start=utterance.start, end=max(utterance.end, utterance.start)
        )
        with self._lock:
            self.transcript.turns.append(turn)
            index = len(self.transcript.turns) - 1
        self._on_turn(index, turn)
        self._on_event(TurnFinished(index, turn))

    def _status(self, status: CallStatus) -> None:
        self._on_event(StatusChanged(status))

    def _forward_input_event(self, event: InputEvent) -> None:
        self._on_event(event)
