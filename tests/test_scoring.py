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


def test_names_said_again_in_a_goodbye_are_not_a_repeated_pitch() -> None:
    recap = call(
        "Halden Freight, this is Priya. How can I help you?",
        "Hi Priya, this is Sam Carter from Brightline Analytics.",
        "Done, you're in his diary. I'll send the invite over now.",
        "Perfect, so that's Tuesday at 10am with Daniel, and the invite goes to Sam at Brightline. Thanks Priya, bye.",
        first="gatekeeper",
    )
    assert not [item for item in evidence(score_transcript(recap), "rigidity") if item["criterion"] == "repetition"]


def test_a_demand_asked_as_a_question_is_no_question_back() -> None:
    report = score_transcript(call("He isn't taking calls.", "Can you give me his direct line then?"))
    criteria = [item["criterion"] for item in evidence(report, "rigidity")]
    assert "questions_back" not in criteria and "no_questions" in criteria


def test_a_word_that_only_looks_like_theirs_is_not_taking_it_up() -> None:
    features = "Our platform has AI dashboards, real-time tracking and custom reports. It's the best on the market."
    report = score_transcript(
        call("He isn't taking calls he isn't expecting. Who's calling, and what's it about?", features)
    )
    why = [str(item["why"]) for item in evidence(report, "rigidity")]
    assert not [text for text in why if "picks up" in text], why


def test_the_unanswered_question_tip_quotes_the_persona_and_numbers_both_turns() -> None:
    asked = "Actually, that does sound useful. I manage his diary. What day and time would suit you?"
    report = score_transcript(
        call("Hello?", "Hi, this is Sam from Brightline.", asked, "Is Daniel in charge of fleet?")
    )
    assert report.tips["rigidity"].startswith(
        'Turn 3 asked "What day and time would suit you?" and in turn 4 you said "Is Daniel in charge of fleet"'
    )


def test_after_a_booking_with_the_assistant_the_next_step_tip_asks_who_else_should_join() -> None:
    booked = call(
        "Daniel's office, Priya speaking.",
        "Hi Priya, this is Sam from Brightline. Would Thursday at 2pm for 15 minutes work for Daniel?",
        "Lovely, I've put that in his diary.",
        "Great, so Thursday at 2pm, I will call Daniel then. Thanks Priya.",
        first="gatekeeper",
    )
    report = score_transcript(booked)
    assert report.scores["next_step"] == 90
    assert "who else" in report.tips["next_step"] and "leave with a name or a time" not in report.tips["next_step"]


def test_offering_to_share_what_was_benchmarked_is_giving() -> None:
    line = "We benchmarked twelve hubs on empty miles. Could I share that with Daniel?"
    gives = [item for item in evidence(score_transcript(call("What's it about?", line)), "value_added")]
    assert any(item["criterion"] == "give" and float(str(item["points"])) > 0 for item in gives), gives


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
    assert "nope.json: no such file" in result.stderr and "Traceback" not in result.stderr


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
        ("we benchmarked invoice costs at six food companies", False, False),  # counting, not a time
        ("it worked at three engineering firms", False, False),
        ("tuesday at ten works for me", True, True),
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


# --- no credit for what the caller never did -----------------------------------------------------

FULL_PATH = (
    "Ravensworth is refurbishing fourteen of its hotels over the next eighteen months.",
    "The annual report says energy costs rose 18% last year and are now the second-largest cost.",
    "Catherine spoke about net zero targets at the Hospitality Leaders Forum in May.",
)
CORVANE = (
    "Corvane Foods bought Miller's Bakery in March and is merging the two finance teams.",
    "Corvane is moving transactional finance into a shared service centre in Manchester.",
    "Corvane's half-year results showed gross margin down two points.",
)


def whys(report: ScoreReport, score: str, criterion: str | None = None) -> list[str]:
    return [str(item["why"]) for item in evidence(report, score) if criterion in (None, item["criterion"])]


@pytest.mark.parametrize(
    ("question", "demand"),
    [
        ("What's it about?", "Look, I just need five minutes with him, put me through."),
        ("What do you want?", "Just give me his direct line then."),
        ("How can I help?", "Put me through to Catherine."),
    ],
)
def test_a_demand_does_not_answer_an_open_question(question: str, demand: str) -> None:
    report = score_transcript(call("Ravensworth Hotels, Tom speaking.", "Hi Tom, it's Sam.", question, demand))
    assert not [why for why in whys(report, "rigidity", "takes_up") if "turn 3" in why]
    assert any("instead of answering the question in turn 3" in why for why in whys(report, "rigidity"))
    answered = score_transcript(
        call("Ravensworth Hotels.", "Hi Tom, it's Sam.", question, "It's about energy costs across your hotels.")
    )
    assert any("turn 3" in why for why in whys(answered, "rigidity", "takes_up"))


