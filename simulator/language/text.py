"""Text as the reading sees it: normalised words (typed and speech-to-text alike), clauses, negations.

Speech-to-text gives lower case and no punctuation, so everything downstream works on normalised words
("I'm" and "im" are one word); punctuation, where typed text has it, only marks where clauses end.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.language.lexicon import lexicon

_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
# Punctuation that ends a clause in typed text (in "No, I'm calling about..." the "no" answers something
# else). Speech-to-text gives none; there only the few words before a match are looked at.
CLAUSE_END = re.compile(r"[.,;:!?()\u2014\u2013]+|\s-\s")
SENTENCE_END = re.compile(r"[.!?;]+(?:\s|$)")


def normalize(text: str) -> str:
    """Lower case, apostrophes dropped ("I'm" and "im" are the same), other punctuation as spaces."""
    lowered = _APOSTROPHES.sub("", text.lower())
    return " ".join(_NON_WORD.sub(" ", lowered).split())


def words(text: str) -> list[str]:
    """The normalised words of a text."""
    return normalize(text).split()


@functools.cache
def negations() -> frozenset[str]:
    return frozenset(lexicon().negations)


@functools.cache
def _idioms() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(normalize(idiom).split()) for idiom in lexicon().negation_idioms)


def negation_marks(tokens: Sequence[str]) -> list[bool]:
    """Which of the words negate something: negation words outside set phrases such as "no problem"."""
    known = negations()
    marks = [word in known for word in tokens]
    for idiom in _idioms():
        size = len(idiom)
        for start in range(len(tokens) - size + 1):
            if tuple(tokens[start : start + size]) == idiom:
                for index in range(start, start + size):
                    marks[index] = False
    return marks


# How many words before a match a negation still reaches ("not sure that works", "don't think it works").
NEGATION_REACH = 4


@dataclass(frozen=True)
class Words:
    """A turn as the matchers see it: its words, which of them negate, where each word's clause starts."""

    words: tuple[str, ...]
    negated: tuple[bool, ...]
    clause: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Words:
        tokens: list[str] = []
        clause: list[int] = []
        for part in CLAUSE_END.split(text):
            start = len(tokens)
            for word in normalize(part).split():
                tokens.append(word)
                clause.append(start)
        return cls(tuple(tokens), tuple(negation_marks(tokens)), tuple(clause))

    def keeps_polarity(self, start: int, end: int, negative: bool) -> bool:
        """Whether words[start:end] says what a phrase of this polarity says, not its opposite.

        The run must carry a negation exactly when the phrase does, and a positive phrase must not sit
        just after a negation in the same clause ("I don't think that works", "not sure that works").
        """
        if any(self.negated[start:end]) != negative:
            return False
        if negative or start == 0:
            return True
        reach = max(self.clause[start], start - NEGATION_REACH)
        for index in range(reach, start):
            if self.negated[index] and (self.words[index] != "no" or index == start - 1):
                return False
        return True

    def negated_near(self, start: int, end: int, reach: int = 3) -> bool:
        """Whether a negation sits inside words[start:end] or within `reach` words before it, same clause."""
        first = max(self.clause[start], start - reach) if start < len(self.clause) else start
        return any(self.negated[first:end])


MAX_SEGMENTS = 8  # a monologue is read in its first eight thoughts; the rules still read all of it


def segments(text: str, size: int = 14, step: int = 10) -> list[str]:
    """The turn cut into pieces the size of one thought, for the sentence model.

    Typed text is cut at its sentences; a long stretch with no punctuation (speech-to-text) is cut into
    overlapping windows, so "hi priya sam from brightline calling about the leeds hub" yields both an
    introduction and a reason instead of one blurred average.
    """
    pieces: list[str] = []
    for sentence in SENTENCE_END.split(text):
        tokens = normalize(sentence).split()
        if not tokens:
            continue
        if len(tokens) <= size + step // 2:
            pieces.append(" ".join(tokens))
            continue
        for start in range(0, len(tokens) - step, step):
            pieces.append(" ".join(tokens[start : start + size]))
    return pieces[:MAX_SEGMENTS]
