"""Days, times and durations in a caller's turn, as a person hears them.

"Would twenty minutes on Tuesday at half past ten work?" proposes Tue 10:30 for 20 minutes; "Monday's no
good" rules Monday out; "I left you a voicemail on Monday" is in the past; "check the compressor load at
six on Friday" is an instruction, not a proposal; "whatever suits his diary" defers to the prospect.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from simulator.language.lexicon import lexicon
from simulator.language.text import Words, normalize

TIME_NEGATION_REACH = 3  # a day or time with a negation this many words either side is ruled out
PAST_REACH = 5  # how far back a past marker ("left", "spoke") reaches to a day
INSTRUCTION_REACH = 6  # how far back an instruction verb reaches to a time


@dataclass(frozen=True)
class When:
    """One day and/or time mentioned in the turn, and how it was meant."""

    day: str | None  # "Tue", "tomorrow", ...
    time: str | None  # "10:30"
    start: int  # word index in the normalised turn
    ruled_out: bool = False  # "Tuesday doesn't work"
    past: bool = False  # "we spoke on Thursday"
    instruction: bool = False  # "note the load at six on Friday"
    generic: bool = False  # "on a Friday", "Fridays": any such day, not one to meet on

    @property
    def proposed(self) -> bool:
        return not (self.ruled_out or self.past or self.instruction or self.generic)

    def label(self) -> str:
        return " ".join(part for part in (self.day, self.time) if part)


@dataclass(frozen=True)
class Timing:
    """Everything about the next contact's timing in one turn."""

    mentions: tuple[When, ...] = ()
    minutes: int | None = None  # "twenty minutes", "half an hour"
    defers: bool = False  # "whatever suits him"
    commits: bool = False  # "I'll call him then": the caller makes the next contact

    @property
    def proposals(self) -> tuple[When, ...]:
        return tuple(when for when in self.mentions if when.proposed)

    @property
    def proposes(self) -> bool:
        return bool(self.proposals)

    @property
    def rules_out(self) -> bool:
        return any(when.ruled_out for when in self.mentions)


@functools.cache
def _patterns() -> dict[str, re.Pattern[str]]:
    lex = lexicon()
    days = "|".join(sorted((re.escape(d) for d in lex.days), key=len, reverse=True))
    numbers = "|".join(sorted((re.escape(n) for n in lex.numbers if lex.numbers[n] <= 12), key=len, reverse=True))
    followers = "|".join(sorted((re.escape(f) for f in lex.clock_followers), key=len, reverse=True))
    parts = "|".join(sorted((re.escape(p) for p in lex.day_parts), key=len, reverse=True))
    units = "|".join(sorted((re.escape(u) for u in lex.duration_units), key=len, reverse=True))
    all_numbers = "|".join(sorted((re.escape(n) for n in lex.numbers), key=len, reverse=True))
    return {
        "day": re.compile(rf"\b(?:{days})s?\b"),
        "clock": re.compile(r"\b(\d{1,2})(?: (\d{2}))? ?(am|pm|a m|p m)\b"),
        "colon": re.compile(r"\b(\d{1,2}) (\d{2})\b"),
        "at": re.compile(
            rf"\b(?:at|around|about|for|say) (\d{{1,2}}|{numbers})(?: ({numbers}|\d{{2}}))?(?= (?:{followers})\b|$)"
        ),
        "oclock": re.compile(rf"\b(\d{{1,2}}|{numbers}) oclock\b"),
        "half": re.compile(
            rf"\b(half past|quarter past|quarter to|half) (\d{{1,2}}|{numbers})\b(?! (?:an|hour|hours))"
        ),
        "part": re.compile(rf"\b(this |tomorrow |)({parts})\b"),
        "loose_at": re.compile(rf"\b(?:at|around|about|say) (\d{{1,2}}|{numbers})(?: ({numbers}|\d{{2}}))?\b"),
        "duration": re.compile(rf"\b(\d{{1,3}}|{all_numbers})(?: |-)?(?:{units})\b|\bhalf an hour\b|\ban hour\b"),
    }


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return lexicon().numbers.get(token)


