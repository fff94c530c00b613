"""The three scores: the labelled ranking test (clean and speech-to-text forms), evidence, partial
credit, tips, cross-call rigidity and `callsim score`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.scoring import ScoreReport, score_transcript
from simulator.scoring.language import research_mentions
from simulator.transcript import Speaker, Transcript, Turn, load_transcript

LABELLED = Path(__file__).parent / "data" / "labelled"
INDEX = json.loads((LABELLED / "index.json").read_text(encoding="utf-8"))["calls"]
SCORES = ("rigidity", "value_added", "next_step")


def speech_to_text_form(transcript: Transcript, misheard: dict[str, str]) -> Transcript:
    """The caller's words as speech-to-text writes them: a few words misheard, lower case, no punctuation.

    Persona lines stay as the scenario wrote them: they are spoken by the app, never transcribed.
    """
    copy = transcript.model_copy(deep=True)
    for turn in copy.turns:
        if turn.speaker != "caller":
            continue
        text = turn.text
        for heard, written in misheard.items():
            text = re.sub(rf"\b{re.escape(heard)}\b", written, text, flags=re.IGNORECASE)
        text = re.sub(r"[^\w\s']|(?<!\w)'|'(?!\w)", " ", text.lower().replace("-", " "))
        turn.text = " ".join(text.split())
    return copy


def without_punctuation(transcript: Transcript) -> Transcript:
    """The caller's words lower-cased with every mark removed, and nothing misheard."""
    return speech_to_text_form(transcript, {})


def labelled(form: str) -> list[tuple[str, dict[str, str], Transcript]]:
    calls = []
    for entry in INDEX:
        transcript = load_transcript(LABELLED / entry["file"])
        if form == "stt":
            transcript = speech_to_text_form(transcript, entry["misheard"])
        calls.append((entry["file"], entry["labels"], transcript))
    return calls


def test_the_labelled_set_covers_every_combination_twice() -> None:
    combos = [tuple(entry["labels"][name] for name in SCORES) for entry in INDEX]
    assert len(INDEX) >= 12
    assert {(r, v, n) for r in ("high", "low") for v in ("high", "low") for n in ("high", "low")} == set(combos)
    for entry in INDEX:
        transcript = load_transcript(LABELLED / entry["file"])
        assert transcript.research and transcript.caller_turns()
        ends = [turn.end for turn in transcript.turns]
        assert ends == sorted(ends) and all(turn.end > turn.start for turn in transcript.turns)
        assert entry["misheard"], "each call has speech-to-text slips for its STT form"


def test_the_stt_form_really_differs_from_the_clean_form() -> None:
    for entry in INDEX:
        clean = load_transcript(LABELLED / entry["file"])
        heard = speech_to_text_form(clean, entry["misheard"])
        caller_clean = " ".join(turn.text for _, turn in clean.caller_turns())
        caller_heard = " ".join(turn.text for _, turn in heard.caller_turns())
        assert caller_heard == caller_heard.lower() and "," not in caller_heard and "." not in caller_heard
        slips = [w for w in entry["misheard"].values() if w.lower() in caller_heard]
        assert slips or caller_clean.lower() == caller_heard, entry["file"]


@pytest.mark.parametrize("form", ["clean", "stt"])
@pytest.mark.parametrize("score", SCORES)
def test_every_high_call_outranks_every_low_call(form: str, score: str) -> None:
    results = [(name, labels[score], score_transcript(t).scores[score]) for name, labels, t in labelled(form)]
    highs = [(name, value) for name, label, value in results if label == "high"]
    lows = [(name, value) for name, label, value in results if label == "low"]
    assert len(highs) >= 4 and len(lows) >= 4
    for high_name, high in highs:
        for low_name, low in lows:
            assert high > low, f"{score} ({form}): {high_name}={high} should outrank {low_name}={low}"


@pytest.mark.parametrize("entry", INDEX, ids=[entry["file"] for entry in INDEX])
def test_scores_do_not_depend_on_punctuation_or_capitals(entry: dict[str, object]) -> None:
    transcript = load_transcript(LABELLED / str(entry["file"]))
    clean = score_transcript(transcript).to_dict()
    bare = score_transcript(without_punctuation(transcript)).to_dict()
    assert bare["scores"] == clean["scores"]
    for score in SCORES:
        points = [(item["turn"], item["points"]) for item in clean["evidence"][score]]
        assert [(item["turn"], item["points"]) for item in bare["evidence"][score]] == points


def test_report_shape_and_evidence_quote_the_callers_own_words() -> None:
    for _, _, transcript in labelled("clean"):
        report = score_transcript(transcript).to_dict()
        assert set(report) >= {"scores", "evidence", "tips", "metrics", "cross_call"}
        assert set(report["scores"]) == set(SCORES)
        for score in SCORES:
            value = report["scores"][score]
            assert isinstance(value, int) and 0 <= value <= 100
            assert report["tips"][score].strip()
            assert report["evidence"][score], f"{score} has no evidence"
            for item in report["evidence"][score]:
                turn = transcript.turns[item["turn"] - 1]
                assert turn.speaker == "caller"
                quoted = item["text"].strip("… ").strip()
                assert quoted and quoted in turn.text
                assert item["effect"] == ("+" if item["points"] > 0 else "-")
                assert item["why"]
        json.dumps(report)  # history stores it as JSON


