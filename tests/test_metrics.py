"""Conversation metrics on hand-timed transcripts: every expected value below is worked out by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from simulator.scoring.language import find_questions
from simulator.scoring.metrics import Metric, compute_metrics, count_fillers
from simulator.transcript import Transcript, Turn


def hand_timed() -> Transcript:
    """Eight turns. Caller speech: 6.0 + 4.5 + 1.0 + 2.0 = 13.5 s; persona: 2.0 + 2.0 + 1.5 + 2.4 = 7.9 s."""
    return Transcript(
        scenario="hand-timed",
        research=["Harbor & Pine opened a new warehouse in Leeds."],
        turns=[
            Turn(speaker="gatekeeper", text="Good morning, Harbor and Pine.", start=0.0, end=2.0),
            # 16 words; "the reason" is word 5, "who handles" starts at word 13; "um" is a filler
            Turn(
                speaker="caller",
                text="Hi, um, this is Alex. The reason I'm calling is your new warehouse. Who handles freight?",
                start=2.5,
                end=8.5,
            ),
            Turn(speaker="gatekeeper", text="That's Dana. What's it about?", start=9.0, end=11.0),
            # starts 0.5 s before the gatekeeper finished: an overlap; 11 words, "you know" is a filler
            Turn(
                speaker="caller",
                text="It's about freight costs, you know. How do you ship today?",
                start=10.5,
                end=15.0,
            ),
            Turn(
                speaker="gatekeeper",
                text="We use several carriers and",
                start=15.5,
                end=17.0,
                interrupted=True,
                heard=0.5,
            ),
            Turn(speaker="caller", text="Sorry, go on.", start=17.0, end=18.0),
            Turn(speaker="gatekeeper", text="Several carriers. Call back Thursday.", start=18.5, end=20.9),
            Turn(speaker="caller", text="Great, I'll call Thursday at ten.", start=22.0, end=24.0),
        ],
    )


@pytest.fixture
def metrics() -> dict[str, Metric]:
    return {metric.name: metric for metric in compute_metrics(hand_timed())}


def test_talk_ratio_is_caller_speech_over_all_speech(metrics: dict[str, Metric]) -> None:
    assert metrics["talk_ratio"].value == 63.1  # 13.5 / 21.4
    assert metrics["talk_ratio"].unit == "%"
    assert metrics["talk_ratio"].in_range is False  # good: 40–60 %


def test_longest_monologue(metrics: dict[str, Metric]) -> None:
    assert metrics["longest_monologue"].value == 6.0
    assert metrics["longest_monologue"].in_range


def test_questions_counted_without_question_marks_open_and_closed(metrics: dict[str, Metric]) -> None:
    assert metrics["questions"].value == 2  # "who handles freight", "how do you ship today"
    assert metrics["open_questions"].value == 1
    assert metrics["closed_questions"].value == 1
    assert metrics["questions_per_minute"].value == 5.0  # 2 in 24.0 s


def test_fillers_per_minute_of_caller_speech(metrics: dict[str, Metric]) -> None:
    assert metrics["fillers_per_minute"].value == 8.89  # 2 fillers in 13.5 s
    assert metrics["fillers_per_minute"].in_range is False


def test_pace_in_words_per_minute(metrics: dict[str, Metric]) -> None:
    assert metrics["pace"].value == 160.0  # 36 words in 13.5 s
    assert metrics["pace"].in_range


def test_mean_gap_before_the_caller_answers(metrics: dict[str, Metric]) -> None:
    assert metrics["mean_answer_gap"].value == 0.4  # (0.5 + 0 overlap + 0.0 + 1.1) / 4


def test_interruptions_count_marked_turns_and_overlaps(metrics: dict[str, Metric]) -> None:
    assert metrics["interruptions"].value == 2  # the overlap at 10.5 s and the interrupted line
    assert metrics["interruptions"].in_range is False


def test_time_to_first_question_and_to_the_reason(metrics: dict[str, Metric]) -> None:
    assert metrics["time_to_first_question"].value == 7.4  # 2.5 + 6.0 * 13/16 = 7.375
    assert metrics["time_to_reason"].value == 4.4  # 2.5 + 6.0 * 5/16 = 4.375


def test_every_metric_has_a_good_range_and_a_source() -> None:
    for metric in compute_metrics(hand_timed()):
        data = metric.to_dict()
        assert set(data) == {"value", "unit", "good_range", "source", "in_range"}
        assert data["source"], metric.name
        assert len(data["good_range"]) == 2


def test_a_call_without_questions_or_reason_has_no_time_for_them() -> None:
    transcript = Transcript(
        turns=[
            Turn(speaker="executive", text="Yes?", start=0.0, end=0.5),
            Turn(speaker="caller", text="We sell software.", start=1.0, end=2.2),
        ]
    )
    metrics = {metric.name: metric for metric in compute_metrics(transcript)}
    assert metrics["time_to_first_question"].value is None
    assert metrics["time_to_first_question"].in_range is False
    assert metrics["time_to_reason"].value is None
    assert metrics["questions"].value == 0
    assert metrics["mean_answer_gap"].value == 0.5


def test_consecutive_caller_turns_make_one_monologue() -> None:
    transcript = Transcript(
        turns=[
            Turn(speaker="executive", text="Go ahead.", start=0.0, end=1.0),
            Turn(speaker="caller", text="First part.", start=1.5, end=30.0),
            Turn(speaker="caller", text="Second part.", start=30.5, end=81.5),
        ]
    )
    metrics = {metric.name: metric for metric in compute_metrics(transcript)}
    assert metrics["longest_monologue"].value == 80.0
    assert metrics["longest_monologue"].in_range is False


def test_an_empty_transcript_gives_metrics_without_values() -> None:
    metrics = {metric.name: metric for metric in compute_metrics(Transcript())}
    assert metrics["talk_ratio"].value is None
    assert metrics["pace"].value is None


@pytest.mark.parametrize(
    ("text", "fillers"),
    [
        ("um so uh we help", 2),
        ("I would like to share something", 0),
        ("it was like really fast", 1),
        ("what kind of system do you use", 0),
        ("it's kind of slow, sort of", 2),
        ("do you know who handles freight", 0),
        ("we, you know, help firms like yours", 1),
        ("I mean it, basically", 2),
    ],
)
def test_fillers(text: str, fillers: int) -> None:
    assert count_fillers(text) == fillers


@pytest.mark.parametrize(
    ("text", "questions", "open_count"),
    [
        ("so how do you handle renewals today", 1, 1),
        ("So, how do you handle renewals today?", 1, 1),
        ("would tuesday at ten work for you", 1, 0),
        ("what kind of system do you use", 1, 1),
        ("could you spell her surname for me", 1, 0),
        ("when is a good time to reach her", 1, 0),
        ("which carriers do you use today and how do you pick them", 2, 1),
        ("we help logistics firms cut freight costs", 0, 0),
        ("i know how busy she is", 0, 0),
        ("thats what we do", 0, 0),
        ("the problem is it takes nine months", 0, 0),
        ("will do thanks", 0, 0),
        ("tell me how you split orders between the sites", 1, 1),
        ("Can I ask how you're planning to bring the finance team in?", 1, 1),  # permission, then open
        ("can i ask you something", 1, 0),
        ("How about Tuesday at 10am for fifteen minutes?", 1, 0),  # a proposal: answered yes or no
        ("how about you", 1, 1),
        ("Hi Priya, this is Sam. How are you today?", 0, 0),  # politeness, not a question about them
        ("how are you doing", 0, 0),
        ("How are you handling the new fleet?", 1, 1),
    ],
)
def test_questions_found_from_wording_not_punctuation(text: str, questions: int, open_count: int) -> None:
    found = find_questions(text)
    assert len(found) == questions
    assert sum(1 for question in found if question.open) == open_count


@pytest.mark.parametrize(
    ("text", "questions"),
    [
        ("That helps. Would Thursday at two work?", 1),
        ("that helps would thursday at two work", 1),
        ("Happy to share it either way. What would make a short call worth it for you?", 1),
        ("happy to share it either way what would make a short call worth it for you", 1),
        ("Is Daniel around?", 1),
        ("is daniel around", 1),
        ("Sounds good. Would that work for you?", 1),
        ("Great. Are you the right person for this?", 1),
        ("That would work for us.", 0),
        ("I think that would work.", 0),
        ("Was great talking to you.", 0),
        ("We found out what would help them.", 0),
        ("That's what would happen.", 0),
        ("Thanks. Will do.", 0),
        ("sorry its sam from brightline is daniel the right person for fleet planning", 1),
        ("ill keep it brief how about thursday at 2pm", 1),
        ("She is usually around in the mornings.", 0),
        ("The benefit today is huge.", 0),
        ("We cut no-shows by a third, which would give your clinics a chair day back.", 0),
    ],
)
def test_questions_are_found_after_a_sentence_and_without_punctuation(text: str, questions: int) -> None:
    assert len(find_questions(text)) == questions


def test_count_metrics_carry_no_unit_and_each_metric_its_own_source() -> None:
    metrics = compute_metrics(hand_timed())
    counts = {"questions", "open_questions", "closed_questions", "interruptions"}
    assert {metric.name: metric.unit for metric in metrics if metric.name in counts} == dict.fromkeys(counts, "")
    sources = [metric.source for metric in metrics if "question" in metric.name]
    assert len(set(sources)) == len(sources)


def caller_lines() -> list[str]:
    """Every caller line the tests hold: scripted callers, natural calls and the labelled calls."""
    data = Path(__file__).parent / "data"
    lines = [line for path in sorted((data / "callers").glob("*.txt")) for line in path.read_text().splitlines()]

    def strings(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        values = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
        return [text for value in values for text in strings(value)]

    lines += strings(YAML(typ="safe").load(data / "natural_calls.yaml"))
    for path in sorted((data / "labelled").glob("*.json")):
        turns = json.loads(path.read_text()).get("turns", [])
        lines += [turn["text"] for turn in turns if turn["speaker"] == "caller"]
    return [line for line in lines if line.strip()]


def test_questions_are_the_same_with_and_without_punctuation() -> None:
    """Full stops help find a question after a sentence; the wording alone must find the same ones."""
    lines = caller_lines()
    assert len(lines) > 200
    for line in lines:
        bare = " ".join(re.sub(r"[^\w\s']", " ", line.lower()).split())
        assert len(find_questions(bare)) == len(find_questions(line)), line
