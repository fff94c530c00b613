"""The pure parts of scoring a recorded call: words into turns, who the prospect was, a research file."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.call.prospect_role import prospect_roles, role_cues
from simulator.call.recorded_turns import conversation
from simulator.scenario.facts import load_facts
from simulator.scenario.source import ScenarioError
from simulator.voice.recorded_speech import Span, Word, windows


def said(text: str, start: float, step: float = 0.3) -> list[Word]:
    """Words one after another, `step` seconds each, from `start`."""
    return [Word(start + i * step, start + (i + 1) * step, f" {word}") for i, word in enumerate(text.split())]


def test_turns_alternate_in_order_of_their_start() -> None:
    caller = said("hi is that dana", 2.0) + said("great thanks", 6.0)
    prospect = said("hello", 0.5) + said("yes speaking", 4.0)
    turns = conversation(caller, prospect)
    assert [(turn.party, turn.text) for turn in turns] == [
        ("prospect", "hello"), ("caller", "hi is that dana"), ("prospect", "yes speaking"), ("caller", "great thanks"),
    ]  # fmt: skip
    assert turns[1].start == 2.0 and turns[1].end == pytest.approx(3.2)
    assert not any(turn.interrupted for turn in turns)


def test_a_short_pause_keeps_a_turn_and_a_long_one_splits_it() -> None:
    caller = said("so the reason", 0.0) + said("i am calling", 1.9) + said("is this", 6.0)
    turns = conversation(caller, said("mm", 10.0))
    assert [turn.text for turn in turns] == ["so the reason i am calling", "is this", "mm"]


def test_an_answer_in_a_pause_ends_the_turn_but_talking_over_does_not() -> None:
    # the prospect answers inside the caller's pause and stops: two caller turns around the answer
    caller = said("are you the right person", 0.0) + said("for logistics", 2.3)
    answered = conversation(caller, [Word(1.55, 1.95, " yes")])
    assert [turn.party for turn in answered] == ["caller", "prospect", "caller"]
    # the prospect starts in the pause and is still talking when the caller goes on: one overlapping turn
    over = conversation(caller, said("sorry who is this", 1.55, step=0.4))
    assert [turn.party for turn in over] == ["caller", "prospect"]
    assert over[1].start < over[0].end


def test_a_turn_that_stops_under_the_other_party_is_marked_interrupted() -> None:
    prospect = said("we are not looking for anything right now", 0.0)  # ends at 2.4
    caller = said("i understand but let me just say one thing", 1.8)  # starts over it, ends at 4.5
    first, second = conversation(caller, prospect)
    assert first.party == "prospect" and first.interrupted
    assert second.party == "caller" and not second.interrupted


def test_spans_are_packed_to_fit_one_whisper_window() -> None:
    spans = [Span(i * 16_000 * 10, i * 16_000 * 10 + 16_000 * 8) for i in range(7)]  # seven 8 s spans
    packed = windows(spans)
    assert [len(group) for group in packed] == [3, 3, 1]
    assert windows([]) == []


def test_the_prospect_role_from_a_hand_off_from_screening_words_or_a_flag() -> None:
    handed = prospect_roles(["Dana's office.", "What is it regarding?", "I'll put you through.", "Dana speaking."])
    assert handed.roles == ("gatekeeper", "gatekeeper", "gatekeeper", "executive")
    assert '"ill put you through"' in handed.note and "their turn 3" in handed.note
    screened = prospect_roles(["Front desk, who's calling?", "She's out."])
    assert screened.roles == ("gatekeeper", "gatekeeper") and "front desk" in screened.note
    assert prospect_roles(["Hello?", "Go on."]).roles == ("executive", "executive")
    assert prospect_roles(["Dana's office.", "Sure."], role="executive").roles == ("executive", "executive")
    assert prospect_roles(["Hello?", "Go on."], role="gatekeeper").roles == ("gatekeeper", "gatekeeper")
    # a hand-off in the last turn hands over to nobody
    assert prospect_roles(["Hello?", "Putting you through."]).roles == ("executive", "executive")


def test_the_role_cues_file_is_valid_and_normalised() -> None:
    cues = role_cues()
    assert "putting you through" in cues.handoff and "whos calling" in cues.gatekeeper


def test_a_research_file_of_lines_or_a_yaml_list(tmp_path: Path) -> None:
    lines = tmp_path / "facts.txt"
    lines.write_text("# from their site\nThey opened a Leeds hub.\n\n  Dana runs operations.  \n", encoding="utf-8")
    assert load_facts(lines) == ["They opened a Leeds hub.", "Dana runs operations."]
    listed = tmp_path / "facts.yaml"
    listed.write_text("# research\n- They opened a Leeds hub.\n- 'Dana: runs operations'\n", encoding="utf-8")
    assert load_facts(listed) == ["They opened a Leeds hub.", "Dana: runs operations"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", ": no research facts in this file"),
        (b"# only a comment\n", ": no research facts in this file"),
        (b"- one\n- [two, three]\n", "2:3: each fact is a line of text"),
        (b"- one\n- 'unclosed\n", "not valid YAML"),
        (b"RIFF\x00\x00\xff\xfeWAVE", "not UTF-8 text"),
        (b"fine\n" + b"x" * 600 + b"\n", "2:1: a fact is at most 500 characters"),
    ],
)
def test_a_bad_research_file_says_where(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "facts.txt"
    path.write_bytes(content)
    with pytest.raises(ScenarioError) as raised:
        load_facts(path)
    assert str(raised.value).startswith(f"{path}:") and message in str(raised.value)
    assert "\n" not in str(raised.value)
