"""The scripted personas: (scenario, state, caller turn) -> (persona reply, new state, outcome).

Pure and deterministic for a seed: no I/O, no audio, no clock. Randomness (which variant of a line, which
objection an executive raises) comes only from a `random.Random` seeded with (seed, turn).

The scenario's flow decides what happens; the engine applies the general rules every persona shares. It
reads the caller's turn once through the language layer (`simulator.language.reading`: intents, research,
who the caller is, days and times), updates the facts and counters, lowers patience for monologues,
repeated pitches, pushiness, vague turns and unanswered questions, raises interest for research, offers,
good questions and objections answered, sends a persona whose patience runs out to its `gives_up` state,
and otherwise takes the first transition whose intents were heard and whose condition holds. Three rules
keep a persona listening rather than looping: it never asks for the same thing more than a state's
`stuck.after` times (default 2) without moving the call on; it prefers a line it has not said yet in this
call and an objection it has not raised yet; and nothing is booked before a day or time was proposed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from simulator.language.intents import IntentLibrary
from simulator.language.reading import Reader, Reading
from simulator.persona.lines import persona_lines
from simulator.scenario.model import Condition, Counter, Fact, Outcome, Persona, Role, Scenario, State, Transition

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
# Interest an executive starts with when the assistant puts the caller through (they were briefed).
HANDOFF_INTEREST = 2
# Re-prompts in one state before the persona moves the call on, when the state sets no `stuck:`.
DEFAULT_REPROMPTS = 2

# Outcomes after which the caller gets one more turn to confirm the next step back before the goodbye.
WRAP_UP_OUTCOMES = frozenset({"meeting_booked", "callback_scheduled", "message_taken"})
# Outcomes that book a time: never entered before a day or time was proposed.
BOOKINGS = frozenset({"meeting_booked", "callback_scheduled"})


@dataclass(frozen=True)
class PersonaState:
    """Where the call stands after a turn. Frozen: the engine returns a new one for every turn.

    `credited` records what has already raised each persona's interest (a research fact, an offer, a
    question, being called by name), so saying it twice does not count twice. `reprompts` counts the
    caller's turns in a row that left the call where it was; `said` holds every line already spoken.
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
    reprompts: int = 0
    said: frozenset[str] = frozenset()
    visited: frozenset[str] = frozenset()

    def counter(self, name: Counter) -> int:
        return self.counters.get(name, 0)


@dataclass(frozen=True)
class Reply:
    """What the persona on the line says next, the state after it, and the outcome when the call ends.

    `preface` holds lines spoken just before `text` by another persona: on a handoff the gatekeeper's
    "putting you through" comes before the executive picks up. `reading` is what the persona understood.
    """

    speaker: Role
    text: str
    state: PersonaState
    outcome: Outcome | None
    intents: tuple[str, ...]
    preface: tuple[tuple[Role, str], ...] = ()
    reading: Reading | None = None


