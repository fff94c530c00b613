"""Personas that understand a real caller: the one reading of a turn, and personas that listen.

The sentences here are the ones callers really said when the personas did not understand them (issue 8):
introductions in any phrasing, a concrete answer beside one trigger word, an acknowledgement that pivots
to value. The corpus of callers written by people who never saw the rules is played in
tests/test_caller_corpus.py and measured in bench/understanding.py.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from simulator.language.intents import IntentLibrary, load_intent_library
from simulator.language.lexicon import load_lexicon_file
from simulator.language.mentions import Identity
from simulator.language.reading import Reader, Reading
from simulator.language.semantic import shared_embedder
from simulator.language.when import read_timing
from simulator.persona.engine import PersonaEngine, Reply
from simulator.persona.lines import load_persona_lines_file
from simulator.persona.lint import lint
from simulator.scenario.loader import load_scenario, load_scenario_text
from simulator.scenario.model import Scenario
from simulator.scenario.source import ScenarioError

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def scenario(name: str) -> Scenario:
    return load_scenario(ROOT / "scenarios" / f"{name}.yaml")


@functools.cache
def library(name: str) -> IntentLibrary:
    lib = load_intent_library(scenario(name), shared_embedder())
    lib.warm_up()
    return lib


def read(name: str, text: str) -> Reading:
    return Reader(scenario(name), library(name)).read(text)


def play(name: str, lines: list[str], seed: int = 0) -> list[Reply]:
    engine = PersonaEngine(scenario(name), library(name), seed=seed)
    replies = [engine.opening()]
    for line in lines:
        if replies[-1].outcome is not None:
            break
        replies.append(engine.respond(replies[-1].state, line))
    return replies


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("busy-executive", "Hello Helen, this is Jordan Ellis at Keel Systems. Can I take thirty seconds?"),
        ("busy-executive", "hello helen this is jordan ellis at kiel systems can i take thirty seconds"),
        ("callback", "Hey Marcus, Robin Hale with Quarry Security."),
        ("callback", "hey marcus robin hail with query security"),
        ("event-follow-up", "Hi Leila, this is Taylor Brooks of Cinder Freight Audit."),
        ("referral", "Grace, Chris Duarte, Harbor Learning."),
        ("gatekeeper-screen", "priya sam carter bright line analytics calling about the leeds hub"),
    ],
)
def test_the_caller_introducing_themselves_in_any_phrasing_is_heard(name: str, text: str) -> None:
    reading = read(name, text)
    assert "introduce_self" in reading.intents, reading
    assert reading.identity


def test_the_user_can_be_someone_else_than_the_brief() -> None:
    reader = Reader(scenario("gatekeeper-screen"), library("gatekeeper-screen"), Identity("Ana Ruiz", "Northwind"))
    assert "introduce_self" in reader.read("Hi Priya, Ana Ruiz at Northwind.").intents
    assert "introduce_self" not in reader.read("Hi Priya, could you help me?").intents


def test_the_identity_comes_from_the_brief_and_a_short_name_is_heard_exactly() -> None:
    identity = Identity.from_brief("Jordan Ellis, partner manager at Keel Systems.")
    assert identity == Identity("Jordan Ellis", "Keel Systems")
    assert "introduce_self" not in read("busy-executive", "Thursday at nine. I'll keep it to twenty minutes.").intents


def test_a_concrete_answer_outweighs_one_trigger_word() -> None:
    polite = read(
        "gatekeeper-screen",
        "would twenty minutes on Tuesday at half past ten be possible, or whatever suits his diary?",
    )
    assert not {"entitled_demand", "rude"} & set(polite.intents), polite
    assert [when.label() for when in polite.timing.proposals] == ["Tue 10:30"]
    assert polite.timing.minutes == 20 and polite.timing.defers
    easiest = read("busy-executive", "Whatever's easiest for him, I could do Thursday at eleven")
    assert "rude" not in easiest.intents and easiest.proposes_time
    assert "entitled_demand" in read("gatekeeper-screen", "Just put me through.").intents
    assert "rude" in read("gatekeeper-screen", "Whatever. Just do your job.").intents


def test_acknowledging_an_objection_and_pivoting_to_value_is_not_giving_up() -> None:
    text = (
        "If you've already got someone, that's fine, genuinely. The thing people found useful was seeing their "
        "own cost per invoice next to the other six."
    )
    reading = read("busy-executive", text)
    assert "offer_value" in reading.intents
    assert not {"accept", "decline", "goodbye"} & set(reading.intents), reading
    replies = play(
        "busy-executive", ["Helen, it's Jordan Ellis from Keel Systems, calling about the Miller's acquisition."]
    )
    if replies[-1].state.state in {"objection_vendor", "objection_email"}:
        after = play(
            "busy-executive",
            ["Helen, it's Jordan Ellis from Keel Systems, calling about the Miller's acquisition.", text],
        )
        assert after[-1].outcome != "rejected"


@pytest.mark.parametrize(
    ("text", "proposed"),
    [
        ("Is it always this calm on a Friday?", []),
        ("Fridays, yeah.", []),
        ("Note the compressor load at six on Friday evening.", []),
        ("I left you a voicemail on Monday.", []),
        ("I'm not asking you to change anything today.", []),
        ("Good morning, Ms Marsh.", []),
        ("Monday's no good, how about Tuesday at 11?", ["Tue 11:00"]),
        ("today at two or wood tomorrow be better", ["today 14:00", "tomorrow"]),
        ("all call helen tomorrow at two", ["tomorrow 14:00"]),
        ("Thursday at half two then.", ["Thu 14:30"]),
        ("thirty minutes wednesday at two pm", ["Wed 14:00"]),
        ("Tuesday morning works.", ["Tue 09:00"]),
    ],
)
def test_days_and_times_are_read_as_meant(text: str, proposed: list[str]) -> None:
    assert [when.label() for when in read_timing(text).proposals] == proposed


def test_research_said_not_to_have_been_done_is_kept_but_not_credited() -> None:
    reading = read("gatekeeper-screen", "To be honest I haven't looked into the Leeds hub at all.")
    assert reading.research and reading.research[0].negated
    assert not reading.research_ids and "mention_research" not in reading.intents


def test_a_persona_asks_for_the_same_thing_at_most_twice_then_moves_the_call_on() -> None:
    for name in ("gatekeeper-screen", "busy-executive", "full-path", "referral", "event-follow-up", "callback"):
        for seed in range(3):
            replies = play(
                name, ["Hi there.", "Just a quick chat.", "Just a quick chat really.", "Yeah.", "Okay."] * 2, seed
            )
            states = [reply.state.state for reply in replies]
            for start in range(len(states) - 3):
                window = states[start : start + 4]
                same = len(set(window)) == 1 and replies[start + 3].outcome is None
                assert not same, (name, seed, [reply.text for reply in replies])
            assert replies[-1].outcome is not None, (name, seed)  # ended by the persona, not by running out


def test_nothing_is_booked_before_a_day_or_time_was_proposed() -> None:
    lines = [
        "Hi Helen, this is Jordan Ellis from Keel Systems. I'm calling about your acquisition of Miller's Bakery.",
        "I understand. We benchmarked invoice costs at six food companies after an acquisition, happy to share.",
        "Can I ask how you're planning to bring the Miller's team into the Manchester shared service centre?",
        "Great, send me an invite.",
    ]
    for seed in range(3):
        replies = play("busy-executive", lines, seed)
        assert replies[-1].outcome != "meeting_booked" or "time_proposed" in replies[-1].state.facts


def test_an_objection_is_raised_once() -> None:
    engine = PersonaEngine(scenario("busy-executive"), library("busy-executive"), seed=0)
    opening = engine.opening()
    state = opening.state
    objections = {s.id for s in scenario("busy-executive").states if s.objection}
    from dataclasses import replace

    visited = replace(state, visited=state.visited | (objections - {"objection_what"}))
    reply = engine.respond(visited, "Hi Helen, Jordan Ellis from Keel Systems, calling about the Miller's acquisition.")
    assert reply.state.state in {"objection_what", "pickup"}


def test_the_language_files_are_checked_with_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "lexicon.yaml"
    bad.write_text("negations: [no, not]\ndays: {monday: Mon}\nnumbers: {one: uno}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_lexicon_file(bad)
    assert str(caught.value).startswith(f"{bad}:3:")
    lines = tmp_path / "persona_lines.yaml"
    lines.write_text("silence: []\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_persona_lines_file(lines)
    assert f"{lines}:1:" in str(caught.value)


def test_strict_lint_reports_a_state_whose_stuck_rule_leads_back(tmp_path: Path) -> None:
    text = (ROOT / "scenarios" / "busy-executive.yaml").read_text(encoding="utf-8")
    text = text.replace("stuck: {after: 2, to: hung_up}", "stuck: {after: 2, to: pickup}", 1)
    looping = load_scenario_text(text, "loop.yaml")
    problems = lint(looping, load_intent_library(looping), "loop.yaml")
    assert any("can re-prompt forever" in problem.message for problem in problems), problems


def test_the_reading_is_what_the_report_shows() -> None:
    reading = read(
        "gatekeeper-screen", "Hi Priya, Sam Carter at Brightline, calling about the Leeds hub. Thursday at ten?"
    )
    summary = reading.summary()
    assert "introduces self" in summary and "research: leeds-hub" in summary and "proposes Thu 10:00" in summary
    heard = reading.heard()
    assert heard.research == ["leeds-hub"] and heard.proposals == ["Thu 10:00"] and heard.summary == summary
