"""The coach of the Call screen: reminders, hints from the scoring rubric, and rate-limited nudges."""

from __future__ import annotations

from simulator.transcript import Transcript, Turn
from simulator.tui.coaching import (
    MONOLOGUE_SECONDS,
    NUDGE_INTERVAL,
    REMINDERS,
    Coach,
    hint,
    plain_words,
    weakest,
)


def test_plain_words_say_which_way_is_better() -> None:
    assert plain_words("rigidity", 22.4) == "rigidity 22 — lower is better"
    assert plain_words("value_added", 70) == "value added 70 — higher is better"
    assert plain_words("next_step", 5) == "next step 5 — higher is better"


def test_three_reminders_one_per_score() -> None:
    assert set(REMINDERS) == {"rigidity", "value_added", "next_step"}
    assert all(len(text) > 30 for text in REMINDERS.values())


def test_weakest_score_waits_for_the_call_before_next_step() -> None:
    scores = {"rigidity": 30.0, "value_added": 60.0, "next_step": 0.0}
    assert weakest(scores, caller_turns=1) == "value_added"  # rigidity 30 reads as 70 good
    assert weakest(scores, caller_turns=3) == "next_step"
    assert weakest({"rigidity": 90.0, "value_added": 60.0, "next_step": 50.0}, caller_turns=3) == "rigidity"


def test_hint_before_the_caller_speaks_is_the_value_reminder() -> None:
    transcript = Transcript(turns=[Turn(speaker="gatekeeper", text="Acme, how can I help?", start=0, end=2)])
    assert hint(transcript) == REMINDERS["value_added"]


def test_hint_is_the_scoring_tip_for_the_weakest_score() -> None:
    from simulator.scoring import score_transcript

    transcript = Transcript(
        turns=[
            Turn(speaker="executive", text="Maria Ortega.", start=0, end=1),
            Turn(speaker="caller", text="I just need five minutes, put me through to your boss.", start=1.5, end=4),
            Turn(speaker="executive", text="What is this about?", start=4.5, end=5.5),
            Turn(speaker="caller", text="We sell software. It has many features.", start=6, end=9),
        ]
    )
    report = score_transcript(transcript).to_dict()
    expected = report["tips"][weakest(report["scores"], caller_turns=2)]
    assert hint(transcript) == expected


def test_nudges_come_at_most_once_every_twenty_seconds() -> None:
    coach = Coach("coached")
    coach.caller_started(0.0)
    assert coach.tick(MONOLOGUE_SECONDS - 1) is None
    first = coach.tick(MONOLOGUE_SECONDS + 1)
    assert first is not None and "ask them a question" in first
    assert coach.tick(MONOLOGUE_SECONDS + 5) is None  # still talking, but a nudge was just given
    assert coach.persona_patience(MONOLOGUE_SECONDS + 10, "Maria", 1) is None
    later = coach.persona_patience(MONOLOGUE_SECONDS + 1 + NUDGE_INTERVAL, "Maria", 1)
    assert later is not None and "Maria" in later


def test_a_long_typed_turn_is_a_monologue_too() -> None:
    coach = Coach("coached")
    assert coach.caller_turn(10.0, duration=12.0) is None
    assert coach.caller_turn(50.0, duration=MONOLOGUE_SECONDS + 3) is not None


def test_exam_mode_never_nudges() -> None:
    coach = Coach("exam")
    coach.caller_started(0.0)
    assert coach.tick(100.0) is None
    assert coach.caller_turn(100.0, duration=90.0) is None
    assert coach.persona_patience(200.0, "Maria", 0) is None
    assert not coach.helps


def test_the_patience_nudge_comes_while_one_pushy_turn_could_still_be_saved() -> None:
    from simulator.persona.engine import MAX_PATIENCE_LOSS_PER_TURN

    coach = Coach("coached")
    assert coach.persona_patience(10.0, "Priya", MAX_PATIENCE_LOSS_PER_TURN + 1) is None
    warning = coach.persona_patience(11.0, "Priya", MAX_PATIENCE_LOSS_PER_TURN)
    assert warning is not None and "Priya is running out of patience" in warning