def test_a_reply_that_gives_nothing_does_not_answer_what_the_call_is_about() -> None:
    report = score_transcript(call("Hello?", "Hi, it's Sam.", "What's it about?", "Is Daniel around?"))
    assert "does not answer the question in turn 3" in whys(report, "rigidity")


def test_a_demand_is_not_a_reason_for_calling_and_a_name_is_not_research() -> None:
    report = score_transcript(call("Hello?", "Hi, put me through to Catherine.", research=FULL_PATH))
    assert "no reason for the call was ever stated" in whys(report, "value_added", "reason")
    assert not [why for why in whys(report, "value_added", "research") if "research '" in why]


@pytest.mark.parametrize(
    ("line", "facts"),
    [
        ("put me through to catherine", FULL_PATH),
        ("this is about ravensworth", FULL_PATH),
        ("i am calling about corvane", CORVANE),
        ("is this corvanes finance office", CORVANE[2:]),
    ],
)
def test_a_name_alone_is_not_a_research_mention(line: str, facts: tuple[str, ...]) -> None:
    assert research_mentions(line, facts) == []


def test_the_substance_of_a_fact_is_still_research() -> None:
    mentions = research_mentions("i saw your gross margin was down two points", CORVANE)
    assert [mention.fact for mention in mentions] == [CORVANE[2]] and mentions[0].strength == 1.0
    spoke = research_mentions("catherine spoke about net zero targets at the forum", FULL_PATH)
    assert [mention.fact for mention in spoke] == [FULL_PATH[2]] and spoke[0].strength == 1.0


def test_a_new_proposal_is_not_a_confirmation() -> None:
    proposal = "Would Thursday at two for twenty minutes work?"
    for opening, reply in (("Could we talk next week?", "Sure."), ("When's a good time to reach her?", "Thursday.")):
        report = score_transcript(call("Yes?", opening, reply, proposal, "Yes, that works."))
        items = [(item["turn"], item["criterion"]) for item in evidence(report, "next_step")]
        assert (4, "proposal") in items and (4, "confirmed") not in items
        confirmed = score_transcript(
            call("Yes?", opening, reply, proposal, "Yes, that works.", "Great, Thursday at two then.")
        )
        assert "confirms the day and time back" in whys(confirmed, "next_step", "confirmed")
        assert [item["turn"] for item in evidence(confirmed, "next_step") if item["criterion"] == "confirmed"] == [6]


def test_go_on_is_not_agreement_to_a_next_step() -> None:
    go_on = "Okay. You've got two minutes. Go on."
    transcript = call("Yes?", "Hi, it's Sam. I know you're busy this afternoon.", go_on)
    report = score_transcript(transcript)
    assert not [item for item in evidence(report, "next_step") if item["points"] and item["criterion"] == "agreement"]
    assert "no next contact was agreed" in whys(report, "next_step", "agreement")
    assert not [item for item in evidence(report, "next_step") if item["points"] and item["criterion"] == "proposal"]


def test_agreement_after_a_later_turn_and_a_booked_outcome_count() -> None:
    transcript = call(
        "Yes?",
        "Would Thursday at two for twenty minutes work?",
        "Who else would be on it?",
        "Just you and me, and Tom if he likes.",
        "That works. Tom will send you an invite.",
    )
    transcript.outcome = "meeting_booked"
    report = score_transcript(transcript)
    assert "the other side agrees in turn 5" in whys(report, "next_step", "agreement")
    assert "no next contact was agreed" not in whys(report, "next_step")
    quiet = call("Yes?", "Would Thursday at two for twenty minutes work?", "Hm. Send me the agenda first.", "Will do.")
    quiet.outcome = "meeting_booked"
    assert "the call ended with the meeting booked" in " ".join(whys(score_transcript(quiet), "next_step"))
    quiet.outcome = None
    assert "no next contact was agreed" in whys(score_transcript(quiet), "next_step")