def call(*lines: str, research: tuple[str, ...] = (), first: Speaker = "executive") -> Transcript:
    """A call alternating persona and caller lines (persona first), about 3 s per line."""
    turns = []
    clock = 0.0
    for index, text in enumerate(lines):
        speaker: Speaker = "caller" if index % 2 else first
        turns.append(Turn(speaker=speaker, text=text, start=clock, end=clock + 3.0))
        clock += 3.6
    return Transcript(scenario="test", research=list(research), turns=turns)


def evidence(report: ScoreReport, score: str) -> list[dict[str, object]]:
    items = report.to_dict()["evidence"]
    assert isinstance(items, dict)
    return list(items[score])


def test_a_half_met_next_step_earns_partial_credit() -> None:
    vague = call("Yes?", "Could we talk again next week?", "Maybe.")
    concrete = call("Yes?", "Could we talk again next Tuesday at ten?", "Maybe.")
    nothing = call("Yes?", "Thanks for your time.", "Bye.")
    scores = [score_transcript(t).scores["next_step"] for t in (nothing, vague, concrete)]
    assert scores[0] < scores[1] < scores[2]
    why = [item["why"] for item in evidence(score_transcript(vague), "next_step")]
    assert "names a day or a time, not both" in why


def test_a_missed_criterion_is_explained_not_silent() -> None:
    report = score_transcript(call("Hello?", "We sell software.", "Okay."))
    why = " ".join(str(item["why"]) for item in evidence(report, "value_added"))
    assert "no reason for the call" in why
    next_why = " ".join(str(item["why"]) for item in evidence(report, "next_step"))
    assert "no day, time" in next_why


def test_research_is_recognised_when_misheard_and_a_single_word_counts_half() -> None:
    facts = ["Harbor & Pine opened a second distribution centre in Leeds in March."]
    heard = research_mentions("i saw you opened the new distribution center in leads", facts)
    assert heard and heard[0].strength == 1.0
    assert research_mentions("i hear your distribution is growing", facts)[0].strength == 0.5
    assert research_mentions("is this harbor and pine", facts) == []  # names alone are not research
    with_research = call(
        "Yes?", "I saw you opened the distribution center in leads, congratulations.", research=tuple(facts)
    )
    without = call("Yes?", "I am calling about freight, congratulations.", research=tuple(facts))
    assert score_transcript(with_research).scores["value_added"] > score_transcript(without).scores["value_added"]


def test_entitlement_lowers_value_added_and_the_tip_names_it() -> None:
    polite = call(
        "Hello?", "The reason I'm calling is your new warehouse. Who looks after freight?", first="gatekeeper"
    )
    entitled = call(
        "Hello?", "The reason I'm calling is your new warehouse. Just put me through to her.", first="gatekeeper"
    )
    assert score_transcript(entitled).scores["value_added"] < score_transcript(polite).scores["value_added"]
    assert "put me through" in score_transcript(entitled).tips["value_added"]


def test_an_objection_half_taken_up_costs_less_than_one_ignored() -> None:
    objection = "We already have a freight broker."
    ignored = call("Hello.", "We cut freight costs.", objection, "We cut freight costs for retailers like you.")
    half = call("Hello.", "We cut freight costs.", objection, "Understood. We cut costs for retailers like you.")
    taken = call("Hello.", "We cut freight costs.", objection, "Understood. How is the broker working out for you?")
    points = {}
    for name, transcript in (("ignored", ignored), ("half", half), ("taken", taken)):
        items = evidence(score_transcript(transcript), "rigidity")
        points[name] = sum(float(str(i["points"])) for i in items if i["criterion"] == "ignored_objection")
    assert points == {"ignored": 12, "half": 6, "taken": 0}


def test_repeating_the_pitch_and_never_asking_raise_rigidity() -> None:
    pitch = "We help furniture retailers cut freight costs by twelve percent with consolidated routes."
    rigid = call("Hello.", pitch, "Why should I care?", pitch, "I see.", pitch)
    flexible = call(
        "Hello.",
        "Hi, the reason I'm calling is your second warehouse. How are you splitting orders today?",
        "Why should I care?",
        "Fair question: most retailers with two sites overpay on freight. What does it cost you today?",
        "No idea.",
        "That's common. Who would know?",
    )
    rigid_report, flexible_report = score_transcript(rigid), score_transcript(flexible)
    assert rigid_report.scores["rigidity"] > flexible_report.scores["rigidity"] + 40
    why = [str(item["why"]) for item in evidence(rigid_report, "rigidity")]
    assert any("repeats the pitch of turn 2" in text for text in why)
    assert "never asked a question" in why