def _clock(hour: int, minute: int = 0, meridiem: str = "") -> str | None:
    if not 0 <= minute < 60 or not 0 < hour <= 24:
        return None
    if meridiem.replace(" ", "") == "pm" and hour < 12:
        hour += 12
    elif not meridiem and 1 <= hour <= 6:
        hour += 12  # "at three" in a working day is the afternoon
    return f"{hour:02d}:{minute:02d}"


def _word_index(text: str, offset: int) -> int:
    return text.count(" ", 0, offset)


def read_timing(text: str, heard: Words | None = None) -> Timing:
    """The days, times, duration and deference in a turn (typed or speech-to-text)."""
    lex = lexicon()
    norm = normalize(text.replace(":", " ").replace(".", " "))
    tokens = norm.split()
    heard = heard if heard is not None and list(heard.words) == tokens else Words.of(norm)
    patterns = _patterns()
    found: list[tuple[int, str | None, str | None]] = []  # (word index, day, time)
    for match in patterns["day"].finditer(norm):
        word = match.group().rstrip("s") if match.group() not in lex.days else match.group()
        found.append((_word_index(norm, match.start()), lex.days.get(word, lex.days.get(match.group())), None))
    for match in patterns["clock"].finditer(norm):
        clock = _clock(int(match.group(1)), int(match.group(2) or 0), match.group(3))
        found.append((_word_index(norm, match.start()), None, clock))
    for match in patterns["colon"].finditer(norm):
        clock = _clock(int(match.group(1)), int(match.group(2)))
        found.append((_word_index(norm, match.start()), None, clock))
    day_indices = [index for index, day, _ in found if day]

    def near_a_day(index: int, reach: int = 4) -> bool:
        return any(abs(index - other) <= reach for other in day_indices)

    for match in patterns["at"].finditer(norm):
        hour = _number(match.group(1))
        minute = _number(match.group(2)) if match.group(2) else 0
        if hour is not None and hour <= 12:
            found.append((_word_index(norm, match.start()) + 1, None, _clock(hour, minute or 0)))
    for match in patterns["loose_at"].finditer(norm):
        # "Tuesday at 10 be worth it": beside a day, "at 10" is a time whatever follows it
        index = _word_index(norm, match.start()) + 1
        hour = _number(match.group(1))
        minute = _number(match.group(2)) if match.group(2) else 0
        if hour is not None and hour <= 12 and near_a_day(index):
            found.append((index, None, _clock(hour, minute or 0)))
    for match in patterns["oclock"].finditer(norm):
        hour = _number(match.group(1))
        if hour is not None:
            found.append((_word_index(norm, match.start()), None, _clock(hour)))
    for match in patterns["half"].finditer(norm):
        hour = _number(match.group(2))
        if hour is not None:
            minute = {"half past": 30, "half": 30, "quarter past": 15, "quarter to": 45}[match.group(1)]
            found.append(
                (_word_index(norm, match.start()), None, _clock(hour - (match.group(1) == "quarter to"), minute))
            )
    for match in patterns["part"].finditer(norm):
        # "Tuesday morning", "this afternoon", "tomorrow morning"; not "good morning"
        index = _word_index(norm, match.start())
        if match.group(1) or near_a_day(index, reach=2):
            day = "tomorrow" if match.group(1) == "tomorrow " else ("today" if match.group(1) == "this " else None)
            found.append((index, day, lex.day_parts.get(match.group(2))))
    mentions = _merge(found, heard)
    return Timing(tuple(mentions), _minutes(norm), _has_phrase(tokens, lex.deference),
                  _has_phrase(tokens, lex.commitments))  # fmt: skip


