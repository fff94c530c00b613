"""Real callers, not scripts: labelled natural turns and whole natural calls on every shipped scenario.

The scripted callers in tests/data/callers/ pass because they were written next to the intent library;
these were written the way people actually talk (reason before name, a question back, thanks and a time
in one turn), and are played as typed and as speech-to-text gives them.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from simulator.language.intents import IntentLibrary, load_intent_library
from simulator.language.when import proposes_time
from simulator.persona.engine import PersonaEngine, Reply
from simulator.scenario.loader import load_intent_file, load_scenario, shared_intents_path
from simulator.scenario.model import Scenario

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHIPPED = ["gatekeeper-screen", "busy-executive", "full-path", "referral", "event-follow-up", "callback"]
SEEDS = range(5)

# Floors per intent on the labelled corpus (see test_intent_precision_and_recall_on_natural_turns).
PRECISION_FLOOR = 0.85
RECALL_FLOOR = 0.8

# Words whisper plausibly gets wrong in these calls; the STT form also drops case and punctuation.
MISHEARD = {
    "leeds": "leads",
    "priya": "pria",
    "analytics": "analytic",
    "wonder": "wander",
    "brightline": "bright line",
    "miller's": "millers",
    "helen": "hellen",
    "catherine": "katherine",
    "lumen": "lumin",
    "grace": "grays",
    "derby": "darby",
    "leila": "layla",
    "birmingham": "birmingam",
    "marcus": "markus",
    "bristol": "bristle",
    "toolkit": "tool kit",
    "refurbishment": "refurbishmint",
    "benchmarked": "bench marked",
}


def speech_to_text(text: str) -> str:
    """What faster-whisper might give for a typed line: lower case, no punctuation, a misheard word."""
    words = re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()
    return " ".join(MISHEARD.get(word, word) for word in words)


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSIM_HOME", str(tmp_path / "home"))


def _load(name: str) -> Any:
    return YAML(typ="safe").load((DATA / name).read_text())


# -- the labelled corpus -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledTurn:
    say: str
    intents: frozenset[str]
    traps: frozenset[str]


@functools.cache
def corpus() -> tuple[LabelledTurn, ...]:
    return tuple(
        LabelledTurn(item["say"], frozenset(item["intents"]), frozenset(item.get("not", [])))
        for item in _load("natural_turns.yaml")["turns"]
    )


@functools.cache
def shared_library() -> IntentLibrary:
    return IntentLibrary(load_intent_file(shared_intents_path()))


def heard(library: IntentLibrary, text: str) -> set[str]:
    """The intents the engine hears in a turn: the library's, plus propose_time for a concrete time."""
    found = {match.name for match in library.detect(text)}
    if proposes_time(text):
        found.add("propose_time")
    return found


def scores(form: str) -> dict[str, tuple[float, float]]:
    """Precision and recall per intent on the corpus, typed ("clean") or as speech-to-text gives it."""
    true_pos: Counter[str] = Counter()
    false_pos: Counter[str] = Counter()
    false_neg: Counter[str] = Counter()
    for turn in corpus():
        text = turn.say if form == "clean" else speech_to_text(turn.say)
        found = heard(shared_library(), text)
        true_pos.update(found & turn.intents)
        false_pos.update(found - turn.intents)
        false_neg.update(turn.intents - found)
    result = {}
    for name in shared_library().names:
        predicted = true_pos[name] + false_pos[name]
        actual = true_pos[name] + false_neg[name]
        precision = true_pos[name] / predicted if predicted else 1.0
        recall = true_pos[name] / actual if actual else 0.0
        result[name] = (precision, recall)
    return result


def test_corpus_is_natural_and_covers_every_intent() -> None:
    examples = {example.lower() for examples in shared_library().examples().values() for example in examples}
    counts: Counter[str] = Counter()
    for turn in corpus():
        assert turn.say.lower() not in examples, turn.say  # written fresh, not copied from the library
        assert turn.intents <= set(shared_library().names), turn.say
        assert not turn.intents & turn.traps, turn.say
        counts.update(turn.intents)
    for name in shared_library().names:
        assert counts[name] >= 8, (name, counts[name])
    assert sum(1 for turn in corpus() if turn.traps) >= 20


@pytest.mark.parametrize("form", ["clean", "stt"])
def test_intent_precision_and_recall_on_natural_turns(form: str) -> None:
    measured = scores(form)
    report = "\n".join(f"{name:18} P={p:.2f} R={r:.2f}" for name, (p, r) in sorted(measured.items()))
    below = [name for name, (p, r) in measured.items() if p < PRECISION_FLOOR or r < RECALL_FLOOR]
    assert not below, f"{form}: below the floors:\n{report}"
    overall_recall = sum(r for _, r in measured.values()) / len(measured)
    assert overall_recall >= 0.9, report


