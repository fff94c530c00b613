"""Conversation metrics of one call, each with the range that published call research calls good.

The ranges are rules of thumb, not laws: they come from large analyses of recorded sales calls (Gong
Labs) and from conversation research, and are shown so a caller can see where they sit. docs/scoring.md
explains each one and its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.scoring import cues
from simulator.scoring.cues import reason_position
from simulator.scoring.language import find_questions, words
from simulator.transcript import Transcript, Turn

GONG_TALK = "Gong Labs, 25,537 B2B sales calls: top performers talk about 43% of the time; above 65% loses"
GONG_MONOLOGUE = "Gong Labs tracks the longest monologue per call; coaching guidance keeps it under about 45-75 s"
GONG_QUESTIONS = "Gong Labs: 11-14 questions spread over a discovery call convert best; none is a pitch, not a call"
QUESTION_PACE = "Gong Labs' 11-14 questions per discovery call, scaled to a short cold call: callsim's rule of thumb"
OPEN_QUESTIONS = "Open questions (what, how, why) let the other person talk; callsim asks for at least one a call"
CLOSED_QUESTIONS = "Closed questions pin down facts and times; no target, shown beside open questions for the mix"
PACE = "Conversational English runs at about 150 wpm; Gong Labs saw reps speed from ~173 to ~188 wpm under pushback"
FILLERS = "Speaking coaches (Toastmasters' ah-counter, call-coaching tools) flag more than about 2 fillers a minute"
TURN_TAKING = "Stivers et al. 2009 (PNAS), turn-taking in 10 languages: replies typically follow within 0-0.5 s"
INTERRUPT = "Gong Labs: top performers let the buyer finish and pause after objections instead of talking over them"
FIRST_QUESTION = "Cold Call Gym, 10,247 cold calls: 91% of successful calls asked a question within the first 27 s"
REASON = "Gong Labs, 90,380 connected cold calls: the caller must earn time at once; 30 s is callsim's rule of thumb"

CLOCK_METRICS = frozenset(
    {
        "talk_ratio",
        "longest_monologue",
        "questions_per_minute",
        "fillers_per_minute",
        "pace",
        "mean_answer_gap",
        "time_to_first_question",
        "time_to_reason",
    }
)
"""Metrics read off the turn timings: measured on a spoken call, only simulated from word counts on a typed one."""

# The unit of a count: none, so "1" and "at most 1" read right wherever a report puts a unit after a number.
COUNT = ""

# "like" is a filler after these words ("it was like", "so like"); after "would", "looks" it is a verb.
_LIKE_FILLER_AFTER = frozenset(
    {"so", "and", "but", "just", "was", "is", "its", "were", "thats", "like", "yeah", "well", "oh", "okay",
     "um", "uh", "er", "really", "basically"}
)  # fmt: skip
# "kind of" / "sort of" after these words names a kind ("what kind of system"), not a hedge.
_KIND_NOUN_AFTER = frozenset(
    {"what", "which", "a", "the", "this", "that", "any", "some", "every", "same", "these", "those",
     "different", "other", "right", "wrong", "one", "all", "your", "our", "their"}
)  # fmt: skip
_YOU_KNOW_NOT_FILLER_AFTER = frozenset({"do", "did", "if", "as", "would", "what", "dont", "didnt", "you", "will"})


def _is_filler(tokens: list[str], index: int) -> bool:
    word = tokens[index]
    before = tokens[index - 1] if index else ""
    after = tokens[index + 1] if index + 1 < len(tokens) else ""
    kind_of_you = index + 2 < len(tokens) and tokens[index + 2] in {"you", "her", "him", "them", "us"}
    return (
        word in cues.wordset("filler_sounds")
        or word == "basically"
        or (word == "like" and (index == 0 or before in _LIKE_FILLER_AFTER) and after != "to")
        or (word in {"sort", "kind"} and after == "of" and before not in _KIND_NOUN_AFTER and not kind_of_you)
        or (word == "you" and after == "know" and before not in _YOU_KNOW_NOT_FILLER_AFTER)
        or (word == "i" and after == "mean" and before != "what")
    )


def count_fillers(text: str) -> int:
    """Fillers in a line: um/uh sounds, "you know", "I mean", "basically", hedging "sort of"/"kind of",
    and "like" where it carries no meaning."""
    tokens = words(text)
    return sum(1 for index in range(len(tokens)) if _is_filler(tokens, index))


@dataclass(frozen=True)
class Metric:
    """One measured value, the range research calls good, and where that range comes from."""

    name: str
    value: float | None
    unit: str
    good_range: tuple[float | None, float | None]
    source: str

    @property
    def in_range(self) -> bool:
        if self.value is None:
            return False
        low, high = self.good_range
        return (low is None or self.value >= low) and (high is None or self.value <= high)

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "good_range": list(self.good_range),
            "source": self.source,
            "in_range": self.in_range,
        }


def _round(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def _moment_in_turn(turn: Turn, word_index: int) -> float:
    """When the word at `word_index` was said, spreading the turn's words evenly over its duration."""
    count = max(1, len(words(turn.text)))
    return turn.start + turn.duration * word_index / count