def test_a_reason_answers_a_why_question() -> None:
    transcript = call(
        "Ravensworth Hotels, Tom speaking.",
        "Hi Tom, it's Sam from Brightgrid. I'm calling about energy costs in your hotels.",
        "Why would this matter to her?",
        "Fair question, Tom. Your annual report says energy costs rose 18% last year.",
        first="gatekeeper",
        research=FULL_PATH,
    )
    report = score_transcript(transcript)
    assert "does not answer the question in turn 3" not in whys(report, "rigidity")
    assert any("turn 3" in why for why in whys(report, "rigidity", "takes_up"))


def test_demanding_contact_details_is_neither_scripted_nor_about_them() -> None:
    demand = score_transcript(call("Hello?", "Just give me his direct line then."))
    assert not whys(demand, "rigidity", "canned_rebuttal")
    line = score_transcript(call("Hello?", "Can you give me your direct line so I can call you?"))
    assert not [why for why in whys(line, "value_added", "benefits") if "talks about them" in why]
    assert any("entitlement" in why for why in whys(line, "value_added", "entitlement"))


def test_evidence_and_report_wording() -> None:
    from simulator.scoring.report import format_report

    report = score_transcript(call("Yes?", "Hi, it's Sam. Who looks after energy?", "Tom.", "Thanks."))
    assert "asks a question back (closed)" in whys(report, "rigidity", "questions_back")
    text = format_report(report.to_dict())
    assert "1 questions" not in text and " times" not in text and "(0)" not in text
    assert "(no points)" in text
    assert "good: ≤ 60 s" in text  # a unit on both the value and the range
    questions = next(line for line in text.splitlines() if "Questions asked" in line)
    assert questions.split() == ["--", "Questions", "asked", "1", "good:", "≥", "2"]
    saved = {"metrics": {"interruptions": {"value": 0.0, "unit": "times", "good_range": [None, 1.0]}}}
    assert "Interruptions               0              good: ≤ 1" in format_report(saved)  # an older report
    one_fact = score_transcript(call("Yes?", "Hi, it's Sam.", research=FULL_PATH[:1]))
    assert any(why.startswith("the research fact 'Ravensworth") for why in whys(one_fact, "value_added"))


def test_a_follow_up_said_with_now_or_today_says_when() -> None:
    transcript = call("Fine, Tuesday at ten then.", "Thank you, Helen. I'll send the invite now.")
    why = [item["why"] for item in score_transcript(transcript).to_dict()["evidence"]["next_step"]]
    assert "says who follows up and when ('ill send')" in why
    later = call("Fine, Tuesday at ten then.", "Thank you, Helen. I'll send the invite.")
    why = [item["why"] for item in score_transcript(later).to_dict()["evidence"]["next_step"]]
    assert "says who follows up, but not when ('ill send')" in why


@pytest.mark.parametrize(
    "reply",
    [
        "I don't think Tuesday works.",
        "Not sure that works for me.",
        "Why would I give you time in my diary?",
        "I'm still not sure why she'd need to hear it.",
    ],
)
def test_a_doubt_or_a_refusal_is_never_read_as_agreement(reply: str) -> None:
    from simulator.scoring import cues

    assert not cues.agrees(reply, "Would Tuesday at ten work for twenty minutes?", right_after=True)
    why = [
        item["why"]
        for item in score_transcript(call("Hello?", "Would Tuesday at ten work for twenty minutes?", reply)).to_dict()[
            "evidence"
        ]["next_step"]
    ]
    assert not any("agrees" in line for line in why), why


def test_self_focus_evidence_reads_as_a_sentence_about_the_caller() -> None:
    from simulator.scoring import score_transcript
    from simulator.transcript import Transcript, Turn

    said = (
        "I am calling because we built a tool and I think we are great, we have clients and I love our product, "
        "we grew and I want to show you what we do, our team and my plan."
    )
    transcript = Transcript(
        scenario="x",
        turns=[
            Turn(speaker="gatekeeper", text="Hello, Acme.", start=0.0, end=1.0),
            Turn(speaker="caller", text=said, start=1.5, end=12.0),
        ],
    )
    evidence = score_transcript(transcript).to_dict()["evidence"]
    whys = [str(item.get("why", "")) for items in evidence.values() for item in items]
    focus = [why for why in whys if "I or we" in why]
    assert focus, whys
    assert focus[0].startswith("about you, not them: ") and "itself" not in focus[0]
