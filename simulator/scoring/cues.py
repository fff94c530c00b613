"""What a caller (or a persona) did in a line, recognised from normalised wording.

These are the observations the rubric weighs: a stated reason for the call, something given before
asking, entitlement, a feature dump, an objection, an acknowledgement, a canned rebuttal, a concrete
proposal for the next contact, a passive hand-off. Phrases are written normalised (lower case, no
apostrophes: "ill" is "I'll"), so they match typed and transcribed speech alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from simulator.scoring.language import (
    contains_phrase,
    find_phrases,
    find_questions,
    persona_questions,
    research_mentions,
    words,
)
from simulator.scoring.phrasebook import CueBook, book
from simulator.transcript import Transcript


def __getattr__(name: str) -> tuple[str, ...]:
    """`cues.ENTITLEMENT` and the like: the list of that name in scenarios/language/cues.yaml, read on first use."""
    field = name.lower()
    if field in CueBook.model_fields and field not in ("contradictions", "stt_repairs"):
        value: tuple[str, ...] = getattr(book(), field)
        return value
    raise AttributeError(name)


@cache
def wordset(name: str) -> frozenset[str]:
    """A cue list as a set, for lists of single words (days, numbers, answer starts)."""
    return frozenset(getattr(book(), name))


def reason_position(transcript: Transcript) -> tuple[int, int] | None:
    """(turn number, word index) where the caller first states why they call, or None if they never do."""
    for number, turn in transcript.caller_turns():
        tokens = words(turn.text)
        starts = [contains_phrase(tokens, phrase) for phrase in book().reason_phrases]
        hits = [start for start in starts if start >= 0]
        if hits:
            return number, min(hits)
        if research_mentions(turn.text, transcript.research):
            return number, 0
    return None


_CLOCK = re.compile(r"^\d{1,2}(am|pm)?$")
_GREETINGS = frozenset({"morning", "afternoon", "evening"})
_NOT_TIMES = frozenset({"year", "month", "week", "day", "of", "more", "other"})


def concrete_when(tokens: Sequence[str]) -> tuple[bool, bool]:
    """(names a day, names a time of day) in a line: "thursday", "next week"; "at ten", "3pm", "9 30"."""
    day = False
    for index, word in enumerate(tokens):
        if word in wordset("days") and (index == 0 or tokens[index - 1] not in {"last", "past", "yesterday"}):
            day = True
    day = day or bool(find_phrases(tokens, book().day_phrases))
    time = any(names_time(tokens, index) for index in range(len(tokens)))
    return day, time


# "at three engineering firms": a number before a describing word counts things, it is not a time.
_COUNTED_THINGS = frozenset({"engineering", "food", "logistics", "freight", "retail", "other", "different", "big",
                             "large", "small", "new", "of", "major", "regional", "local", "similar"})  # fmt: skip


def names_time(tokens: Sequence[str], index: int) -> bool:
    word = tokens[index]
    before = tokens[index - 1] if index else ""
    after = tokens[index + 1] if index + 1 < len(tokens) else ""
    if word in wordset("time_words"):  # not "good morning", nor "Morning Sam" opening a line
        return word != "am" and before not in {"good", "this", "the", "your"} and (index > 0 or word not in _GREETINGS)
    after2 = tokens[index + 2] if index + 2 < len(tokens) else ""
    if _CLOCK.match(word):
        return (
            before in {"at", "around", "by", "from"}
            or word.endswith(("am", "pm"))
            or (after in {"a", "p"} and after2 == "m")  # "3 p.m."
            or after in {"am", "pm", "oclock", "30", "15", "45", "thirty"}
        )
    if word in wordset("number_words"):
        if before in {"before", "after", "until", "till"}:  # "before nine", not "after two years"
            return after not in wordset("duration_units") and after not in _NOT_TIMES and not after.endswith("s")
        plural = (
            after.endswith("s")
            and after not in wordset("days")
            and after not in {"works", "suits", "sounds", "is", "does"}
        )
        counted = after in _NOT_TIMES or plural or after in _COUNTED_THINGS
        return (
            before in {"at", "around", "by"} and after not in wordset("duration_units") and not counted
        ) or after in {
            "am",
            "pm",
            "oclock",
            "thirty",
            "fifteen",
            "fortyfive",
        }
    return False


def is_scheduling_word(word: str) -> bool:
    """Days, times, numbers, lengths and formats: the words of a proposal or a confirmation."""
    return (
        word in wordset("days")
        or word == "today"
        or word in wordset("time_words")
        or word in wordset("number_words")
        or word in wordset("duration_units")
        or word in wordset("formats")
        or bool(_CLOCK.match(word))
        or word in {"invite", "send", "diary", "week", "next", "then", "thirty"}
    )


def has_duration(tokens: Sequence[str]) -> bool:
    """A length for the next contact: "15 minutes", "twenty minute", "half an hour"."""
    for index, word in enumerate(tokens[:-1]):
        if (word.isdigit() or word in wordset("number_words")) and tokens[index + 1] in wordset("duration_units"):
            return True
    return contains_phrase(tokens, "half an hour") >= 0 or contains_phrase(tokens, "an hour") >= 0


def has_format(tokens: Sequence[str]) -> bool:
    return any(word in wordset("formats") for word in tokens)


def is_objection(text: str) -> list[str]:
    return find_phrases(words(text), book().objections)


def is_refusal(text: str) -> bool:
    tokens = words(text)
    settled = tokens[:2] in (["no", "problem"], ["no", "worries"], ["no", "bother"])  # not a no
    return bool(find_phrases(tokens, book().refusals)) or (
        tokens[:1] == ["no"] and not settled and not concrete_when(tokens)[0]
    )


def agrees(text: str, proposal: str, right_after: bool) -> bool:
    """Whether a persona line says yes to the caller's proposal.

    "That works", "put it in the diary" or the proposed slot said back ("Fine. Friday at nine.") agree
    wherever they come. A bare "okay" or "sure" agrees only right after the proposal, and not when the
    line lets the caller go on ("Okay. You've got two minutes. Go on."), asks something back ("Okay,
    what's it about?") or turns it down ("Sure, but she's away Thursday").
    """
    tokens = words(text)
    if is_refusal(text):
        return False
    if find_phrases(tokens, book().agreements):
        return True
    if persona_questions(text) or set(tokens) & wordset("but_not") or find_phrases(tokens, book().unavailable):
        return False  # "She's at a trade show Friday" names the day to turn it down
    days, times = slot_words(tokens)
    proposed_days, proposed_times = slot_words(words(proposal))
    if days & proposed_days or times & proposed_times:
        return True
    return right_after and bool(find_phrases(tokens, book().soft_agreements)) and not find_phrases(tokens, book().go_on)


def is_proposal(text: str) -> bool:
    """A next contact put to the other side: a day, time, length or format, asked or offered
    ("would Thursday at two work", "let's do Friday", "I'll call her at nine"), or a whole slot
    ("Tuesday at ten for fifteen minutes"); not a day mentioned in passing ("I know you're busy this
    afternoon")."""
    tokens = words(text)
    day, time = concrete_when(tokens)
    if day and time or ((day or time) and has_duration(tokens)):
        return True  # "Tuesday at ten for fifteen minutes" is a slot, however it is phrased
    if not (day or time or has_duration(tokens) or has_format(tokens)):
        return False
    return bool(find_questions(text) or find_phrases(tokens, book().proposal_phrases + book().follow_ups))


_NUMBER_VALUES = {
    word: str(value)
    for value, word in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
    )
}


def slot_words(tokens: Sequence[str]) -> tuple[set[str], set[str]]:
    """(days, times) a line names, spelt one way ("thursdays" → "thursday", "two"/"2pm" → "2"), so a
    confirmation can be checked against the slot that was agreed."""
    days = {word.removesuffix("s") for word in tokens if word in wordset("days")}
    days |= set(find_phrases(tokens, ("next week", "this week", "end of the week", "later today", "first thing")))
    times = set()
    for index, word in enumerate(tokens):
        if names_time(tokens, index):
            bare = word.removesuffix("am").removesuffix("pm") or word
            times.add(_NUMBER_VALUES.get(bare, bare))
    return days, times