def _merge(found: list[tuple[int, str | None, str | None]], heard: Words) -> list[When]:
    """Days and times a few words apart are one mention ("Tuesday at ten", "ten on Tuesday")."""
    found.sort(key=lambda item: item[0])
    merged: list[tuple[int, str | None, str | None, int]] = []  # (first index, day, time, last index)
    for index, day, time in found:
        if merged:
            first, had_day, had_time, last = merged[-1]
            if index == last or (time and had_time and index - last <= 2):
                continue  # the same time said twice, or "at six on Friday evening"
            if index - last <= 4 and ((day and not had_day) or (time and not had_time)):
                merged[-1] = (first, had_day or day, had_time or time, index)
                continue
        merged.append((index, day, time, index))
    return [_judge(first, day, time, heard) for first, day, time, _ in merged]


def _judge(index: int, day: str | None, time: str | None, heard: Words) -> When:
    lex = lexicon()
    tokens = heard.words
    contrast = set(lex.contrast_words)
    before: list[bool] = []
    for back in range(index - 1, max(-1, index - TIME_NEGATION_REACH - 1), -1):
        if tokens[back] in contrast:
            break  # "Tuesday is no good but Wednesday at nine works": the "no" is Tuesday's
        before.append(heard.negated[back])
    after: list[bool] = []
    for ahead in range(index + 1, min(len(tokens), index + 1 + TIME_NEGATION_REACH)):
        if tokens[ahead] in contrast:
            break
        after.append(heard.negated[ahead])
    ruled_out = any(before) or any(after)
    past = False
    if day not in {"tomorrow", "today"}:
        openers = set(lex.proposal_openers)
        markers = set(lex.past_markers)
        for back in range(index - 1, max(-1, index - PAST_REACH - 1), -1):
            if tokens[back] in openers:
                break
            if tokens[back] in markers:
                past = True
                break
    instruction = False
    verbs = [tuple(v.split()) for v in lex.instruction_verbs]
    clause_start = heard.clause[index] if index < len(heard.clause) else 0
    stops = set(lex.proposal_openers) | set(lex.duration_units)
    for back in range(index - 1, max(clause_start, index - INSTRUCTION_REACH) - 1, -1):
        if tokens[back] in stops:
            break  # "...against it, thirty minutes on Wednesday at two?" proposes a slot
        if any(tuple(tokens[back : back + len(v)]) == v for v in verbs):
            instruction = True
            break
    generic = bool(day) and not time and index > 0 and tokens[index - 1] in {"a", "every", "most", "some"}
    generic = generic or (
        day not in {None, "tomorrow", "today"}
        and tokens[index].endswith("s")
        and tokens[index] not in lex.days
        and not time
    )
    # "anything today" is no appointment; "today at two" or "this afternoon" is
    generic = generic or (day == "today" and not time)
    # "the offer expires on Friday" names a deadline, not a time to talk
    deadlines = [tuple(marker.split()) for marker in lex.deadline_markers]
    for back in range(max(0, index - TIME_NEGATION_REACH), index):
        if any(tuple(tokens[back : back + len(m)]) == m for m in deadlines):
            generic = True
    return When(day, time, index, ruled_out, past, instruction, generic)


def _minutes(norm: str) -> int | None:
    lex = lexicon()
    match = _patterns()["duration"].search(norm)
    if match is None:
        return None
    text = match.group()
    if text == "half an hour":
        return 30
    if text == "an hour":
        return 60
    unit = next((u for u in sorted(lex.duration_units, key=len, reverse=True) if text.endswith(u)), "minutes")
    amount = _number(text.removesuffix(unit).strip(" -"))
    return None if amount is None else amount * lex.duration_units[unit]


def _has_phrase(tokens: list[str], phrases: list[str]) -> bool:
    text = " " + " ".join(tokens) + " "
    return any(" " + normalize(phrase) + " " in text for phrase in phrases)


def proposes_time(text: str) -> bool:
    """Whether the turn proposes a concrete day or time for the next contact."""
    return read_timing(text).proposes