def test_an_opening_repeated_from_earlier_calls_raises_rigidity() -> None:
    transcript = call("Yes?", "Hi, this is Alex from Freightline, the reason I'm calling is your new warehouse.")
    earlier = ["hi this is alex from freightline the reason im calling is your new warehouse in leeds"]
    fresh = score_transcript(transcript)
    repeated = score_transcript(transcript, earlier_openings=earlier)
    assert repeated.scores["rigidity"] == fresh.scores["rigidity"] + 15
    assert repeated.cross_call["repeated_opening"] is True
    assert any(item["criterion"] == "repeated_opening" for item in evidence(repeated, "rigidity"))
    different = score_transcript(transcript, earlier_openings=["Good morning, could I ask who handles freight?"])
    assert different.cross_call["repeated_opening"] is False
    assert different.scores["rigidity"] == fresh.scores["rigidity"]


def test_tips_follow_what_was_weakest_in_this_call() -> None:
    passive = call("Yes?", "I'll email you, reach out if you're interested.", "Fine.")
    silent = call("Yes?", "Thanks for your time.", "Bye.")
    assert "reach out if" in score_transcript(passive).tips["next_step"]
    assert "propose a day" in score_transcript(silent).tips["next_step"]
    assert score_transcript(passive).tips["next_step"] != score_transcript(silent).tips["next_step"]


def test_scoring_is_pure() -> None:
    transcript = load_transcript(LABELLED / INDEX[0]["file"])
    before = transcript.model_dump()
    assert score_transcript(transcript).to_dict() == score_transcript(transcript).to_dict()
    assert transcript.model_dump() == before


def test_an_empty_call_scores_without_error() -> None:
    report = score_transcript(Transcript()).to_dict()
    assert set(report["scores"]) == set(SCORES)


# --- callsim score -----------------------------------------------------------------------------


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CALLSIM_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_callsim_score_prints_a_readable_report(tmp_path: Path) -> None:
    result = run_cli("score", str(LABELLED / "demands-direct-line.json"), home=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Rigidity (lower is better)" in out
    assert '"Hi, I need to speak with Dana Reyes. Put me through, please."' in out  # evidence quote
    assert out.count("Tip:") == 3
    assert "Caller talk share" in out and "good: 40–60 %" in out


def test_callsim_score_json(tmp_path: Path) -> None:
    result = run_cli("score", str(LABELLED / "curious-insight-books-review.json"), "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    expected = score_transcript(load_transcript(LABELLED / "curious-insight-books-review.json")).to_dict()
    assert report == json.loads(json.dumps(expected))
    assert set(report["metrics"]["pace"]) == {"value", "unit", "good_range", "source", "in_range"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"turns": [', "not valid JSON"),
        ('{"turns": [{"speaker": "robot", "text": "hi", "start": 0, "end": 1}]}', "turns.0.speaker"),
    ],
)
def test_callsim_score_bad_file_is_one_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "call.json"
    path.write_text(content, encoding="utf-8")
    result = run_cli("score", str(path), home=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.stderr


def test_callsim_score_missing_file(tmp_path: Path) -> None:
    result = run_cli("score", str(tmp_path / "nope.json"), home=tmp_path)
    assert result.returncode == 1
    assert "cannot read" in result.stderr and "Traceback" not in result.stderr


def test_the_text_report_shows_a_repeated_opening_and_survives_a_partial_dict() -> None:
    from simulator.scoring.report import format_report

    transcript = call("Yes?", "Hi, this is Alex from Freightline, the reason I'm calling is your new warehouse.")
    earlier = ["Hi, this is Alex from Freightline, the reason I'm calling is your new warehouse."]
    text = format_report(score_transcript(transcript, earlier_openings=earlier).to_dict())
    assert "Across calls: your opening is 100% the same" in text
    assert "same opening as an earlier call" in text
    partial = format_report({"scores": {"rigidity": 40}})
    assert "Rigidity (lower is better)" in partial and "40 / 100" in partial


@pytest.mark.parametrize(
    ("line", "day", "time"),
    [
        ("would tuesday at ten work", True, True),
        ("Could we do 3 p.m. on Thursday?", True, True),
        ("how about 10:30 tomorrow", True, True),
        ("let's talk next week", True, False),
        ("I'll call at half past two", False, True),
        ("good morning, this is Alex", False, False),
        ("last Tuesday we launched", False, False),
        ("I just need five minutes", False, False),
        ("Hi Priya, how are you today?", False, False),  # small talk, not a proposal
        ("what are you using today", False, False),
        ("could we talk today at 3", True, True),
        ("I'll call back later today", True, False),
    ],
)
def test_days_and_times_are_read_from_speech(line: str, day: bool, time: bool) -> None:
    from simulator.scoring.cues import concrete_when
    from simulator.scoring.language import words

    assert concrete_when(words(line)) == (day, time)


def test_research_written_in_lower_case_by_a_user_is_recognised() -> None:
    facts = ["opened a warehouse in leeds in march", "hiring three transport planners"]
    mentions = research_mentions("congrats on the new where house in leads", facts)
    assert [mention.fact for mention in mentions] == [facts[0]]
    assert mentions[0].strength == 1.0
