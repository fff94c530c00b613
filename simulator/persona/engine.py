"""The scripted personas: (scenario, state, caller text) -> (persona reply, new state, outcome).

Pure and deterministic for a seed: no I/O, no audio, no clock. Randomness (which variant of a line, which
objection an executive raises) comes only from a `random.Random` seeded with (seed, turn).

The scenario's flow decides what happens; the engine applies the general rules every persona shares:
it reads the caller's turn (intents, research mentioned, name used, a concrete time), updates the facts
and counters, lowers patience for monologues, repeated pitches, pushiness, vague turns and unanswered
questions, raises interest for research, offers, good questions and objections answered, sends a persona
whose patience runs out to its `gives_up` state, and otherwise takes the first transition whose intents
were heard and whose condition holds. A turn that names a concrete time is never a decline ("Monday's no
good, how about Tuesday at 11?" proposes), so no flow can read a counter-proposal as a refusal.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from simulator.persona.intents import IntentLibrary, mentions_name, mentions_research, normalize, proposes_time
from simulator.scenario.model import Condition, Counter, Fact, Outcome, Persona, Role, Scenario, State, Transition

# Intents the engine adds itself when the turn shows them, whatever the phrasing.
MENTION_RESEARCH = "mention_research"
PROPOSE_TIME = "propose_time"
# A turn that names a concrete time is a counter-proposal, never a decline.
DECLINE = "decline"

# Intents that answer a question the persona asked (anything else leaves the question hanging).
ANSWERS = frozenset(
    {
        "answer_question",
        "introduce_self",
        "state_reason",
        "ask_for_person",
        "handle_objection",
        "accept",
        "decline",
        "propose_time",
        "offer_value",
        "ask_for_help",
        "ask_right_person",
        "mention_research",
        "greet",
        "thank",
        "goodbye",
    }
)
# Intents that answer an objection well (in a state marked `objection: true`).
OBJECTION_ANSWERS = frozenset({"handle_objection", "answer_question", "offer_value", "mention_research"})
PUSHY = frozenset({"entitled_demand", "rude"})
MAX_PATIENCE_LOSS_PER_TURN = 2
CALL_OVER_LINES = ("Sorry, I have to go now. Goodbye.", "I'm going to end the call here. Goodbye.")

# Outcomes after which the caller gets one more turn to confirm the next step back before the goodbye.
WRAP_UP_OUTCOMES = frozenset({"meeting_booked", "callback_scheduled", "message_taken"})
CLOSING_LINES: dict[str, tuple[str, ...]] = {
    "meeting_booked": ("Great. Speak then, bye for now.", "Perfect, talk then. Goodbye.", "Good. Until then, bye."),
    "callback_scheduled": ("Thanks. Speak then, bye.", "Okay, talk then. Goodbye.", "Fine. Bye for now."),
    "message_taken": ("I'll pass it on. Bye now.", "Will do. Goodbye.", "Noted. Thanks, bye."),
}

# What a persona says when the caller's turn moves nothing in the flow (the scenario may set its own).
GENERIC_SILENCE = (
    "Hello? Are you still there?",
    "Hello? I can't hear you.",
    "Sorry, you're breaking up. Could you say that again?",
)
GENERIC_NONSENSE = (
    "Sorry, I didn't catch that.",
    "I'm sorry, what was that?",
    "Sorry, could you say that again?",
)
GENERIC_WHO = (
    "Sorry, who did you say you were?",
    "And who's calling, please?",
    "Sorry, may I ask who's calling?",
)
GENERIC_WHY = (
    "And what is this regarding?",
    "Can I ask what it's about?",
    "Sorry, what's the call about?",
)
GENERIC_PUSHY = {
    "gatekeeper": ("I'm afraid I can't do that.", "That's not something I can do, I'm sorry."),
    "executive": ("I don't respond well to being pushed.", "Let's keep this civil, shall we?"),
}
GENERIC_LOST = (
    "I'm not sure I follow.",
    "Sorry, I'm not sure what you're asking.",
    "I'm not sure what you mean.",
)


@dataclass(frozen=True)
class CallerTurn:
    """What the engine heard in one caller turn (computed once; the lint reuses it across states)."""

    text: str
    intents: tuple[str, ...]
    research: frozenset[str]
    time: bool
    names: frozenset[Role]
    words: int

    @property
    def silent(self) -> bool:
        return self.words == 0


@dataclass(frozen=True)
class PersonaState:
    """Where the call stands after a turn. Frozen: the engine returns a new one for every turn.

    `credited` records what has already raised each persona's interest (a research fact, an offer, a
    question, being called by name), so saying it twice does not count twice.
    """

    state: str
    patience: dict[Role, int]
    interest: dict[Role, int]
    facts: frozenset[Fact] = frozenset()
    counters: dict[Counter, int] = field(default_factory=dict)
    last_line: str | None = None
    turn: int = 0
    credited: dict[Role, frozenset[str]] = field(default_factory=dict)
    question_pending: bool = False

    def counter(self, name: Counter) -> int:
        return self.counters.get(name, 0)


@dataclass(frozen=True)
class Reply:
    """What the persona on the line says next, the state after it, and the outcome when the call ends.

    `preface` holds lines spoken just before `text` by another persona: on a handoff the gatekeeper's
    "putting you through" comes before the executive picks up.
    """

    speaker: Role
    text: str
    state: PersonaState
    outcome: Outcome | None
    intents: tuple[str, ...]
    preface: tuple[tuple[Role, str], ...] = ()


class PersonaEngine:
    """Plays a scenario's personas for one call."""

    def __init__(self, scenario: Scenario, intents: IntentLibrary, seed: int = 0) -> None:
        self.scenario = scenario
        self.intents = intents
        self.seed = seed
        self._states = {state.id: state for state in scenario.states}
        self._roles: tuple[Role, ...] = tuple(
            role for role in ("gatekeeper", "executive") if self._persona_or_none(role) is not None
        )

    # -- the public API -------------------------------------------------------------------------

    def opening(self) -> Reply:
        """The persona picks up the phone (or, in a callback, calls the caller)."""
        start = self._states[self.scenario.start]
        state = PersonaState(
            state=start.id,
            patience={role: self.scenario.persona(role).traits.patience for role in self._roles},
            interest={role: self.scenario.persona(role).traits.interest for role in self._roles},
        )
        text = self._choose(start.say, None, self._rng(0))
        state = replace(state, last_line=text, question_pending=_asks(text))
        return Reply(start.persona, text, state, start.outcome, ())

    def closing(self, state: PersonaState) -> str:
        """The persona's goodbye after the caller's wrap-up turn (confirming the agreed next step)."""
        outcome = self._states[state.state].outcome
        lines = CLOSING_LINES.get(outcome or "", CLOSING_LINES["meeting_booked"])
        return self._choose(lines, state.last_line, self._rng(state.turn + 1))

    def speaker(self, state: PersonaState) -> Role:
        """The persona on the line in this state."""
        return self._states[state.state].persona

    def respond(self, state: PersonaState, caller_text: str) -> Reply:
        """The persona's answer to the caller's turn."""
        return self.advance(state, self.hear(caller_text))

    # -- the steps, public for the lint ---------------------------------------------------------

    def hear(self, caller_text: str) -> CallerTurn:
        """Read a caller turn: intents (plus the ones the engine infers), research, names, a time."""
        detected = [match.name for match in self.intents.detect(caller_text)]
        research = frozenset(mentions_research(caller_text, self.scenario.research))
        time = proposes_time(caller_text)
        if research and MENTION_RESEARCH not in detected:
            detected.append(MENTION_RESEARCH)
        if time and PROPOSE_TIME not in detected:
            detected.append(PROPOSE_TIME)
        if time and DECLINE in detected:
            # "Monday's no good, how about Tuesday at 11?" declines one slot by proposing another.
            detected.remove(DECLINE)
        names = frozenset(role for role in self._roles if mentions_name(caller_text, self.scenario.persona(role).name))
        words = len(normalize(caller_text).split())
        return CallerTurn(caller_text, tuple(detected), research, time, names, words)

    def advance(self, state: PersonaState, heard: CallerTurn) -> Reply:
        """The reply to an already-read caller turn (one seeded pick among `to:` targets)."""
        return self._step(state, heard, None)

    def branches(self, state: PersonaState, heard: CallerTurn) -> list[Reply]:
        """Every reply the turn can lead to, one per target of a `to:` list (the lint explores them all)."""
        first = self._step(state, heard, 0)
        replies = [first]
        for index in range(1, self._branch_count(state, heard)):
            replies.append(self._step(state, heard, index))
        return replies

    # -- the rules -----------------------------------------------------------------------------

    def _step(self, state: PersonaState, heard: CallerTurn, pick: int | None) -> Reply:
        current = self._states[state.state]
        role = current.persona
        turn = state.turn + 1
        rng = self._rng(turn)
        if current.outcome is not None:
            text = self._choose(CALL_OVER_LINES, state.last_line, rng)
            return Reply(role, text, replace(state, turn=turn, last_line=text), current.outcome, heard.intents)

        updated = self._update(state, current, heard, turn)
        if updated.patience.get(role, 1) <= 0:
            target = self._states[self.scenario.persona(role).gives_up]
            return self._enter(updated, current, target, [], heard, rng)

        transition = self._first_transition(current, updated, heard)
        if transition is None:
            lines = self._unmatched_lines(current, updated, heard)
            text = self._choose(lines, state.last_line, rng)
            after = replace(updated, last_line=text, question_pending=_asks(text))
            return Reply(role, text, after, None, heard.intents)

        targets = [transition.to] if isinstance(transition.to, str) else list(transition.to)
        index = rng.randrange(len(targets)) if pick is None else pick % len(targets)
        return self._enter(updated, current, self._states[targets[index]], transition.say, heard, rng)

    def _branch_count(self, state: PersonaState, heard: CallerTurn) -> int:
        current = self._states[state.state]
        if current.outcome is not None:
            return 1
        updated = self._update(state, current, heard, state.turn + 1)
        if updated.patience.get(current.persona, 1) <= 0:
            return 1
        transition = self._first_transition(current, updated, heard)
        if transition is None or isinstance(transition.to, str):
            return 1
        return len(transition.to)

    def _update(self, state: PersonaState, current: State, heard: CallerTurn, turn: int) -> PersonaState:
        """Facts, counters, patience and interest after the caller's turn (before any transition)."""
        role = current.persona
        persona = self.scenario.persona(role)
        intents = set(heard.intents)
        facts = set(state.facts)
        counters = dict(state.counters)
        credited = set(state.credited.get(role, frozenset()))
        loss = 0
        gain = 0

        def bump(name: Counter) -> int:
            counters[name] = counters.get(name, 0) + 1
            return counters[name]

        bump("turns")
        pushy = bool(intents & PUSHY)
        if "introduce_self" in intents:
            facts.add("introduced")
        if "ask_for_person" in intents:
            facts.add("asked_for_person")
        if "state_reason" in intents or heard.research:
            facts.add("reason_stated")
        if heard.research:
            facts.add("research_mentioned")
        if "offer_value" in intents:
            facts.add("value_offered")
        if "ask_question" in intents:
            facts.add("asked_question")
        if heard.time:
            facts.add("time_proposed")
        if role in heard.names:
            facts.add("used_name")

        if not intents:
            bump("vague_turns")
            loss += 1
        elif state.question_pending and not intents & ANSWERS:
            loss += 1  # the persona asked something and the caller talked past it
        if heard.words > persona.traits.monologue_words:
            bump("monologues")
            loss += 1
        if pushy:
            facts.add("entitled")
            bump("entitled_turns")
            loss += 2 if "rude" in intents else 1
            gain -= 1
        if "pitch_features" in intents and bump("pitches") >= 2:
            loss += 1  # one mention of the product is fine; a feature list is not

        for fact_id in sorted(heard.research):
            gain += _credit(credited, f"research:{fact_id}")
        if "offer_value" in intents:
            gain += _credit(credited, "offer")
        if "ask_question" in intents:
            gain += _credit(credited, "question")
        if role == "gatekeeper" and not pushy:
            # Treating the gatekeeper as a person: their name, their help.
            if role in heard.names:
                gain += _credit(credited, "name")
            if "ask_for_help" in intents:
                gain += _credit(credited, "help")
        if current.objection and intents & OBJECTION_ANSWERS and not pushy:
            facts.add("objection_handled")
            bump("objections_handled")
            gain += 1

        patience = dict(state.patience)
        interest = dict(state.interest)
        patience[role] = max(0, patience.get(role, persona.traits.patience) - min(loss, MAX_PATIENCE_LOSS_PER_TURN))
        interest[role] = max(0, interest.get(role, persona.traits.interest) + gain)
        return replace(
            state,
            patience=patience,
            interest=interest,
            facts=frozenset(facts),
            counters=counters,
            credited={**state.credited, role: frozenset(credited)},
            turn=turn,
        )

    def _first_transition(self, current: State, state: PersonaState, heard: CallerTurn) -> Transition | None:
        intents = set(heard.intents)
        for transition in current.transitions:
            if intents.intersection(transition.on) and self._holds(transition.when, state, current.persona):
                return transition
        return None

    def _holds(self, when: Condition, state: PersonaState, role: Role) -> bool:
        interest = state.interest.get(role, 0)
        checks = [
            all(fact in state.facts for fact in when.facts),
            not any(fact in state.facts for fact in when.not_facts),
            when.interest_at_least is None or interest >= when.interest_at_least,
            when.interest_below is None or interest < when.interest_below,
            all(state.counter(name) >= value for name, value in when.at_least.items()),
            all(state.counter(name) <= value for name, value in when.at_most.items()),
        ]
        if when.meeting_ready is not None:
            ready = interest >= self.scenario.persona(role).traits.meeting_threshold
            checks.append(ready == when.meeting_ready)
        return all(checks)

    def _enter(
        self,
        state: PersonaState,
        current: State,
        target: State,
        transition_say: Sequence[str],
        heard: CallerTurn,
        rng: random.Random,
    ) -> Reply:
        """Move to the target state; a handoff puts the transition's line before the new persona's."""
        preface: tuple[tuple[Role, str], ...] = ()
        if target.persona != current.persona:
            if transition_say:
                preface = ((current.persona, self._choose(transition_say, state.last_line, rng)),)
            lines: Sequence[str] = target.say
        else:
            lines = transition_say or target.say
        text = self._choose(lines, state.last_line, rng)
        after = replace(state, state=target.id, last_line=text, question_pending=_asks(text))
        return Reply(target.persona, text, after, target.outcome, heard.intents, preface)

    def _unmatched_lines(self, current: State, state: PersonaState, heard: CallerTurn) -> Sequence[str]:
        """A natural reaction when the turn moves nothing: the state's own, else one fitting the turn."""
        if heard.silent:
            return GENERIC_SILENCE
        if not heard.intents:
            # A word or two of nothing is likely misheard; a whole sentence was heard but went nowhere.
            return current.unmatched or (GENERIC_NONSENSE if heard.words <= 2 else GENERIC_LOST)
        if set(heard.intents) & PUSHY:
            return GENERIC_PUSHY[current.persona]
        if current.unmatched:
            return current.unmatched
        if current.persona == "gatekeeper" and "introduced" not in state.facts:
            return GENERIC_WHO
        if "reason_stated" not in state.facts:
            return GENERIC_WHY
        return GENERIC_LOST

    def _choose(self, lines: Sequence[str], last: str | None, rng: random.Random) -> str:
        """A seeded pick among the variants, never the line just said when there is another."""
        fresh = [line for line in lines if line != last] or list(lines)
        return fresh[rng.randrange(len(fresh))]

    def _rng(self, turn: int) -> random.Random:
        return random.Random(self.seed * 1_000_003 + turn)

    def _persona_or_none(self, role: Role) -> Persona | None:
        return self.scenario.personas.gatekeeper if role == "gatekeeper" else self.scenario.personas.executive


def _credit(credited: set[str], key: str) -> int:
    """One point of interest the first time something is said to a persona, none after."""
    if key in credited:
        return 0
    credited.add(key)
    return 1


def _asks(line: str) -> bool:
    return line.rstrip().endswith("?")