class PersonaEngine:
    """Plays a scenario's personas for one call."""

    def __init__(self, scenario: Scenario, intents: IntentLibrary, seed: int = 0, reader: Reader | None = None) -> None:
        self.scenario = scenario
        self.intents = intents
        self.seed = seed
        self.reader = reader or Reader(scenario, intents)
        self.lines = persona_lines()
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
        text = self._choose(start.say, state, self._rng(0))
        state = replace(state, last_line=text, question_pending=_asks(text), said=frozenset({text}),
                        visited=frozenset({start.id}))  # fmt: skip
        return Reply(start.persona, text, state, start.outcome, ())

    def closing(self, state: PersonaState) -> str:
        """The persona's goodbye after the caller's wrap-up turn (confirming the agreed next step)."""
        outcome = self._states[state.state].outcome or "meeting_booked"
        lines = self.lines.closing.get(outcome) or self.lines.closing["meeting_booked"]
        return self._choose(lines, state, self._rng(state.turn + 1))

    def speaker(self, state: PersonaState) -> Role:
        """The persona on the line in this state."""
        return self._states[state.state].persona

    def respond(self, state: PersonaState, caller_text: str) -> Reply:
        """The persona's answer to the caller's turn."""
        return self.advance(state, self.hear(caller_text, state.last_line))

    # -- the steps, public for the lint ---------------------------------------------------------

    def hear(self, caller_text: str, after: str | None = None) -> Reading:
        """Read a caller turn (the one reading the report shows too); `after`: the line it answers."""
        return self.reader.read(caller_text, after)

    def advance(self, state: PersonaState, heard: Reading) -> Reply:
        """The reply to an already-read caller turn (one seeded pick among `to:` targets)."""
        return self._step(state, heard, None)

    def branches(self, state: PersonaState, heard: Reading) -> list[Reply]:
        """Every reply the turn can lead to, one per target of a `to:` list (the lint explores them all)."""
        first = self._step(state, heard, 0)
        replies = [first]
        for index in range(1, self._branch_count(state, heard)):
            replies.append(self._step(state, heard, index))
        return replies

    # -- the rules -----------------------------------------------------------------------------

    def _step(self, state: PersonaState, heard: Reading, pick: int | None) -> Reply:
        current = self._states[state.state]
        role = current.persona
        turn = state.turn + 1
        rng = self._rng(turn)
        if current.outcome is not None:
            text = self._choose(self.lines.call_over, state, rng)
            return self._said(Reply(role, text, replace(state, turn=turn), current.outcome, heard.intents), heard)

        updated = self._update(state, current, heard, turn)
        if updated.patience.get(role, 1) <= 0:
            target = self._states[self.scenario.persona(role).gives_up]
            return self._enter(updated, current, target, [], heard, rng)

        transition = self._first_transition(current, updated, heard)
        targets: list[str] = []
        if transition is not None:
            targets = [transition.to] if isinstance(transition.to, str) else list(transition.to)
        progressed = self._progressed(state, updated) or any(t != current.id for t in targets)
        if not progressed and state.reprompts + 1 > self._reprompt_limit(current):
            return self._move_on(updated, current, heard, rng, pick)

        if transition is None:
            lines = self._unmatched_lines(current, updated, heard)
            text = self._choose(lines, updated, rng)
            after = replace(updated, question_pending=_asks(text), reprompts=0 if progressed else state.reprompts + 1)
            return self._said(Reply(role, text, after, None, heard.intents), heard)

        target = self._states[self._pick_target(targets, updated, rng, pick)]
        if target.outcome in BOOKINGS and "time_proposed" not in updated.facts:
            # Nothing is booked before a day or a time was proposed: ask for one first.
            text = self._choose(self.lines.ask_time, updated, rng)
            after = replace(updated, question_pending=True, reprompts=0 if progressed else state.reprompts + 1)
            return self._said(Reply(role, text, after, None, heard.intents), heard)
        reply = self._enter(updated, current, target, transition.say if transition else [], heard, rng)
        if target.id == current.id:
            reply = replace(reply, state=replace(reply.state, reprompts=0 if progressed else state.reprompts + 1))
        return self._already_answered(reply, target, heard, rng)

    def _already_answered(self, reply: Reply, entered: State, heard: Reading, rng: random.Random) -> Reply:
        """A turn that already holds the answer to the question the new state asks is taken as that answer.

        "...I'd love to share the figures with Daniel. Could I try him tomorrow at half past ten?" gets the
        slot booked at once, rather than "When could you call him back?" after the time was given.
        """
        if reply.outcome is not None or entered.persona != reply.speaker:
            return reply
        state = reply.state
        pre_empted = entered.objection and not set(heard.intents) & PUSHY and "handle_objection" in heard.intents
        if pre_empted:
            # "...I'm not trying to replace them; what might still help is..." answered it before it was raised
            interest = dict(state.interest)
            interest[entered.persona] = interest.get(entered.persona, 0) + 1
            state = replace(state, facts=state.facts | {"objection_handled"}, interest=interest)
        elif not heard.proposes_time:
            return reply
        follow = self._first_transition(entered, state, heard)
        if follow is None:
            return reply
        targets = [follow.to] if isinstance(follow.to, str) else list(follow.to)
        booking = all(self._states[t].outcome in BOOKINGS for t in targets)
        moves_on = pre_empted and all(not self._states[t].objection for t in targets)
        if booking and (not heard.proposes_time or "time_proposed" not in state.facts):
            return reply
        if not (booking or moves_on):
            return reply
        target = self._states[self._pick_target(targets, state, rng, None)]
        return self._enter(state, entered, target, follow.say, heard, rng)

    def _reprompt_limit(self, current: State) -> int:
        return current.stuck.after if current.stuck is not None else DEFAULT_REPROMPTS

    def _progressed(self, before: PersonaState, after: PersonaState) -> bool:
        """Whether the caller's turn moved the call on: something new done, or more interest."""
        role = self._states[before.state].persona
        new_facts = after.facts - before.facts - {"entitled"}
        return bool(new_facts) or after.interest.get(role, 0) > before.interest.get(role, 0)

    def _move_on(
        self, state: PersonaState, current: State, heard: Reading, rng: random.Random, pick: int | None
    ) -> Reply:
        """The persona has asked for the same thing enough: it takes the call somewhere else, as a person would."""
        stuck = current.stuck
        if stuck is not None:
            targets = [stuck.to] if isinstance(stuck.to, str) else list(stuck.to)
            target = self._states[self._pick_target(targets, state, rng, pick)]
            return self._enter(state, current, target, stuck.say, heard, rng)
        role = current.persona
        patience = dict(state.patience)
        patience[role] = max(0, patience.get(role, 1) - 1)
        lowered = replace(state, patience=patience, reprompts=0)
        if patience[role] <= 0:
            target = self._states[self.scenario.persona(role).gives_up]
            return self._enter(lowered, current, target, self.lines.moving_on[role], heard, rng)
        text = self._choose(self.lines.lost, lowered, rng)
        return self._said(Reply(role, text, replace(lowered, question_pending=_asks(text)), None, heard.intents), heard)

    def _pick_target(self, targets: list[str], state: PersonaState, rng: random.Random, pick: int | None) -> str:
        """One of a `to:` list (seeded), preferring a state not visited yet: an objection is raised once."""
        index = rng.randrange(len(targets)) if pick is None else pick % len(targets)
        chosen = targets[index]
        fresh = [t for t in targets if t not in state.visited or not self._states[t].objection]
        if chosen in fresh or not fresh:
            return chosen
        return fresh[index % len(fresh)]

    def _branch_count(self, state: PersonaState, heard: Reading) -> int:
        current = self._states[state.state]
        if current.outcome is not None:
            return 1
        updated = self._update(state, current, heard, state.turn + 1)
        if updated.patience.get(current.persona, 1) <= 0:
            return 1
        transition = self._first_transition(current, updated, heard)
        if transition is None or isinstance(transition.to, str):
            stuck = current.stuck
            return len(stuck.to) if stuck is not None and isinstance(stuck.to, list) else 1
        return len(transition.to)

    def _update(self, state: PersonaState, current: State, heard: Reading, turn: int) -> PersonaState:
        """Facts, counters, patience and interest after the caller's turn (before any transition)."""
        role = current.persona
        persona = self.scenario.persona(role)
        intents = self._understood(current, heard)
        research = heard.research_ids
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
        if "state_reason" in intents or research:
            facts.add("reason_stated")
        if research:
            facts.add("research_mentioned")
        if "offer_value" in intents:
            facts.add("value_offered")
        if "ask_question" in intents:
            facts.add("asked_question")
        if heard.proposes_time:
            facts.add("time_proposed")
        if role in heard.addressed:
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

        for fact_id in sorted(research):
            gain += _credit(credited, f"research:{fact_id}")
        if "offer_value" in intents:
            gain += _credit(credited, "offer")
        if "ask_question" in intents:
            gain += _credit(credited, "question")
        if _concrete_ask(heard) and {"reason_stated", "value_offered"} <= facts and not pushy:
            gain += _credit(credited, "concrete_ask")  # gave first, then a day and a time: easy to say yes to
        if role == "gatekeeper" and not pushy:
            # Treating the gatekeeper as a person: their name, their help.
            if role in heard.addressed:
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

    def _understood(self, current: State, heard: Reading) -> set[str]:
        """The turn's intents as this state hears them: in an objection, a concrete next step answers it.

        "Of course I'll email it; could we also put twenty minutes in on Tuesday?" handles "just email me".
        """
        intents = set(heard.intents)
        if current.objection and not intents & PUSHY and (intents & OBJECTION_ANSWERS or heard.proposes_time):
            intents.add("handle_objection")
        return intents

    def _first_transition(self, current: State, state: PersonaState, heard: Reading) -> Transition | None:
        intents = self._understood(current, heard)
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
        heard: Reading,
        rng: random.Random,
    ) -> Reply:
        """Move to the target state; a handoff puts the transition's line before the new persona's."""
        preface: tuple[tuple[Role, str], ...] = ()
        if target.persona != current.persona:
            if transition_say:
                preface = ((current.persona, self._choose(transition_say, state, rng)),)
            lines: Sequence[str] = target.say
            if not target.outcome:
                # the assistant briefs the executive on a transfer: a caller put through starts with some credit
                interest = dict(state.interest)
                interest[target.persona] = interest.get(target.persona, 0) + HANDOFF_INTEREST
                state = replace(state, interest=interest)
        else:
            lines = transition_say or target.say
        text = self._choose(lines, state, rng)
        after = replace(state, state=target.id, question_pending=_asks(text), reprompts=0,
                        visited=state.visited | {target.id})  # fmt: skip
        reply = Reply(target.persona, text, after, target.outcome, heard.intents, preface)
        return self._said(reply, heard)

    def _said(self, reply: Reply, heard: Reading) -> Reply:
        """Record the reply's lines as said (the next pick prefers others) and attach the reading."""
        spoken = {reply.text, *(line for _, line in reply.preface)}
        state = replace(reply.state, last_line=reply.text, said=reply.state.said | spoken)
        return replace(reply, state=state, reading=heard)

    def _unmatched_lines(self, current: State, state: PersonaState, heard: Reading) -> Sequence[str]:
        """A natural reaction when the turn moves nothing: the state's own, else one fitting the turn."""
        lines = self.lines
        if heard.silent:
            return lines.silence
        if not heard.intents:
            # A word or two of nothing is likely misheard; a whole sentence was heard but went nowhere.
            return current.unmatched or (lines.nonsense if heard.words <= 2 else lines.lost)
        if set(heard.intents) & PUSHY:
            return lines.pushy[current.persona]
        if current.unmatched:
            return current.unmatched
        if current.persona == "gatekeeper" and "introduced" not in state.facts:
            return lines.who
        if "reason_stated" not in state.facts:
            return lines.why
        return lines.lost

    def _choose(self, lines: Sequence[str], state: PersonaState, rng: random.Random) -> str:
        """A seeded pick among the variants: one not said yet in this call, else never the last line."""
        fresh = [line for line in lines if line not in state.said]
        fresh = fresh or [line for line in lines if line != state.last_line] or list(lines)
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


def _concrete_ask(heard: Reading) -> bool:
    """A proposal with both a day and a time ("Tuesday at ten"), the ask a busy person can answer yes to."""
    return any(when.day and when.time for when in heard.timing.proposals)


def _asks(line: str) -> bool:
    return line.rstrip().endswith("?")
