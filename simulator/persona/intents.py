"""What the caller is doing in a turn, recognised in speech-to-text output.

Speech-to-text gives lower case, drops punctuation and mishears words ("leads" for "Leeds"), so nothing
here compares strings for equality: example phrases are aligned against the turn with rapidfuzz, and
keywords (short phrases, `*` standing for any one word) are compared fuzzily with the turn's word
n-grams. One turn can carry several intents ("this is Sam from Brightline, I'm calling because...").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from simulator.scenario.model import IntentDef, ResearchFact

# An example phrase must align this well (0-100) with part of the turn to count.
EXAMPLE_THRESHOLD = 86.0
# Single words of this many characters or fewer must be heard exactly; longer ones may be misheard.
EXACT_WORD_CHARS = 3
WILDCARD = "*"
# Inside a multi-word keyword, each word must be at least this close to its counterpart.
WORD_IN_PHRASE_THRESHOLD = 60.0

_NON_WORD = re.compile(r"[^a-z0-9 ]+")


@dataclass(frozen=True)
class IntentMatch:
    """One intent found in a caller turn, with how sure the match is (0 to 1)."""

    name: str
    score: float


def normalize(text: str) -> str:
    """Lower case, apostrophes dropped ("I'm" and "im" are the same), other punctuation as spaces."""
    lowered = text.lower().replace("’", "'").replace("'", "")
    return " ".join(_NON_WORD.sub(" ", lowered).split())


def _word_similarity(heard: str, expected: str) -> float:
    """How alike two single words are (0-100); short words must match exactly, the first letter must agree.

    Misheard words keep their first sound far more often than not, and requiring it keeps "needs" from
    counting as "leeds".
    """
    if heard == expected:
        return 100.0
    if len(expected) <= EXACT_WORD_CHARS or not heard or heard[0] != expected[0]:
        return 0.0
    return fuzz.ratio(heard, expected)


def _phrase_score(words: Sequence[str], keyword: Sequence[str]) -> float:
    """Best similarity (0-100) of a keyword phrase with any run of words of the same length."""
    size = len(keyword)
    if size == 0 or len(words) < size:
        return 0.0
    fixed = [i for i, token in enumerate(keyword) if token != WILDCARD]
    if not fixed:
        return 0.0
    best = 0.0
    expected = " ".join(keyword[i] for i in fixed)
    for start in range(len(words) - size + 1):
        window = words[start : start + size]
        if len(fixed) == 1:
            score = _word_similarity(window[fixed[0]], expected)
        else:
            # Every word must resemble its counterpart and start with the same sound ("kind" is not
            # "fine", "doing" is not "handling"), and the phrase as a whole must be close.
            if any(window[i][:1] != keyword[i][:1] for i in fixed):
                continue
            if any(fuzz.ratio(window[i], keyword[i]) < WORD_IN_PHRASE_THRESHOLD for i in fixed):
                continue
            score = fuzz.ratio(" ".join(window[i] for i in fixed), expected)
        best = max(best, score)
        if best == 100.0:
            break
    return best


def keyword_threshold(keyword: Sequence[str]) -> float:
    """The similarity a keyword needs: about one misheard sound in a word, one in six in a phrase.

    One changed letter in n costs 100/n points of fuzz.ratio, so the threshold follows the length:
    "leads" passes for "leeds" (80), "analytics" does not pass for "analysis".
    """
    chars = len(" ".join(token for token in keyword if token != WILDCARD))
    if chars <= EXACT_WORD_CHARS:
        return 100.0
    edits = 1.0 if chars < 10 else chars / 6
    return 100.0 * (1 - edits / chars) - 0.01


def find_keyword(words: Sequence[str], keyword: str) -> float:
    """Score (0-1) of the keyword's best fuzzy occurrence in the words, 0 when it is not there."""
    tokens = _keyword_tokens(keyword)
    if not tokens:
        return 0.0
    score = _phrase_score(words, tokens)
    return score / 100.0 if score >= keyword_threshold(tokens) else 0.0


def _keyword_tokens(keyword: str) -> list[str]:
    tokens: list[str] = []
    for raw in keyword.split():
        if raw == WILDCARD:
            tokens.append(WILDCARD)
        else:
            tokens.extend(normalize(raw).split())
    return tokens


def _example_score(text: str, example: str) -> float:
    """How well an example phrase (normalized) aligns with part of the turn (normalized), 0-100.

    Spaces around both keep "hi" from aligning inside "this"; an example longer than the turn is
    compared whole, so a short turn cannot claim a long example.
    """
    if not text or not example:
        return 0.0
    if len(example) > len(text):
        return fuzz.ratio(example, text)
    return fuzz.partial_ratio(f" {example} ", f" {text} ")


