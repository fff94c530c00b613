"""Intent detection on what speech-to-text really gives: lower case, no punctuation, misheard words."""

from __future__ import annotations

import pytest

from simulator.language import mentions
from simulator.language.intents import IntentLibrary, IntentMatch
from simulator.language.text import Words, normalize
from simulator.language.when import proposes_time
from simulator.scenario.loader import load_intent_file, shared_intents_path
from simulator.scenario.model import IntentDef, ResearchFact


def mentions_research(text: str, facts: list[ResearchFact]) -> list[str]:
    return [m.fact for m in mentions.research_mentions(Words.of(text), facts) if not m.negated]


def mentions_name(text: str, name: str) -> bool:
    return mentions.mentions_name(Words.of(text), name)


REQUIRED = {
    "greet", "introduce_self", "ask_for_person", "state_reason", "offer_value", "ask_question",
    "answer_question", "propose_time", "accept", "decline", "handle_objection", "entitled_demand",
    "pitch_features", "send_info", "goodbye", "thank", "ask_for_help", "rude",
}  # fmt: skip


@pytest.fixture(scope="module")
def library() -> IntentLibrary:
    return IntentLibrary(load_intent_file(shared_intents_path()))


def names(library: IntentLibrary, text: str) -> set[str]:
    return {match.name for match in library.detect(text)}


def test_shared_library_has_every_intent_with_several_spoken_examples(library: IntentLibrary) -> None:
    assert set(library.names) >= REQUIRED
    for name in REQUIRED:
        assert len(library[name].examples) >= 3, name


def test_every_example_is_recognised_as_its_own_intent(library: IntentLibrary) -> None:
    for name, examples in library.examples().items():
        for example in examples:
            assert name in names(library, example), (name, example)


def test_one_turn_carries_several_intents(library: IntentLibrary) -> None:
    found = names(library, "Hi, this is Sam Carter from Brightline. I'm calling because you opened a new hub.")
    assert {"greet", "introduce_self", "state_reason"} <= found


def test_speech_to_text_form_is_recognised(library: IntentLibrary) -> None:
    heard = "hi pria this is sam cotter from brightlight analytics i wander if you could help me"
    assert {"introduce_self", "ask_for_help"} <= names(library, heard)
    assert "handle_objection" in names(library, "i under stand and im not asking you to switch anything")
    assert "ask_question" in names(library, "can i ask how your planning roots for the new fleet")


@pytest.mark.parametrize(
    "text",
    ["Just put me through.", "just put me through", "Give me her direct line", "give me his direct number",
     "I just need five minutes with him", "transfer me to daniel now", "I only need five minutes of his time.",
     "It won't take long."],
)  # fmt: skip
def test_entitled_demands(library: IntentLibrary, text: str) -> None:
    assert "entitled_demand" in names(library, text)


@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        ("Could I speak to Daniel, please?", "entitled_demand"),
        ("Could I speak to Daniel, please?", "ask_question"),
        ("This is Sam from Brightline Analytics", "offer_value"),  # "analytics" is not "analysis"
        ("That's kind of you", "accept"),  # "kind" is not "fine"
        ("We deal with freight firms", "accept"),
        ("this is about your new hub", "introduce_self"),
    ],
)
def test_near_misses_are_not_matched(library: IntentLibrary, text: str, not_expected: str) -> None:
    assert not_expected not in names(library, text)


@pytest.mark.parametrize("text", ["", "   ", "asdf qwerty", "?!...", "zxcv bnm qwop"])
def test_silence_and_nonsense_carry_no_intent(library: IntentLibrary, text: str) -> None:
    assert library.detect(text) == []


def test_matches_are_scored_and_sorted(library: IntentLibrary) -> None:
    matches = library.detect("thank you so much, have a great day, bye")
    assert matches and all(isinstance(m, IntentMatch) and 0 < m.score <= 1 for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert {"thank", "goodbye"} <= {m.name for m in matches}


def test_keywords_with_a_wildcard_and_scenario_intents() -> None:
    library = IntentLibrary(
        {"mention_event": IntentDef(examples=["we met at the summit"], keywords=["met at *", "your panel"])}
    )
    assert names(library, "we briefly met at birmingham") == {"mention_event"}
    assert names(library, "i loved your panel") == {"mention_event"}
    assert names(library, "good morning") == set()


RESEARCH = [
    ResearchFact(id="leeds-hub", fact="New hub in Leeds.", keywords=["leeds", "cross dock"]),
    ResearchFact(id="ev", fact="Electric vans by 2027.", keywords=["electrification", "ev fleet"]),
]


def test_research_mentions_are_fuzzy() -> None:
    assert mentions_research("i saw your new leads hub", RESEARCH) == ["leeds-hub"]  # misheard
    assert mentions_research("the cross-dock in the north and your electrification plan", RESEARCH) == [
        "leeds-hub",
        "ev",
    ]
    assert mentions_research("it meets your needs", RESEARCH) == []  # "needs" is not "leeds"
    assert mentions_research("", RESEARCH) == []


def test_names_are_fuzzy_first_names() -> None:
    assert mentions_name("hi margret thanks", "Margaret Okafor")
    assert mentions_name("Thanks, Priya.", "Priya Nair")
    assert not mentions_name("hi there", "Priya Nair")
    assert not mentions_name("hello okafor", "Margaret Okafor")  # the first name is what people use


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How about Tuesday at 10?", True),
        ("could i call you tomorrow", True),
        ("would 10 am work", True),
        ("at 3", True),
        ("say at three then", True),
        ("next week tuesday", True),
        ("3:30 pm", True),
        ("half past two", True),
        ("next week sometime", False),
        ("we looked at 12 depots", False),
        ("at one point we had", False),
        ("we met last thursday", False),
        ("", False),
    ],
)
def test_concrete_times(text: str, expected: bool) -> None:
    assert proposes_time(text) is expected


def test_normalize_keeps_words_only() -> None:
    assert normalize("Hi, I'm Sam — from Bright-line!") == "hi im sam from bright line"