def monologues(transcript: Transcript) -> list[float]:
    """Durations of the caller's unbroken stretches of speech (consecutive caller turns count as one)."""
    stretches: list[float] = []
    start: float | None = None
    end = 0.0
    for turn in transcript.turns:
        if turn.speaker == "caller":
            if start is None:
                start = turn.start
            end = turn.end
        elif start is not None:
            stretches.append(end - start)
            start = None
    if start is not None:
        stretches.append(end - start)
    return stretches


def answer_gaps(transcript: Transcript) -> list[float]:
    """Seconds from the end of each persona turn to the start of the caller's answer (overlaps count as 0)."""
    gaps = []
    for before, turn in zip(transcript.turns, transcript.turns[1:], strict=False):
        if turn.speaker == "caller" and before.speaker != "caller":
            gaps.append(max(0.0, turn.start - before.end))
    return gaps


def interruptions(transcript: Transcript) -> list[int]:
    """1-based numbers of caller turns that cut the persona off (marked interrupted, or overlapping).

    A persona line that yielded to a caller who was still mid-turn is the listener's mistake, not the caller's.
    """
    found = []
    for number, (before, turn) in enumerate(zip(transcript.turns, transcript.turns[1:], strict=False), start=2):
        cut_in = not before.yielded and (before.interrupted or turn.start < before.end - 0.05)
        if turn.speaker == "caller" and before.speaker != "caller" and cut_in:
            found.append(number)
    return found


def compute_metrics(transcript: Transcript) -> list[Metric]:
    """Every conversation metric of the call, in the order they are shown."""
    turns = transcript.turns
    caller = [turn for turn in turns if turn.speaker == "caller"]
    caller_seconds = sum(turn.duration for turn in caller)
    speech_seconds = sum(turn.duration for turn in turns)
    call_start = turns[0].start if turns else 0.0
    call_minutes = (max((turn.end for turn in turns), default=0.0) - call_start) / 60
    caller_words = sum(len(words(turn.text)) for turn in caller)

    questions = [(turn, question) for turn in caller for question in find_questions(turn.text)]
    open_count = sum(1 for _, question in questions if question.open)
    fillers = sum(count_fillers(turn.text) for turn in caller)
    stretches = monologues(transcript)
    gaps = answer_gaps(transcript)
    first_question = _moment_in_turn(questions[0][0], questions[0][1].start) - call_start if questions else None
    reason = reason_position(transcript)
    reason_at = _moment_in_turn(turns[reason[0] - 1], reason[1]) - call_start if reason else None

    def per_minute(count: int, minutes: float) -> float | None:
        return count / minutes if minutes > 0 else None

    return [
        Metric("talk_ratio", _round(100 * caller_seconds / speech_seconds, 1) if speech_seconds else None,
               "%", (40.0, 60.0), GONG_TALK),
        Metric("longest_monologue", _round(max(stretches, default=0.0), 1), "s", (None, 60.0), GONG_MONOLOGUE),
        Metric("questions", float(len(questions)), COUNT, (2.0, None), GONG_QUESTIONS),
        Metric("questions_per_minute", _round(per_minute(len(questions), call_minutes)), "per min",
               (0.5, 3.0), QUESTION_PACE),
        Metric("open_questions", float(open_count), COUNT, (1.0, None), OPEN_QUESTIONS),
        Metric("closed_questions", float(len(questions) - open_count), COUNT, (None, None), CLOSED_QUESTIONS),
        Metric("fillers_per_minute", _round(per_minute(fillers, caller_seconds / 60)), "per min",
               (None, 2.0), FILLERS),
        Metric("pace", _round(per_minute(caller_words, caller_seconds / 60), 1), "wpm", (140.0, 170.0), PACE),
        Metric("mean_answer_gap", _round(sum(gaps) / len(gaps)) if gaps else None, "s", (0.0, 1.5),
               TURN_TAKING),
        Metric("interruptions", float(len(interruptions(transcript))), COUNT, (None, 1.0), INTERRUPT),
        Metric("time_to_first_question", _round(first_question, 1), "s", (None, 60.0), FIRST_QUESTION),
        Metric("time_to_reason", _round(reason_at, 1), "s", (None, 30.0), REASON),
    ]  # fmt: skip