@pytest.mark.parametrize("form", ["clean", "stt"])
def test_near_misses_never_match_their_trap(form: str) -> None:
    for turn in corpus():
        if turn.traps:
            text = turn.say if form == "clean" else speech_to_text(turn.say)
            assert not heard(shared_library(), text) & turn.traps, (text, turn.traps)


@pytest.mark.parametrize(
    ("text", "expected", "not_expected"),
    [
        ("Thank you Priya. Would Tuesday at ten work?", {"thank"}, {"decline"}),
        ("No, thank you.", {"decline"}, set()),
        ("no problem", set(), {"decline"}),
        ("That does work for me.", {"accept"}, {"decline"}),
        ("That doesn't work for me.", {"decline"}, {"accept"}),
        ("I don't think that works", {"decline"}, {"accept"}),
        ("i dont think that works", {"decline"}, {"accept"}),
        ("I'm not asking you to put me through.", {"handle_objection"}, {"entitled_demand"}),
        ("I don't need five minutes with him, just a word.", set(), {"entitled_demand"}),
        ("I'd rather not.", {"decline"}, set()),
        ("I'd rather.", set(), {"decline"}),
        ("No, I'm calling about the Leeds hub.", {"state_reason"}, {"decline"}),
        ("tomorrow morning works for me", {"accept"}, {"greet"}),
        ("Morning, Priya!", {"greet"}, set()),
    ],
)
def test_negations_are_never_dropped_or_flipped(text: str, expected: set[str], not_expected: set[str]) -> None:
    found = heard(shared_library(), text)
    assert expected <= found, found
    assert not found & not_expected, found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No, Tuesday doesn't work for me.", False),
        ("I can't do Tuesday, but how about Thursday at 2pm?", True),
        ("tuesday is no good but wednesday at nine works", True),
        ("No problem at all. Would Wednesday at nine suit him?", True),
        ("I left you a voicemail on Monday.", False),
        ("I said I'd call on Tuesday, does ten work?", True),
    ],
)
def test_a_day_ruled_out_or_in_the_past_is_not_a_proposal(text: str, expected: bool) -> None:
    assert proposes_time(text) is expected


# -- whole natural calls -----------------------------------------------------------------------------


@functools.cache
def scenario(name: str) -> Scenario:
    return load_scenario(ROOT / "scenarios" / f"{name}.yaml")


@functools.cache
def library(name: str) -> IntentLibrary:
    return load_intent_library(scenario(name))


def play(name: str, seed: int, lines: list[str]) -> list[Reply]:
    """A whole call the way `callsim run --caller-lines` plays it: until an outcome or the lines run out."""
    persona = PersonaEngine(scenario(name), library(name), seed=seed)
    replies = [persona.opening()]
    for line in lines:
        if replies[-1].outcome is not None:
            break
        replies.append(persona.respond(replies[-1].state, line))
    return replies


def calls(kind: str) -> list[tuple[str, int, list[str]]]:
    data = _load("natural_calls.yaml")
    return [(name, index, list(lines)) for name in SHIPPED for index, lines in enumerate(data[name][kind])]


def test_every_scenario_has_three_good_and_three_bad_natural_calls() -> None:
    for name in SHIPPED:
        assert sum(1 for call in calls("good") if call[0] == name) >= 3, name
        assert sum(1 for call in calls("bad") if call[0] == name) >= 3, name


def transcript(replies: list[Reply], lines: list[str]) -> str:
    said = [f"{replies[0].speaker}: {replies[0].text}"]
    for line, reply in zip(lines, replies[1:], strict=False):
        said += [f"caller: {line}", f"{reply.speaker}: {reply.text}  [{reply.state.state}, {reply.intents}]"]
    return "\n".join(said)


@pytest.mark.parametrize("form", ["clean", "stt"])
@pytest.mark.parametrize(("name", "index", "lines"), calls("good"))
def test_natural_good_call_succeeds_for_every_seed(name: str, index: int, lines: list[str], form: str) -> None:
    spoken = lines if form == "clean" else [speech_to_text(line) for line in lines]
    for seed in SEEDS:
        replies = play(name, seed, spoken)
        assert replies[-1].outcome in scenario(name).success, f"seed {seed}\n{transcript(replies, spoken)}"


@pytest.mark.parametrize("form", ["clean", "stt"])
@pytest.mark.parametrize(("name", "index", "lines"), calls("bad"))
def test_natural_pushy_or_vague_call_never_succeeds(name: str, index: int, lines: list[str], form: str) -> None:
    spoken = lines if form == "clean" else [speech_to_text(line) for line in lines]
    for seed in SEEDS:
        replies = play(name, seed, spoken)
        assert replies[-1].outcome not in scenario(name).success, f"seed {seed}\n{transcript(replies, spoken)}"


# -- ordering traps and questions answered -----------------------------------------------------------


def reach(name: str, seed: int, lines: list[str], states: set[str]) -> Reply:
    """Play lines until the persona asks for a time (one of `states`); fails if it never does."""
    replies = play(name, seed, lines)
    assert replies[-1].state.state in states, transcript(replies, lines)
    return replies[-1]


