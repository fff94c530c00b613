"""`callsim scenarios validate --strict`: problems a valid scenario can still have in play.

A scenario can load cleanly and still be unplayable: a state no caller can reach, a state a caller can
enter but never leave (except by exhausting the persona's patience), or a success outcome that no call can
end in. The check walks the intent library's example phrases (and phrases that mention each research fact,
each persona's name and a concrete time) through the real engine, from every engine state it reaches,
until everything is proved or the walk's bound is reached. What the walk reaches is proved reachable by an
actual call; what it never reaches is reported, with two approximations stated here: engine states that
differ only in what the flow cannot see (the turn number, the wording of the last line, interest beyond
every level a condition or threshold compares) count as one, and calls end after MAX_TURNS turns.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from simulator.language.intents import IntentLibrary
from simulator.language.reading import Reading
from simulator.persona.engine import PersonaEngine, PersonaState
from simulator.scenario.loader import Problem, problem_at
from simulator.scenario.model import Scenario

MAX_ENGINE_STATES = 20_000  # bound of the walk; scenarios far beyond the shipped ones stay fast
MAX_TURNS = 16
# Caller turns tried in all (each one engine step): the work the walk may do, whatever the file. The
# shipped scenarios need at most 8,000; a file built to make the walk explode stops here after a few
# seconds and its unproved states are reported as not reached within the bound.
MAX_WALK_STEPS = 40_000


@dataclass
class Walk:
    """What the walk through the engine proved about a scenario."""

    reached: set[str] = field(default_factory=set)
    outcomes: set[str] = field(default_factory=set)
    exits: dict[str, set[str]] = field(default_factory=dict)  # state -> other states a transition reached
    complete: bool = True  # False when a bound stopped the walk before it proved or disproved everything


def lint(scenario: Scenario, intents: IntentLibrary, path: Path | str) -> list[Problem]:
    """Unreachable states, states with no way out, and unreachable success outcomes, at their YAML nodes."""
    walk = walk_scenario(scenario, intents)
    problems: list[Problem] = []
    for state in scenario.states:
        where = ("states", state.id)
        leaves = {t for tr in state.transitions for t in ([tr.to] if isinstance(tr.to, str) else tr.to)}
        if state.outcome is None and not leaves - {state.id}:
            problems.append(problem_at(path, where, f"state '{state.id}' has no way out (no transition leaves it)"))
            continue
        if state.id not in walk.reached:
            if walk.complete:
                message = f"state '{state.id}' cannot be reached by any caller phrase"
            else:
                message = (
                    f"state '{state.id}' was not reached within the walk's bound ({MAX_TURNS} turns, "
                    f"{MAX_ENGINE_STATES:,} engine states, {MAX_WALK_STEPS:,} caller turns tried)"
                )
            problems.append(problem_at(path, where, message))
        elif state.outcome is None and not walk.exits.get(state.id) and walk.complete:
            message = f"state '{state.id}' has no way out: none of its transitions can fire"
            problems.append(problem_at(path, where, message))
    problems += _endless_reprompts(scenario, path)
    for index, outcome in enumerate(scenario.success):
        if outcome not in walk.outcomes:
            ending = "no state ends with it" if not _has_outcome(scenario, outcome) else "no caller can reach it"
            problems.append(problem_at(path, ("success", index), f"success outcome '{outcome}': {ending}"))
    from simulator.scenario.say_lines import split_line_problems

    return problems + split_line_problems(scenario, str(path))


def _endless_reprompts(scenario: Scenario, path: Path | str) -> list[Problem]:
    """States whose `stuck:` leads back into re-prompting: a caller there would be asked the same forever."""
    states = {state.id: state for state in scenario.states}
    problems: list[Problem] = []
    for state in scenario.states:
        seen = [state.id]
        current = state
        while current.stuck is not None and current.outcome is None:
            targets = [current.stuck.to] if isinstance(current.stuck.to, str) else list(current.stuck.to)
            looping = [t for t in targets if t in seen]
            if looping:
                cycle = " -> ".join([*seen[seen.index(looping[0]) :], looping[0]])
                message = f"state '{state.id}' can re-prompt forever: its `stuck:` leads back ({cycle})"
                problems.append(problem_at(path, ("states", state.id, "stuck"), message))
                break
            nxt = states.get(targets[0])
            if nxt is None:
                break
            seen.append(nxt.id)
            current = nxt
    return problems


def walk_scenario(scenario: Scenario, intents: IntentLibrary, seed: int = 0) -> Walk:
    """Every caller phrase from every engine state, all `to:` branches, most promising states first."""
    engine = PersonaEngine(scenario, intents, seed)
    turns = _distinct_turns(engine, caller_phrases(scenario, intents))
    relevant = _relevance(scenario)
    walk = Walk()
    opening = engine.opening()
    walk.reached.add(opening.state.state)
    if opening.outcome is not None:
        walk.outcomes.add(opening.outcome)
    # Two frontiers over the same states, taken in turn: breadth-first proves what is near the start,
    # most-promising-first reaches the deep states of a good call without first exhausting every
    # combination of bad turns before them. Nothing is pruned; this only orders the walk.
    shallow: deque[PersonaState] = deque([opening.state])
    promising: list[tuple[int, int, PersonaState]] = [(0, 0, opening.state)]
    seen = {_key(opening.state, relevant)}
    expanded: set[Hashable] = set()
    step = 0
    steps = 0  # engine steps taken, bounded by MAX_WALK_STEPS
    truncated = False
    while shallow or promising:
        if _proved_everything(scenario, walk):
            return walk
        step += 1
        take_shallow = bool(shallow) and (step % 2 == 1 or not promising)
        state = shallow.popleft() if take_shallow else heapq.heappop(promising)[2]
        key = _key(state, relevant)
        if key in expanded:
            continue
        if state.turn >= MAX_TURNS:
            truncated = True
            continue
        expanded.add(key)
        for turn in turns:
            steps += 1
            if steps > MAX_WALK_STEPS:
                walk.complete = False
                return walk
            for reply in engine.branches(state, turn):
                after = reply.state
                walk.reached.add(after.state)
                if _by_transition(engine, state, after):
                    walk.exits.setdefault(state.state, set()).add(after.state)
                if reply.outcome is not None:
                    walk.outcomes.add(reply.outcome)
                    continue
                key = _key(after, relevant)
                if key in seen:
                    continue
                if len(seen) >= MAX_ENGINE_STATES:
                    walk.complete = False
                    return walk
                seen.add(key)
                shallow.append(after)
                heapq.heappush(promising, (_promise(after), len(seen), after))
    walk.complete = not truncated or _proved_everything(scenario, walk)
    return walk


def _promise(state: PersonaState) -> int:
    """How well a call is going (interest, patience left, few turns); lower is explored sooner."""
    return state.turn - 2 * sum(state.interest.values()) - sum(state.patience.values())


def caller_phrases(scenario: Scenario, intents: IntentLibrary) -> list[str]:
    """What the walk says: every intent example, each research fact, each persona's name, a time, silence."""
    phrases = [example for examples in intents.examples().values() for example in examples]
    phrases += [f"I noticed {fact.keywords[0]}" for fact in scenario.research]
    for persona in (scenario.personas.gatekeeper, scenario.personas.executive):
        if persona is not None:
            phrases.append(f"Thank you, {persona.name.split()[0]}")
    phrases += ["How about Tuesday at ten?", ""]
    return list(dict.fromkeys(phrases))


