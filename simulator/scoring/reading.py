"""One reading of each turn of a call, made once, that every criterion of every score consumes.

The scores must never fire on a word without its meaning, so the language is read here, in one place:
the words as heard (speech-to-text slips put back, fillers dropped), the questions asked (elliptical
ones too, rhetorical ones not), the research referred to (negated or contradicted mentions set apart),
a next contact proposed (a day or time inside an instruction to the prospect is not one), the names
said (the caller's own company is neither a benefit nor research), and the cue phrases found.

A speech-to-text pause can split one caller turn in two, so consecutive caller turns are read as one
stretch: each `TurnReading` is one stretch, which knows the turns it came from for quoting.

The seam: `read_call(transcript)` is the only entry point the criteria use. At merge the per-line
pieces (`repair`, questions, research mentions, slots) are fed from the shared language layer
(`simulator/language/`); the `TurnReading` fields stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from simulator.scoring import cues
from simulator.scoring.evidence import quote
from simulator.scoring.language import (
    CLAUSE_OPENERS,
    STOPWORDS,
    Question,
    ResearchMention,
    contains_phrase,
    find_phrases,
    find_questions,
    normalise,
    persona_questions,
    research_mentions,
    sentence_starts,
)
from simulator.scoring.phrasebook import book
from simulator.transcript import Transcript

_NEGATORS = frozenset({"not", "never", "havent", "hasnt", "didnt", "isnt", "arent", "dont", "doesnt", "wasnt"})
_GENERIC_BEFORE_DAY = frozenset({"a", "every", "each", "any", "most", "some"})
_INTRO_MARKERS = ("this is", "its", "im", "my name is", "my names", "calling", "here")
_COMPANY_JOINERS = frozenset({"from", "with", "at"})


_SPELT = {str(value): word for value, word in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"])} | {
    "15": "fifteen", "20": "twenty", "30": "thirty", "40": "forty", "45": "fortyfive"}  # fmt: skip


def repair(tokens: Sequence[str]) -> list[str]:
    """Speech-to-text slips on the words a score turns on, put back from their context (cues.yaml
    `stt_repairs`: "all call" → "ill call", "at to" → "at two"), small numbers spelt one way ("4" is
    "four", as typed), and filler sounds dropped."""
    fillers = cues.wordset("filler_sounds")
    kept = [_SPELT.get(word, word) for word in tokens if word not in fillers]
    repaired = list(kept)
    for index, word in enumerate(kept):
        before = kept[index - 1] if index else ""
        after = kept[index + 1] if index + 1 < len(kept) else ""
        for rule in book().stt_repairs:
            if word != rule.heard:
                continue
            if rule.before and after not in rule.before:
                continue
            if rule.after and before not in rule.after:
                continue
            repaired[index] = rule.meant
            break
    return repaired


def _normalised_tokens(text: str) -> list[str]:
    return repair(normalise(text).split())


def own_company(transcript: Transcript) -> frozenset[str]:
    """The words of the caller's own company ("Mark Dunn from BlueKeel Repairs"), from the first two caller
    turns: up to four words after "from"/"with" near an introduction, stopping at a function word."""
    names: set[str] = set()
    for _, turn in transcript.caller_turns()[:2]:
        tokens = _normalised_tokens(turn.text)
        starts = sentence_starts(turn.text)
        for index, word in enumerate(tokens[:25]):
            if word not in _COMPANY_JOINERS or index == 0:
                continue
            if word == "at" and not find_phrases(tokens[:index], ("calling", "work", "im", "its")):
                continue
            if not find_phrases(tokens[max(0, index - 6) : index], _INTRO_MARKERS):
                continue
            for offset, name in enumerate(tokens[index + 1 : index + 5], start=index + 1):
                if offset in starts or name in STOPWORDS or name in CLAUSE_OPENERS or len(name) < 2:
                    break
                names.add(name)
            break
    return frozenset(names)


def _generic_day(tokens: Sequence[str], index: int) -> bool:
    """ "on a Friday", "every Tuesday", "Fridays": a kind of day, not a day for a next contact."""
    word = tokens[index]
    before = tokens[index - 1] if index else ""
    return before in _GENERIC_BEFORE_DAY or (word.endswith("s") and word.removesuffix("s") in cues.wordset("days"))


def _instruction_spans(tokens: Sequence[str], starts: frozenset[int]) -> list[range]:
    """Word ranges that tell the prospect to do something alone ("note the load at six on Friday"),
    from the instruction verb to the end of its clause."""
    spans = []
    enders = (("and", "i"), ("and", "ill"), ("and", "we"), ("then", "i"), ("then", "we"), ("so", "i"), ("so", "we"))
    for index in range(len(tokens)):
        phrase = next(
            (
                verb
                for verb in book().instruction_verbs
                if list(tokens[index : index + len(verb.split())]) == verb.split()
            ),
            None,
        )
        if phrase is None:
            continue
        before = tokens[index - 1] if index else ""
        lead = index == 0 or index in starts or before in CLAUSE_OPENERS | {"just", "please"}
        if not lead:
            continue
        end = index + 1
        while end < len(tokens) and end not in starts:
            pair = (tokens[end], tokens[end + 1] if end + 1 < len(tokens) else "")
            if (
                pair in enders
                or tokens[end] in {"lets", "would", "shall", "or", "but"}
                or find_phrases(list(tokens[end : end + 3]), book().contact_words)
                and find_phrases(list(tokens[end : end + 3]), book().contact_words)[0].split()[0] == tokens[end]
            ):
                break
            end += 1
        spans.append(range(index, end))
    return spans


@dataclass(frozen=True)
class Slot:
    """The next contact a line names: a day, a time, a length, a format; where they were said."""

    day: bool = False
    time: bool = False
    duration: bool = False
    form: bool = False
    days: frozenset[str] = frozenset()
    times: frozenset[str] = frozenset()
    in_instruction: bool = False  # every day/time word sits inside an instruction to the prospect

    @property
    def names_when(self) -> bool:
        return self.day or self.time


def read_slot(tokens: Sequence[str], starts: frozenset[int] = frozenset(), *, generic_days: bool = False) -> Slot:
    """Days and times a line names; "on a Friday", "Fridays" are kinds of days (unless `generic_days`,
    for the other side saying when someone is usually free)."""
    usable = list(tokens)
    if not generic_days:
        usable = [
            "·" if word in cues.wordset("days") and _generic_day(tokens, i) else word for i, word in enumerate(tokens)
        ]
    day, time = cues.concrete_when(usable)
    days, times = cues.slot_words(usable)
    spans = _instruction_spans(usable, starts)
    positions = [i for i, word in enumerate(usable) if word in cues.wordset("days") or cues.names_time(usable, i)]
    inside = bool(positions) and all(any(i in span for span in spans) for i in positions)
    return Slot(
        day, time, cues.has_duration(usable), cues.has_format(usable), frozenset(days), frozenset(times), inside
    )


@dataclass(frozen=True)
class Piece:
    """One transcript turn inside a reading: its 1-based number, its text and where its words start."""

    number: int
    text: str
    first_word: int


@dataclass(frozen=True)
class TurnReading:
    """What one stretch of a speaker's speech says, read once."""

    speaker: str
    pieces: tuple[Piece, ...]
    tokens: tuple[str, ...]  # normalised, slips repaired, fillers dropped
    plain: tuple[str, ...]  # the same with names blanked ("·"): for cue words that a name may contain
    starts: frozenset[int]
    questions: tuple[Question, ...]  # questions asked back (no pleasantry, no demand, no rhetoric)
    demands: tuple[str, ...]
    research: tuple[ResearchMention, ...]  # mentions the caller stands behind
    disowned: tuple[tuple[str, str], ...]  # (fact, why) mentions negated, contradicted or disowned
    slot: Slot
    proposal: bool
    persona_asks: tuple[tuple[tuple[str, ...], bool], ...] = ()  # persona lines: (words, open?) asked
    rhetorical: tuple[str, ...] = ()
    _found: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def number(self) -> int:
        return self.pieces[0].number

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(piece.number for piece in self.pieces)

    @property
    def text(self) -> str:
        return " ".join(piece.text for piece in self.pieces)

    def found(self, cue_list: str, *, plain: bool = False) -> tuple[str, ...]:
        """The phrases of a cues.yaml list found in this reading (on `plain` words: names blanked)."""
        key = f"{cue_list}:{plain}"
        if key not in self._found:
            self._found[key] = tuple(find_phrases(self.plain if plain else self.tokens, getattr(book(), cue_list)))
        return self._found[key]

    def at(self, word: int = 0) -> tuple[int, str]:
        """(turn number, the caller's own words) to quote for the word at index `word` of this reading."""
        piece = self.pieces[0]
        for candidate in self.pieces:
            if candidate.first_word <= word:
                piece = candidate
        return piece.number, quote(piece.text, max(0, word - piece.first_word))

    def where(self, phrase: str) -> int:
        """The word index of a phrase in this reading (0 if absent)."""
        text = " " + " ".join(self.tokens) + " "
        position = text.find(" " + phrase + " ")
        return 0 if position < 0 else text.count(" ", 0, position)


