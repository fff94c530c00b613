"""The call session's turn loop over real scenarios, engine and inputs (no audio device needed)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from simulator.call.events import CallEnded, Interrupted, PersonaSpeaking, StatusChanged, TurnFinished
from simulator.call.inputs import LinesInput, TypedInput
from simulator.call.session import CallSession
from simulator.language.intents import load_intent_library
from simulator.persona.engine import PersonaEngine
from simulator.scenario.loader import load_scenario, resolve_scenario
from simulator.scenario.model import Scenario, Voice
from simulator.transcript import Turn
from simulator.voice.ports import SimulatedClock, WallClock
from simulator.voice.silent import SilentVoice

CALLERS = Path(__file__).parent / "data" / "callers"


def _scenario(scenario_id: str = "gatekeeper-screen") -> Scenario:
    return load_scenario(resolve_scenario(scenario_id))


def _session(lines: list[str], events: list[object], turns: list[tuple[int, Turn]]) -> CallSession:
    scenario = _scenario()
    clock = SimulatedClock()
    engine = PersonaEngine(scenario, load_intent_library(scenario), seed=1)
    return CallSession(
        scenario,
        engine,
        LinesInput(lines, clock),
        SilentVoice(clock),
        clock,
        on_event=events.append,
        on_turn=lambda index, turn: turns.append((index, turn)),
    )


def test_a_good_call_alternates_turns_with_increasing_times_and_ends_at_an_outcome() -> None:
    lines = (CALLERS / "gatekeeper-screen.good.txt").read_text().splitlines()
    events: list[object] = []
    turns: list[tuple[int, Turn]] = []
    transcript = _session(lines, events, turns).run()

    assert transcript.outcome in ("meeting_booked", "callback_scheduled")
    speakers = [turn.speaker for turn in transcript.turns]
    assert speakers[0] == "gatekeeper"
    assert all(a != b for a, b in zip(speakers, speakers[1:], strict=False)), speakers
    starts = [turn.start for turn in transcript.turns]
    assert starts == sorted(starts)
    assert all(turn.end > turn.start for turn in transcript.turns)
    # every turn was handed to the history in transcript order: a persona line as it starts and again as it
    # ends, a caller turn as it finishes and again with what the persona understood; the last save of each
    # index is the finished turn
    expected = [i for i, turn in enumerate(transcript.turns) for _ in range(2)]
    assert [index for index, _turn in turns] == expected
    readings = [turn.reading for turn in transcript.turns if turn.speaker == "caller"]
    assert all(reading is not None for reading in readings)
    assert readings[0] is not None and "introduce_self" in readings[0].intents
    assert {index: turn for index, turn in turns} == dict(enumerate(transcript.turns))
    assert isinstance(events[-1], CallEnded) and events[-1].reason == "outcome"
    assert StatusChanged("ended") in events
    # persona replies carry their latency chain
    replies = [turn for turn in transcript.turns[1:] if turn.speaker != "caller"]
    assert replies and all(turn.latency is not None and turn.latency.first_audio is not None for turn in replies)


def test_running_out_of_lines_ends_the_call_without_an_outcome() -> None:
    events: list[object] = []
    transcript = _session(["Hello, is this the right number?"], events, []).run()
    assert transcript.outcome is None
    assert [turn.speaker for turn in transcript.turns][:2] == ["gatekeeper", "caller"]
    ended = [event for event in events if isinstance(event, CallEnded)]
    assert ended and ended[0].reason == "input_ended"


def test_garbage_and_empty_turns_get_a_spoken_reaction() -> None:
    events: list[object] = []
    transcript = _session(["asdf qwerty zxcv", "uh", "..."], events, []).run()
    persona_lines = [turn.text for turn in transcript.turns if turn.speaker != "caller"]
    assert len(persona_lines) == 4
    assert all(line.strip() for line in persona_lines)
    assert sum(isinstance(event, PersonaSpeaking) for event in events) == 4


class _SlowPlayback:
    """A persona line that takes `seconds` of wall time unless stopped (stands in for a speaker)."""

    def __init__(self, text: str, seconds: float, clock: WallClock) -> None:
        self.text = text
        self._clock = clock
        self._started = clock.now()
        self._seconds = seconds
        self._stopped = threading.Event()
        self._finished_at: float | None = None
        self._interrupted = False

    @property
    def done(self) -> bool:
        return self._stopped.is_set() or self._clock.now() - self._started >= self._seconds

    @property
    def interrupted(self) -> bool:
        return self._interrupted

    @property
    def first_audio_at(self) -> float | None:
        return self._started

    @property
    def finished_at(self) -> float | None:
        if self._finished_at is None and self.done:
            self._finished_at = min(self._clock.now(), self._started + self._seconds)
        return self._finished_at

    def level(self) -> float:
        return 0.0

    def heard_fraction(self) -> float:
        end = self.finished_at if self.finished_at is not None else self._clock.now()
        return min(1.0, (end - self._started) / self._seconds)

    def wait(self, timeout: float | None = None) -> bool:
        remaining = self._seconds - (self._clock.now() - self._started)
        self._stopped.wait(max(0.0, min(remaining, timeout if timeout is not None else remaining)))
        return self.done

    def stop(self) -> None:
        if not self.done:
            self._interrupted = True
            self._finished_at = self._clock.now()
        self._stopped.set()


class _SlowVoice:
    def __init__(self, clock: WallClock) -> None:
        self._clock = clock

    def speak(self, text: str, voice: Voice, speaker: str | None = None) -> _SlowPlayback:
        return _SlowPlayback(text, 5.0, self._clock)

    def close(self) -> None:
        return None


def test_typing_over_a_persona_line_interrupts_it_and_hang_up_ends_the_call() -> None:
    scenario = _scenario()
    clock = WallClock()
    typed = TypedInput(clock)
    events: list[object] = []
    session = CallSession(
        scenario,
        PersonaEngine(scenario, load_intent_library(scenario), seed=0),
        typed,
        _SlowVoice(clock),
        clock,
        on_event=events.append,
    )
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(session.run()))
    worker.start()
    time.sleep(0.3)
    typed.submit("Hi, this is Sam Carter from Brightline Analytics.")
    deadline = time.monotonic() + 5
    while not any(isinstance(e, TurnFinished) and e.turn.speaker == "caller" for e in events):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    session.hang_up()
    worker.join(5)
    assert not worker.is_alive()
    transcript = session.transcript
    assert transcript.turns[0].interrupted and transcript.turns[0].heard is not None
    assert transcript.turns[0].heard < 0.5
    assert any(isinstance(event, Interrupted) and event.index == 0 for event in events)
    assert isinstance(events[-1], CallEnded) and events[-1].reason == "caller_hung_up"


def test_a_handoff_is_heard_as_the_gatekeeper_then_the_executive() -> None:
    scenario = _scenario("full-path")
    clock = SimulatedClock()
    lines = (CALLERS / "full-path.good.txt").read_text().splitlines()
    session = CallSession(
        scenario,
        PersonaEngine(scenario, load_intent_library(scenario), seed=0),
        LinesInput(lines, clock),
        SilentVoice(clock),
        clock,
    )
    transcript = session.run()
    speakers = [turn.speaker for turn in transcript.turns]
    first_executive = speakers.index("executive")
    assert speakers[first_executive - 1] == "gatekeeper"  # "putting you through" before the executive picks up
    assert transcript.turns[first_executive - 1].end <= transcript.turns[first_executive].start


def test_a_caller_still_talking_makes_the_persona_yield_and_answer_the_whole_turn() -> None:
    scenario = _scenario()
    clock = WallClock()
    typed = TypedInput(clock)
    engine = PersonaEngine(scenario, load_intent_library(scenario), seed=0)
    events: list[object] = []
    session = CallSession(scenario, engine, typed, _SlowVoice(clock), clock, on_event=events.append)
    worker = threading.Thread(target=session.run)
    worker.start()

    def persona_lines_started() -> int:
        return sum(isinstance(event, PersonaSpeaking) for event in events)

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 5
        while persona_lines_started() < count:
            assert time.monotonic() < deadline
            time.sleep(0.01)

    first = "Hi Priya, this is Sam Carter from Brightline Analytics."
    second = "I'm calling because Halden just opened the Leeds hub, and we benchmarked twelve similar hubs."
    wait_for(1)
    typed.submit(first)  # over the greeting: an ordinary interruption
    wait_for(2)
    typed.submit(second)  # within a second of the reply starting: the first turn was not over
    wait_for(3)
    session.hang_up()
    worker.join(5)
    turns = session.transcript.turns
    assert [turn.speaker for turn in turns[:5]] == ["gatekeeper", "caller", "gatekeeper", "caller", "gatekeeper"]
    assert turns[0].interrupted and not turns[0].yielded
    assert turns[2].interrupted and turns[2].yielded
    assert any(isinstance(e, Interrupted) and e.index == 2 and e.yielded for e in events)
    # the persona answered both sentences as one turn, from where the call stood before its yielded reply
    opening = engine.opening()
    assert turns[4].text == engine.respond(opening.state, f"{first} {second}").text


def test_after_a_yes_the_caller_confirms_it_back_and_the_persona_says_goodbye() -> None:
    from simulator.call.events import WrapUp
    from simulator.persona.lines import persona_lines

    lines = (CALLERS / "gatekeeper-screen.good.txt").read_text().splitlines()
    events: list[object] = []
    transcript = _session([*lines, "and one more thing", "and another"], events, []).run()
    outcome = transcript.outcome or ""
    assert outcome in ("meeting_booked", "callback_scheduled")
    yes, said, goodbye = transcript.turns[-3:]  # the wrap-up is one turn, then goodbye: nothing after
    assert said.speaker == "caller" and said.text == lines[-1]
    assert goodbye.speaker == yes.speaker and goodbye.text in persona_lines().closing[outcome]
    assert goodbye.latency is not None and goodbye.start >= said.end
    assert WrapUp(outcome) in events
    assert isinstance(events[-1], CallEnded) and events[-1].reason == "outcome"

    before_the_yes = [turn.text for turn in transcript.turns[:-2] if turn.speaker == "caller"]
    bare = _session(before_the_yes, [], []).run()  # no wrap-up line: the call ends at the yes
    assert bare.outcome == outcome and bare.turns == transcript.turns[:-2]


def test_a_rejection_gets_no_wrap_up_turn() -> None:
    from simulator.call.events import WrapUp

    lines = (CALLERS / "gatekeeper-screen.pushy.txt").read_text().splitlines()
    events: list[object] = []
    transcript = _session([*lines, "hello? hello?"] * 3, events, []).run()
    assert transcript.outcome in ("rejected", "hung_up", "message_taken")
    if transcript.outcome != "message_taken":
        assert transcript.turns[-1].speaker != "caller"
        assert not any(isinstance(event, WrapUp) for event in events)