class IntentLibrary:
    """The intents a caller's turn is matched against: the shared library merged with a scenario's own."""

    def __init__(self, intents: Mapping[str, IntentDef]) -> None:
        self._defs: dict[str, IntentDef] = dict(intents)
        self._examples: dict[str, list[str]] = {}
        self._keywords: dict[str, list[list[str]]] = {}
        for name, definition in self._defs.items():
            self._examples[name] = [e for e in (normalize(x) for x in definition.examples) if e]
            keywords = [_keyword_tokens(k) for k in definition.keywords]
            self._keywords[name] = [k for k in keywords if any(t != WILDCARD for t in k)]

    def __contains__(self, name: object) -> bool:
        return name in self._defs

    def __getitem__(self, name: str) -> IntentDef:
        return self._defs[name]

    def __len__(self) -> int:
        return len(self._defs)

    @property
    def names(self) -> list[str]:
        return list(self._defs)

    def examples(self) -> dict[str, list[str]]:
        """Each intent's example phrases as written (the lint walks these through the engine)."""
        return {name: list(d.examples) for name, d in self._defs.items()}

    def detect(self, text: str) -> list[IntentMatch]:
        """Every intent the turn carries, best first; empty for silence or nonsense."""
        normalized = normalize(text)
        if not normalized:
            return []
        words = normalized.split()
        found: list[IntentMatch] = []
        for name in self._defs:
            score = 0.0
            for tokens in self._keywords[name]:
                value = _phrase_score(words, tokens)
                if value >= keyword_threshold(tokens):
                    score = max(score, value)
            for example in self._examples[name]:
                if score >= 100.0:
                    break
                value = _example_score(normalized, example)
                if value >= EXAMPLE_THRESHOLD:
                    score = max(score, value)
            if score:
                found.append(IntentMatch(name, round(score / 100.0, 3)))
        found.sort(key=lambda m: (-m.score, m.name))
        return found


def mentions_research(text: str, facts: Iterable[ResearchFact]) -> list[str]:
    """Ids of the research facts whose keywords the turn mentions (fuzzily: "leads" counts for "Leeds")."""
    words = normalize(text).split()
    if not words:
        return []
    found: list[str] = []
    for fact in facts:
        for keyword in fact.keywords:
            tokens = _keyword_tokens(keyword)
            if tokens and _phrase_score(words, tokens) >= keyword_threshold(tokens):
                found.append(fact.id)
                break
    return found


def mentions_name(text: str, name: str) -> bool:
    """Whether the turn addresses someone by their first name (fuzzily: "Margret" counts for "Margaret")."""
    first = normalize(name).split()[:1]
    if not first:
        return False
    words = normalize(text).split()
    return _phrase_score(words, first) >= keyword_threshold(first)


_WEEKDAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|weds?|thurs?|fri)"
_NUMBER_WORDS = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon|midday)"
# Words that may follow "at 3" / "at three" when it is a time and not a count ("at 12 depots").
_CLOCK_FOLLOWERS = (
    r"(?:oclock|am|pm|a m|p m|thirty|fifteen|forty|sharp|on|tomorrow|next|this|then|or|if|please|and|"
    r"works?|would|is|that|your|my|uk|gmt|\w+day)"
)
_TIME_PATTERNS = [
    re.compile(rf"(?<!last )(?<!past )\b{_WEEKDAYS}\b"),  # "last Thursday" is when they met, not a proposal
    re.compile(r"\b(?:tomorrow|this afternoon|this morning)\b"),
    re.compile(r"\b\d{1,2}(?: \d{2})? ?(?:am|pm|a m|p m)\b"),
    re.compile(r"\b\d{1,2} \d{2}\b"),  # "9:30" after normalizing
    re.compile(rf"\bat (?:\d{{1,2}}|{_NUMBER_WORDS})(?: {_CLOCK_FOLLOWERS}\b|$)"),
    re.compile(rf"\b{_NUMBER_WORDS} oclock\b"),
    re.compile(r"\b(?:half past|quarter past|quarter to) \w+\b"),
    re.compile(r"\bat (?:noon|midday|lunchtime)\b"),
]


def proposes_time(text: str) -> bool:
    """Whether the turn names a concrete day or time ("Tuesday", "tomorrow", "at 3", "10 am").

    "Next week" alone is not concrete: the persona should ask "when exactly?".
    """
    normalized = normalize(text.replace(":", " ").replace(".", ""))
    return any(pattern.search(normalized) for pattern in _TIME_PATTERNS)