GATEKEEPER_OPENING = [
    "Hi Priya, this is Sam Carter from Brightline Analytics. Could you help me?",
    "I'm calling because Halden just opened the Leeds hub, and we benchmarked twelve similar hubs. "
    "Happy to share the findings with Daniel.",
]


@pytest.mark.parametrize(
    "turn",
    [
        "Thank you Priya. Would Tuesday at ten work? I'll call him then.",
        "Thanks so much, that's kind. How about Thursday at 2pm?",
        "No, sorry, Monday's no good, but how about Tuesday at 11?",
        "No problem at all. Would Wednesday at nine suit him?",
        "thank you pria would tuesday at ten work ill call him then",
        "That would be great, yes please. Tuesday at ten, then?",
        "Perfect, thanks. I can call him tomorrow at 9am.",
    ],
)
def test_a_time_with_thanks_or_a_counter_proposal_is_never_a_decline(turn: str) -> None:
    persona_states = {"offer_slot", "offer_callback"}
    for seed in SEEDS:
        asked = reach("gatekeeper-screen", seed, GATEKEEPER_OPENING, persona_states)
        persona = PersonaEngine(scenario("gatekeeper-screen"), library("gatekeeper-screen"), seed=seed)
        reply = persona.respond(asked.state, turn)
        assert reply.outcome in ("meeting_booked", "callback_scheduled"), (seed, reply.text)


@pytest.mark.parametrize("turn", ["No thanks, I'll just send an email.", "Actually, I'd rather not."])
def test_a_real_decline_when_asked_for_a_time_still_loses_the_slot(turn: str) -> None:
    for seed in SEEDS:
        asked = reach("gatekeeper-screen", seed, GATEKEEPER_OPENING, {"offer_slot", "offer_callback"})
        persona = PersonaEngine(scenario("gatekeeper-screen"), library("gatekeeper-screen"), seed=seed)
        assert persona.respond(asked.state, turn).outcome == "message_taken"


@pytest.mark.parametrize("name", ["gatekeeper-screen", "full-path"])
@pytest.mark.parametrize(
    "question",
    [
        "Is {exec} the right person for {area}?",
        "who looks after {area} there",
        "Is {exec} the right person to speak to?",
    ],
)
def test_the_gatekeeper_answers_whether_the_executive_is_the_right_person(name: str, question: str) -> None:
    executive = scenario(name).persona("executive").name.split()[0]
    area = {"gatekeeper-screen": "fleet planning", "full-path": "energy costs"}[name]
    text = question.format(exec=executive, area=area)
    for seed in SEEDS:
        persona = PersonaEngine(scenario(name), library(name), seed=seed)
        opening = persona.opening()
        reply = persona.respond(opening.state, text)
        assert reply.text.startswith(("Yes", "That's", "It's")), reply.text  # answered first
        assert reply.outcome is None
        assert reply.text.rstrip().endswith("?")  # then back to screening: who's calling?
        introduced = persona.respond(opening.state, f"Hi, this is Sam from Brightline. {text}")
        assert introduced.text.startswith(("Yes", "That's", "It's")), introduced.text


@pytest.mark.parametrize("name", ["gatekeeper-screen", "full-path", "busy-executive"])
@pytest.mark.parametrize("question", ["Sorry, who am I speaking to?", "hi sorry i didnt catch your name"])
def test_the_persona_tells_a_caller_who_asks_its_name(name: str, question: str) -> None:
    for seed in SEEDS:
        persona = PersonaEngine(scenario(name), library(name), seed=seed)
        first_name = scenario(name).persona(persona.opening().speaker).name.split()[0]
        reply = persona.respond(persona.opening().state, question)
        assert first_name in reply.text, reply.text  # the answer first...
        assert reply.text.rstrip().endswith("?") and reply.outcome is None  # ...then who's calling?


@pytest.mark.parametrize("name", ["busy-executive", "callback", "full-path"])
def test_agreeing_with_an_objection_without_answering_it_still_loses_the_call(name: str) -> None:
    """The other side of the ordering fix: "Sure, that's fine" alone is giving up, as before."""
    good = {
        "busy-executive": "Hi Helen, Jordan Ellis from Keel Systems, calling about the Miller's Bakery acquisition.",
        "callback": "Hi Marcus, it's Robin Hale from Quarry Security, I'm calling about the toolkit deadline.",
        "full-path": "Hi Catherine, it's Alex Morgan from Lumen, I'm calling about the refurbishment of your hotels.",
    }[name]
    for seed in SEEDS:
        persona = PersonaEngine(scenario(name), library(name), seed=seed)
        reply = persona.opening()
        if name == "full-path":  # straight to the executive: start from the handoff state
            reply = replace(reply, state=replace(reply.state, state="exec_pickup"))
        objection = persona.respond(reply.state, good)
        assert scenario(name).persona("executive") and objection.state.state.startswith("objection_")
        assert persona.respond(objection.state, "Sure, that's fine.").outcome == "rejected"
