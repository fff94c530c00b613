"""No criterion fires on a word without its meaning: each case from issue 9, typed and as speech-to-text
hears it, and the tips written for the call in front of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.scenario.source import ScenarioError
from simulator.scoring import score_transcript
from simulator.scoring.phrasebook import load_cues
from simulator.scoring.ranking import speech_to_text_form
from simulator.scoring.reading import read_call
from simulator.transcript import Speaker, Transcript, Turn


def call(
    *lines: str,
    research: tuple[str, ...] = (),
    first: Speaker = "executive",
    outcome: str | None = None,
    caller_runs: dict[int, list[str]] | None = None,
) -> Transcript:
    """A call alternating persona and caller lines (persona first), about 3 s per line."""
    turns = []
    clock = 0.0
    for index, text in enumerate(lines):
        speaker: Speaker = "caller" if index % 2 else first
        pieces = (caller_runs or {}).get(index, [text])
        for piece in pieces:
            turns.append(Turn(speaker=speaker, text=piece, start=clock, end=clock + 3.0))
            clock += 3.6
    return Transcript(scenario="test", research=list(research), turns=turns, outcome=outcome)


def evidence(transcript: Transcript, score: str) -> list[dict[str, object]]:
    return list(score_transcript(transcript).to_dict()["evidence"][score])


def whys(transcript: Transcript, score: str, criterion: str) -> list[tuple[float, str]]:
    return [
        (float(str(item["points"])), str(item["why"]))
        for item in evidence(transcript, score)
        if item["criterion"] == criterion
    ]


KESTREL = ("Kestrel Dental Group bought three practices in Norwich in April.",)


@pytest.mark.parametrize(
    "line",
    [
        "I haven't looked into Kestrel at all, but you bought three practices in Norwich, right?",
        "Congratulations on selling the three practices in Norwich.",
        "I hear you bought five practices in Norwich in April.",
    ],
)
def test_negated_or_contradicted_research_earns_nothing(line: str) -> None:
    transcript = call("Martin Kowalski.", line, "Right.", "Could we talk Tuesday at ten?", research=KESTREL)
    research = whys(transcript, "value_added", "research")
    assert research and all(points == 0 for points, _ in research), research
    assert any(why.startswith("not research") for _, why in research)


def test_research_the_other_side_corrects_is_not_research() -> None:
    facts = ("Ashdown Keller LLP merged with a Bristol firm, Penrose Hale, in May.",)
    transcript = call(
        "Ashdown Keller, Maria speaking.",
        "I'm calling about your split from Penrose Hale in May.",
        "We didn't split from Penrose Hale. We merged with them.",
        "Oh, either way.",
        research=facts,
    )
    assert all(points == 0 for points, _ in whys(transcript, "value_added", "research"))


def test_the_callers_own_company_name_is_no_benefit() -> None:
    transcript = call("Hello?", "Hi, it's Dana from Meridian Risk Partners. Do you have a minute for your team?")
    assert not [why for points, why in whys(transcript, "value_added", "benefits") if "risk" in why]
    assert read_call(transcript).company == frozenset({"meridian", "risk", "partners"})


def test_a_word_without_a_topic_is_not_taken_up() -> None:
    transcript = call("It's a busy week though.", "Though we have a new scheduling tool for clinics.")
    assert not [why for _, why in whys(transcript, "rigidity", "takes_up") if "though" in why]


def test_a_kind_of_day_is_no_proposal_and_its_echo_no_agreement() -> None:
    transcript = call("Hello?", "Is it always this calm on a Friday?", "Fridays, yeah.", "Great, thanks.")
    assert not [points for points, _ in whys(transcript, "next_step", "proposal") if points]
    assert not [points for points, _ in whys(transcript, "next_step", "agreement") if points]


@pytest.mark.parametrize("form", ["typed", "stt"])
def test_a_time_inside_an_instruction_is_a_test_not_a_proposal(form: str) -> None:
    transcript = call(
        "Go on.",
        "Note the compressor load at six on Friday evening, when the presses stop.",
        "OK.",
        "Thanks for your time.",
    )
    if form == "stt":
        transcript = speech_to_text_form(transcript, {})
    assert not [points for points, _ in whys(transcript, "next_step", "proposal") if points]


def test_feel_free_to_reach_out_is_punished() -> None:
    transcript = call("Thanks, that's useful.", "Glad it helps. Feel free to reach out any time.", "Will do.")
    assert [points for points, _ in whys(transcript, "next_step", "passive")] == [-15.0]


def test_a_stock_rebuttal_is_not_handling_the_objection() -> None:
    transcript = call(
        "Hello?",
        "Hi, it's Sam from Keyline Insurance.",
        "We're happy with our agent.",
        "I understand. A lot of our best clients were happy with their agent before they switched. "
        "How's Wednesday at ten?",
        "I'm not switching.",
    )
    assert not [why for _, why in whys(transcript, "rigidity", "takes_up") if "objection" in why]
    assert whys(transcript, "rigidity", "canned_rebuttal")
    assert [points for points, _ in whys(transcript, "rigidity", "ignored_objection")] == [12.0]


def test_a_complaint_put_as_a_question_is_not_a_question_answered() -> None:
    transcript = call(
        "We're fine.",
        "I'd like to show you our platform.",
        "Are you even listening? I'm not switching.",
        "I'm sure you'll love the dashboard.",
    )
    assert not [why for _, why in whys(transcript, "rigidity", "takes_up") if "answers" in why]
    assert any("objection in turn 3" in why for _, why in whys(transcript, "rigidity", "ignored_objection"))


PITCH = "We supply dies bolsters and hydraulic seals for every make of press at the best prices in the region"


def test_a_repeat_split_in_two_by_speech_to_text_is_still_a_repeat() -> None:
    whole = call("Yes?", PITCH, "Not interested.", PITCH, "Goodbye.")
    half = len(PITCH.split()) // 2
    split = call(
        "Yes?",
        PITCH,
        "Not interested.",
        PITCH,
        "Goodbye.",
        caller_runs={3: [" ".join(PITCH.split()[:half]), " ".join(PITCH.split()[half:])]},
    )
    assert [p for p, _ in whys(whole, "rigidity", "repetition")] == [
        p for p, _ in whys(split, "rigidity", "repetition")
    ]
    assert [p for p, _ in whys(split, "rigidity", "repetition")] == [15.0]


@pytest.mark.parametrize(
    ("typed", "heard"),
    [
        ("I'll call Helen tomorrow at two.", "all call helen tomorrow at two"),
        ("Today at two, or would tomorrow be better?", "today at two or wood tomorrow be better"),
    ],
)
def test_speech_to_text_slips_keep_the_next_step(typed: str, heard: str) -> None:
    def scored(line: str) -> dict[str, list[float]]:
        transcript = call("When can she talk?", line, "Fine.")
        return {key: [p for p, _ in whys(transcript, "next_step", key)] for key in ("proposal", "follow_up")}

    assert scored(typed) == scored(heard)
    assert scored(heard)["proposal"] == [30.0]


@pytest.mark.parametrize(
    "line",
    [
        "Martin, it's Maya from Chairside Systems. Got a second?",
        "martin its maya from chairside systems got a second",
        "Is unplanned downtime on the presses a headache right now?",
        "we see that a lot is unplanned downtime on the presses a headache right now",
    ],
)
def test_elliptical_questions_and_uncommon_words_are_questions(line: str) -> None:
    transcript = call("Hello?", line, "Maybe.")
    assert not whys(transcript, "rigidity", "no_questions") or whys(transcript, "rigidity", "no_questions")[0][0] < 20
    assert read_call(transcript).caller[0].questions


def test_a_status_is_not_an_objection() -> None:
    transcript = call(
        "She's in a meeting.",
        "No problem. When would be a better time to call back?",
        "After three.",
        first="gatekeeper",
    )
    report = score_transcript(transcript)
    assert not whys(transcript, "rigidity", "ignored_objection")
    assert "objection" not in " ".join(report.tips.values())


def test_a_refused_proposal_gets_a_fallback_tip() -> None:
    transcript = call(
        "Siobhan Kerr.",
        "Could we take thirty minutes on Monday at two to go through the hiring data?",
        "No, Monday I'm at the board.",
        "Okay, thanks anyway.",
    )
    tip = score_transcript(transcript).tips["next_step"]
    assert "fallback" in tip and "Monday" in tip
    assert "Ask for a yes" not in tip


def test_tips_never_ask_for_what_was_just_done_and_quote_this_call() -> None:
    facts = ("Harbour Vets opened a second surgery in Whitby in March.",)
    transcript = call(
        "Ellen Park.",
        "Ellen, it's Jo from PetLedger. I saw Harbour Vets opened a second surgery in Whitby. How are bookings there?",
        "Busy. Why?",
        "We found that second sites lose a tenth of bookings to no-shows; "
        "could we take twenty minutes on Thursday at two?",
        "Thursday at two works.",
        "Great, Thursday at two then, and I'll send the invite today.",
        research=facts,
    )
    tips = score_transcript(transcript).tips
    assert "say it back" not in tips["next_step"]  # the caller did
    for tip in tips.values():
        assert "depot" not in tip and "planning" not in tip
        assert '"' in tip  # every tip quotes the call


def test_who_else_should_join_only_once_a_meeting_exists() -> None:
    transcript = call(
        "Hello?",
        "Hi, it's Jo from PetLedger, I'm calling about your no-shows.",
        "Send me an email.",
        "Sure, I'll email you.",
    )
    assert "who else should be there" not in score_transcript(transcript).tips["next_step"]


def test_the_shipped_cue_file_is_valid_and_a_bad_one_names_file_line_and_column(tmp_path: Path) -> None:
    book = load_cues()
    assert "put me through" in book.entitlement and book.stt_repairs
    bad = tmp_path / "cues.yaml"
    text = Path(__file__).parent.parent.joinpath("scenarios", "language", "cues.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("reason im calling,", "Reason I'm calling,", 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        load_cues(bad)
    message = str(error.value)
    assert message.count("\n") == 0 and message.startswith(f"{bad}:") and "not normalised" in message
    line, col = message.split(":")[1:3]
    assert int(line) > 1 and int(col) > 1