Disowned = list[tuple[str, str]]


def _research(
    tokens: Sequence[str], plain: Sequence[str], facts: Sequence[str]
) -> tuple[list[ResearchMention], Disowned]:
    """Mentions the caller stands behind, and those disowned ("I haven't looked into you"), negated
    ("you haven't opened Leeds yet") or contradicted (the opposite word, another number)."""
    line = " ".join(plain)
    mentions = research_mentions(line, facts)
    disowned_by = find_phrases(tokens, book().research_disowned)
    kept: list[ResearchMention] = []
    set_apart: list[tuple[str, str]] = []
    for mention in mentions:
        why = ""
        fact_tokens = normalise(mention.fact).split()
        if disowned_by:
            why = f"said '{disowned_by[0]}'"
        for said_word, fact_word in _opposites(tokens, fact_tokens):
            why = why or f"has it backwards ('{said_word}' where the research says '{fact_word}')"
        for index, word in enumerate(tokens):
            negated = word in mention.matched and set(tokens[max(0, index - 2) : index]) & _NEGATORS
            if negated and not set(fact_tokens) & _NEGATORS:
                why = why or f"negates it ('{' '.join(tokens[max(0, index - 2) : index + 1])}')"
        number = _other_number(tokens, fact_tokens, mention.matched)
        why = why or (f"has the number wrong ('{number}')" if number else "")
        if why:
            set_apart.append((mention.fact, why))
        else:
            kept.append(mention)
    return kept, set_apart