def _distinct_turns(engine: PersonaEngine, phrases: Iterable[str]) -> list[Reading]:
    """One phrase per distinct reading: phrases the engine hears the same way lead to the same states."""
    turns: dict[Hashable, Reading] = {}
    for phrase in phrases:
        turn = engine.hear(phrase)
        signature = (frozenset(turn.intents), turn.research_ids, turn.proposes_time, turn.addressed, turn.words == 0)
        turns.setdefault(signature, turn)
    return list(turns.values())


@dataclass(frozen=True)
class _Relevance:
    """What of an engine state can change the flow: the facts and counters conditions look at, and
    interest up to the highest level a condition or a threshold compares it with."""

    facts: frozenset[str]
    counter_caps: dict[str, int]
    interest_cap: int
    objections: frozenset[str] = frozenset()


def _relevance(scenario: Scenario) -> _Relevance:
    facts: set[str] = set()
    caps: dict[str, int] = {}
    levels = [0]
    for persona in (scenario.personas.gatekeeper, scenario.personas.executive):
        if persona is not None:
            levels.append(persona.traits.meeting_threshold)
    for state in scenario.states:
        for transition in state.transitions:
            when = transition.when
            facts.update(when.facts, when.not_facts)
            for name, value in {**when.at_least, **when.at_most}.items():
                caps[name] = max(caps.get(name, 0), value + 1)
            levels += [level for level in (when.interest_at_least, when.interest_below) if level is not None]
    # Two points of head room: a pushy turn can take a point of interest back off.
    objections = frozenset(state.id for state in scenario.states if state.objection)
    return _Relevance(frozenset(facts), caps, max(levels) + 2, objections)


def _key(state: PersonaState, relevant: _Relevance) -> Hashable:
    """An engine state reduced to what can still change the flow (not the turn, not the last line)."""
    caps = relevant.counter_caps
    counters = tuple(sorted((name, min(value, caps[name])) for name, value in state.counters.items() if name in caps))
    interest = []
    for role, value in sorted(state.interest.items()):
        # Once interest is past every level that matters, what was credited for it no longer matters.
        if value >= relevant.interest_cap:
            interest.append((role, relevant.interest_cap, frozenset[str]()))
        else:
            interest.append((role, value, state.credited.get(role, frozenset())))
    return (
        state.state,
        state.facts & relevant.facts,
        tuple(sorted(state.patience.items())),
        tuple(interest),
        counters,
        state.question_pending,
        state.reprompts,
        frozenset(s for s in state.visited if s in relevant.objections),
    )


def _by_transition(engine: PersonaEngine, before: PersonaState, after: PersonaState) -> bool:
    """A move to another state made by a transition (not by the persona running out of patience)."""
    if after.state == before.state:
        return False
    role = engine.speaker(before)
    gave_up = after.patience.get(role, 1) <= 0 and after.state == engine.scenario.persona(role).gives_up
    return not gave_up


def _proved_everything(scenario: Scenario, walk: Walk) -> bool:
    if not all(state.id in walk.reached for state in scenario.states):
        return False
    if not all(outcome in walk.outcomes for outcome in scenario.success):
        return False
    return all(walk.exits.get(state.id) for state in scenario.states if state.outcome is None)


def _has_outcome(scenario: Scenario, outcome: str) -> bool:
    return any(state.outcome == outcome for state in scenario.states)