def _opposites(tokens: Sequence[str], fact_tokens: Sequence[str]) -> list[tuple[str, str]]:
    found = []
    line = " " + " ".join(tokens) + " "
    fact = " " + " ".join(fact_tokens) + " "
    for first, second in book().contradictions:
        for said, meant in ((first, second), (second, first)):
            if f" {said} " in line and f" {meant} " in fact and f" {said} " not in fact:
                found.append((said, meant))
    return found


_NUMBERS = {
    word: str(value)
    for value, word in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    )
}


def _other_number(tokens: Sequence[str], fact_tokens: Sequence[str], matched: Sequence[str]) -> str:
    """A count the caller puts on a fact's thing that differs from the fact's ("five practices" for three)."""

    def counts(words: Sequence[str]) -> dict[str, str]:
        found = {}
        for index, word in enumerate(words[:-1]):
            value = _NUMBERS.get(word, word if word.isdigit() else "")
            if value and words[index + 1] in matched:
                found[words[index + 1]] = value
        return found

    said, fact = counts(tokens), counts(fact_tokens)
    wrong = [said[thing] for thing in said if thing in fact and said[thing] != fact[thing]]
    return wrong[0] if wrong else ""


def _elliptical(tokens: Sequence[str], starts: frozenset[int]) -> list[Question]:
    """ "Got a second?", "Make sense?", "Worth it?": at a clause start or ending the turn."""
    found = []
    for phrase in book().elliptical_questions:
        size = len(phrase.split())
        for index in range(len(tokens) - size + 1):
            if list(tokens[index : index + size]) != phrase.split():
                continue
            before = tokens[index - 1] if index else ""
            at_start = index == 0 or index in starts or before in CLAUSE_OPENERS
            at_end = index + size == len(tokens) or index + size in starts
            if (at_start or at_end) and before not in {"its", "is", "was", "be", "thats", "will", "a", "the"}:
                found.append(Question(start=index, open=False, words=tuple(tokens[index : index + size])))
    return found


_AUX_OR_VERB = frozenset({"is", "are", "was", "were", "do", "does", "did", "have", "has", "will", "would", "can"})


def _inverted_be(tokens: Sequence[str]) -> list[Question]:
    """ "is unplanned downtime on the presses a headache": "is"/"are", a subject, then a predicate of
    their situation, when speech-to-text hid where the question started."""
    found = []
    for index, word in enumerate(tokens):
        if word not in {"is", "are"} or index + 2 >= len(tokens) or tokens[index + 1] in {"a", "an", "the", "not"}:
            continue
        for phrase in book().question_predicates:
            at = contains_phrase(tokens[index + 2 : index + 9], phrase)
            if at < 0:
                continue
            between = tokens[index + 1 : index + 2 + at]
            if not set(between) & _AUX_OR_VERB and not any(w.endswith("ing") for w in between):
                found.append(Question(start=index, open=False, words=tuple(tokens[index : index + 2 + at + 2])))
                break
    return found


def _questions(tokens: list[str], starts: frozenset[int]) -> tuple[Question, ...]:
    found = {question.start: question for question in find_questions(_with_stops(tokens, starts))}
    for extra in _elliptical(tokens, starts) + _inverted_be(tokens):
        if not any(abs(extra.start - start) <= 2 for start in found):
            found[extra.start] = extra
    real = []
    for start in sorted(found):
        question = found[start]
        if find_phrases(list(question.words), book().entitlement):
            continue  # "can you give me his direct line?" is a demand in a question's clothes
        real.append(question)
    return tuple(real)


def _with_stops(tokens: Sequence[str], starts: frozenset[int]) -> str:
    """The repaired words with a full stop before each sentence start, so language.find_questions sees both."""
    return " ".join((". " + word) if index in starts and index else word for index, word in enumerate(tokens))


def _sentence_starts(pieces: Sequence[str]) -> tuple[frozenset[int], list[int]]:
    """Sentence starts over joined pieces (each piece starts one), and where each piece's words start."""
    starts: set[int] = set()
    firsts: list[int] = []
    count = 0
    for text in pieces:
        firsts.append(count)
        tokens = _normalised_tokens(text)
        local = sentence_starts(text)
        # sentence_starts counts words before repair (fillers included): map by position ratio
        raw = normalise(text).split()
        kept = 0
        mapping: dict[int, int] = {}
        fillers = cues.wordset("filler_sounds")
        for raw_index, word in enumerate(raw):
            mapping[raw_index] = kept
            if word not in fillers:
                kept += 1
        starts |= {count + mapping.get(start, 0) for start in local} | {count}
        count += len(tokens)
    return frozenset(starts), firsts


def read_stretch(
    speaker: str, turns: Sequence[tuple[int, str]], facts: Sequence[str], names: frozenset[str]
) -> TurnReading:
    """Read consecutive turns of one speaker as one stretch."""
    texts = [text for _, text in turns]
    starts, firsts = _sentence_starts(texts)
    tokens = [word for text in texts for word in _normalised_tokens(text)]
    plain = ["·" if word in names else word for word in tokens]
    pieces = tuple(Piece(number, text, first) for (number, text), first in zip(turns, firsts, strict=True))
    demands = tuple(find_phrases(tokens, book().entitlement))
    slot = read_slot(tokens, starts, generic_days=speaker != "caller")
    if speaker != "caller":
        joined = " ".join(texts)
        rhetorical = tuple(find_phrases(tokens, book().rhetorical_questions))
        marked = "?" in joined or bool(re.search(r"[.!]", joined))  # a written line marks its questions
        # (no "?" in it: none); a transcribed one has only its words
        asks = tuple(
            (question, is_open)
            for question, is_open in persona_questions(joined if marked else _with_stops(tokens, starts))
            if not find_phrases(list(question), book().rhetorical_questions)
        )
        return TurnReading(
            speaker, pieces, tuple(tokens), tuple(plain), starts, (), demands, (), (), slot, False, asks, rhetorical
        )
    research, disowned = _research(tokens, plain, facts)
    questions = _questions(tokens, starts)
    return TurnReading(
        speaker,
        pieces,
        tuple(tokens),
        tuple(plain),
        starts,
        questions,
        demands,
        tuple(research),
        tuple(disowned),
        slot,
        _is_proposal(tokens, questions, slot),
    )


def _is_proposal(tokens: Sequence[str], questions: Sequence[Question], slot: Slot) -> bool:
    """A next contact put to the other side: a day, time, length or format, asked or offered ("would
    Thursday at two work", "let's do Friday", "I'll call her at nine") or a whole slot; not a day said in
    passing, a kind of day ("on a Friday"), or a time inside an instruction ("note the load at six")."""
    if slot.in_instruction:
        return False
    full = (slot.day and slot.time) or (slot.names_when and slot.duration)
    if full and (len(tokens) <= 14 or find_phrases(tokens, book().contact_words)):
        return True  # "Tuesday the fourteenth at ten, or Wednesday at four?", "a call Tuesday at ten"
    if not (slot.names_when or slot.duration or slot.form):
        return False
    slotted = any(
        read_slot(list(question.words)).names_when
        or read_slot(list(question.words)).duration
        or cues.has_format(list(question.words))
        for question in questions
    )
    return slotted or bool(find_phrases(tokens, book().proposal_phrases + book().follow_ups))


@dataclass(frozen=True)
class CallReading:
    """Every turn of a call read once, in stretches: consecutive turns of one speaker read together."""

    transcript: Transcript
    readings: tuple[TurnReading, ...]
    company: frozenset[str]

    @property
    def caller(self) -> list[TurnReading]:
        return [reading for reading in self.readings if reading.speaker == "caller"]

    def before(self, reading: TurnReading) -> TurnReading | None:
        """The persona reading just before a caller stretch, if the caller was answering one."""
        index = self.readings.index(reading)
        if index == 0:
            return None
        previous = self.readings[index - 1]
        return previous if previous.speaker != "caller" else None

    def after(self, reading: TurnReading) -> TurnReading | None:
        index = self.readings.index(reading)
        return self.readings[index + 1] if index + 1 < len(self.readings) else None


def read_call(transcript: Transcript) -> CallReading:
    """Read every turn of a call once (the one entry point the criteria use)."""
    facts = transcript.research
    company = own_company(transcript)
    names = company  # the caller's company is never research, a benefit or a feature, whatever it shares
    readings: list[TurnReading] = []
    group: list[tuple[int, str]] = []
    speaker = ""
    for number, turn in enumerate(transcript.turns, start=1):
        if group and turn.speaker != speaker:  # a pause can split anyone's line: one speaker, one stretch
            readings.append(read_stretch(speaker, group, facts, names))
            group = []
        speaker = turn.speaker
        group.append((number, turn.text))
    if group:
        readings.append(read_stretch(speaker, group, facts, names))
    return CallReading(transcript, tuple(_corrected(readings)), company)


def _corrected(readings: list[TurnReading]) -> list[TurnReading]:
    """Research the other side denies in its next line ("We didn't split from Penrose Hale") is set apart."""
    out = list(readings)
    for index, reading in enumerate(readings[:-1]):
        reply = readings[index + 1]
        if reading.speaker != "caller" or reply.speaker == "caller" or not reading.research:
            continue
        said = set(reading.tokens)
        tokens = reply.tokens
        denied = [
            tokens[i + 1]
            for i in range(len(tokens) - 1)
            if tokens[i] in _NEGATORS | {"no"} and tokens[i + 1] in said and tokens[i + 1] not in STOPWORDS
        ]
        if denied:
            at = tokens.index(denied[0])
            why = f"the other side corrects it ('{' '.join(tokens[at - 1 : at + 1])}')"
            moved = tuple((mention.fact, why) for mention in reading.research)
            out[index] = replace(reading, research=(), disowned=reading.disowned + moved)
    return out
